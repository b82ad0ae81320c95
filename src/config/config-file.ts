import { readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadedConfig, TodoDbConfig } from './types.js';

/** The config file names, looked for in the project root (c12's naming, as kysely-ctl's kysely.config.*). */
export const CONFIG_FILES = ['todo-db.config.ts', 'todo-db.config.mts', 'todo-db.config.js', 'todo-db.config.mjs', 'todo-db.config.json'] as const;
/** The key an app may use in its package.json instead of a file. */
export const PACKAGE_JSON_KEY = 'todo-db';

/**
 * Types a TypeScript or JavaScript config file.
 *
 * @example
 * // todo-db.config.ts
 * import { defineConfig } from 'todo-db';
 * export default defineConfig({ migrationsDir: './migrations', lockTimeout: 30 });
 */
export function defineConfig(config: TodoDbConfig): TodoDbConfig {
  return config;
}

export interface FoundConfig {
  loaded: LoadedConfig | null;
  problems: string[];
}

/** The config files present in root (more than one is a problem the caller reports). */
export function configFilesIn(root: string): string[] {
  const found: string[] = CONFIG_FILES.map((name) => join(root, name)).filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile());
  const pkg = readPackageKey(root);
  if (pkg.present) found.push(`${join(root, 'package.json')} ("${PACKAGE_JSON_KEY}")`);
  return found;
}

/**
 * Finds and reads the one config of a project. JSON and package.json are parsed
 * directly and .js/.mjs imported natively; only a TypeScript file loads jiti (c12's
 * loader, ~0.1 s), so a project without one pays nothing for it.
 */
export async function readConfig(root: string): Promise<FoundConfig> {
  const files = CONFIG_FILES.map((name) => join(root, name)).filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile());
  const pkg = readPackageKey(root);
  const sources = [...files, ...(pkg.present ? [`package.json "${PACKAGE_JSON_KEY}"`] : [])];
  if (sources.length > 1) return { loaded: null, problems: [`more than one config: ${sources.map((s) => s.replace(root + '/', '')).join(', ')} (keep one)`] };
  if (pkg.present) {
    if (pkg.problem) return { loaded: null, problems: [pkg.problem] };
    return object(pkg.value, join(root, 'package.json'), `package.json "${PACKAGE_JSON_KEY}"`);
  }
  const path = files[0];
  if (!path) return { loaded: null, problems: [] };
  const name = path.slice(root.length + 1);
  try {
    return object(await loadFile(path), path, name);
  } catch (error) {
    return { loaded: null, problems: [`${name} cannot be loaded: ${firstLine(error)}`] };
  }
}

async function loadFile(path: string): Promise<unknown> {
  const ext = extname(path);
  if (ext === '.json') return JSON.parse(readFileSync(path, 'utf8'));
  if (ext === '.ts' || ext === '.mts') {
    const { createJiti } = await import('jiti');
    return createJiti(import.meta.url, { moduleCache: false }).import(path, { default: true });
  }
  const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  return mod.default;
}

function object(value: unknown, path: string, name: string): FoundConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { loaded: null, problems: [`${name} must hold an object of settings (e.g. { "migrationsDir": "./migrations" })`] };
  }
  return { loaded: { path, values: value as Record<string, unknown> }, problems: [] };
}

function readPackageKey(root: string): { present: boolean; value?: unknown; problem?: string } {
  const path = join(root, 'package.json');
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return { present: false };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { present: false };
  }
  // Cheap test first: most package.json files have no "todo-db" key, and this package's own must parse either way.
  if (!text.includes(`"${PACKAGE_JSON_KEY}"`)) return { present: false };
  try {
    const pkg = JSON.parse(text) as Record<string, unknown>;
    return PACKAGE_JSON_KEY in pkg ? { present: true, value: pkg[PACKAGE_JSON_KEY] } : { present: false };
  } catch (error) {
    return { present: true, problem: `package.json does not parse: ${firstLine(error)}` };
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
