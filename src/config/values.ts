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
