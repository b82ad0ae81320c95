import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** Node's timers overflow past 2^31-1 ms (about 24.8 days) and then fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where a raw value came from, for the problem line: `--lock-timeout`, `TODO_DB_LOCK_TIMEOUT in .env`. */
export interface Source {
  label: string;
  /** relative paths resolve against this folder */
  base: string;
}

/** A parser turns one raw value into a setting or returns the problem. */
export type Parser<T> = (raw: unknown, source: Source) => { value: T } | { problem: string };

/** A positive number of seconds (a number or numeric text), returned in ms and within Node's timer limit. */
export const seconds: Parser<number> = (raw, source) => {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
  const n = text === undefined || text === '' ? NaN : Number(text);
  if (!Number.isFinite(n) || n <= 0) return { problem: `${source.label} is ${shown(raw)}, not a positive number of seconds` };
  const ms = Math.round(n * 1000);
  if (ms > MAX_TIMER_MS) return { problem: `${source.label} is ${shown(raw)} seconds, more than the limit of ${Math.floor(MAX_TIMER_MS / 1000)} (about 24 days)` };
  return { value: Math.max(1, ms) };
};

/** `--wait-replicas` bare (true) is the default wait; a number is seconds; false is no wait. */
export function waitSeconds(defaultMs: number): Parser<number | undefined> {
  return (raw, source) => {
    if (raw === true || raw === 'true') return { value: defaultMs };
    if (raw === false || raw === 'false' || raw === '0' || raw === 0) return { value: undefined };
    const parsed = seconds(raw, source);
    return 'problem' in parsed ? { problem: `${source.label} is ${shown(raw)}, not a number of seconds to wait (or true for ${defaultMs / 1000})` } : parsed;
  };
}

/** How the connection reaches the server: found out by a probe (auto), or declared. */
export type PoolerMode = 'auto' | 'direct' | 'transaction';
const POOLER_MODES: readonly PoolerMode[] = ['auto', 'direct', 'transaction'];

export const poolerMode: Parser<PoolerMode> = (raw, source) => {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  const mode = POOLER_MODES.find((m) => m === text);
  return mode ? { value: mode } : { problem: `${source.label} is ${shown(raw)}, not auto, direct or transaction` };
};

/** A yes/no setting: true, false, 1, 0 (an environment variable is text). */
export const yesNo: Parser<boolean> = (raw, source) => {
  if (raw === true || raw === 'true' || raw === '1' || raw === 1) return { value: true };
  if (raw === false || raw === 'false' || raw === '0' || raw === 0) return { value: false };
  return { problem: `${source.label} is ${shown(raw)}, not true or false` };
};

/**
 * Database URLs: a list (config file), repeated flags, or text separated by
 * commas or spaces (an environment variable). Each must be a postgres:// URL.
 */
export const urlList: Parser<string[]> = (raw, source) => {
  if (typeof raw === 'string' && raw.trim() === '') return { problem: `${source.label} is empty (give the replicas' URLs, or unset it)` };
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/).filter((s) => s !== '') : undefined;
  if (!items) return { problem: `${source.label} is ${shown(raw)}, not a list of database URLs` };
  for (const item of items) {
    if (typeof item !== 'string' || !/^postgres(ql)?:\/\/\S+$/.test(item.trim())) {
      return { problem: `${source.label} has ${shown(item)}, not a postgres:// URL (give each read replica's URL)` };
    }
  }
  return { value: items.map((s: string) => s.trim()) };
};

/** A folder path; it need not exist yet (init makes it), but it must not be a file or empty. */
export const folder: Parser<string> = (raw, source) => {
  if (typeof raw !== 'string') return { problem: `${source.label} is ${shown(raw)}, not a path` };
  if (raw.trim() === '') return { problem: `${source.label} is empty (give a folder, or unset it)` };
  const path = resolve(source.base, raw);
  if (isDirectory(path) === false) return { problem: `${source.label} is ${path}, which is a file, not a folder` };
  return { value: path };
};

/** A file path (the snapshot); it need not exist yet, but it must not be a folder. */
export const file: Parser<string> = (raw, source) => {
  if (typeof raw !== 'string') return { problem: `${source.label} is ${shown(raw)}, not a path` };
  if (raw.trim() === '') return { problem: `${source.label} is empty (give a file, or unset it)` };
  const path = resolve(source.base, raw);
  if (isDirectory(path) === true) return { problem: `${source.label} is ${path}, which is a folder, not a file` };
  return { value: path };
};

/** true or false for what is there, undefined where nothing is (or a parent is a file). */
function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory();
  } catch {
    return undefined;
  }
}

function shown(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : String(raw);
}
