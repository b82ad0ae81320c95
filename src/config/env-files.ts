import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import type { EnvRecord } from '../connection/target.js';

export interface EnvFiles {
  /** the process environment with the .env values under it: the environment wins */
  env: Record<string, string | undefined>;
  /** the file each variable taken from a .env file came from */
  origins: Record<string, string>;
  files: string[];
}

/**
 * Reads `.env`, then `.env.<name>` (a later file wins over an earlier one), as
 * kysely-ctl does through c12; a variable set in the environment wins over both, so
 * `npx kysely` and todo-db in one repo reach the same database. `${VAR}` expands.
 */
export function readEnvFiles(root: string, env: EnvRecord, name?: string): EnvFiles {
  const fileNames = name ? ['.env', `.env.${name}`] : ['.env'];
  const fromFiles: Record<string, string> = {};
  const origins: Record<string, string> = {};
  const files: string[] = [];
  for (const fileName of fileNames) {
    const path = join(root, fileName);
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) continue;
    files.push(path);
    for (const [key, value] of Object.entries(parse(readFileSync(path, 'utf8')))) {
      fromFiles[key] = value;
      origins[key] = fileName;
    }
  }
  const merged: Record<string, string | undefined> = { ...env };
  for (const [key, value] of Object.entries(fromFiles)) {
    if (env[key] !== undefined) {
      delete origins[key];
      continue;
    }
    merged[key] = expand(value, (ref) => env[ref] ?? fromFiles[ref]);
  }
  return { env: merged, origins, files };
}

/** `${NAME}` and `$NAME` from the environment or the files; `\$` is a literal dollar. */
function expand(value: string, lookup: (name: string) => string | undefined): string {
  return value.replace(/\\\$|\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    if (match === '\\$') return '$';
    return lookup((braced ?? bare)!) ?? '';
  });
}
