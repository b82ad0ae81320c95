import { UsageError } from '../errors.js';
import type { ScaleShape } from './scale-data.js';

export const DEFAULT_SCALE_SEED = 1;
export const DEFAULT_TASKS_PER_USER = 10;
/** Indexes feed a 32-bit mix (noise.ts); far beyond any load test anyway. */
const MAX_COUNT = 2 ** 32 - 1;

/** The raw values a caller (or the CLI) gives; validated by `scaleShape`. */
export interface ScaleInput {
  users: number | string;
  tasksPerUser?: number | string;
  seed?: number | string;
}

function integer(value: number | string, flag: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : /^[+-]?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = min === 0 ? `an integer from 0 to ${max}` : `a positive integer (at most ${max.toLocaleString('en-US')})`;
    throw new UsageError(`${flag} must be ${range}, not ${JSON.stringify(String(value))}`, `e.g. ${flag} ${min === 0 ? 42 : 100}`);
  }
  return n;
}

/** Validates the scale options before anything touches the database. */
export function scaleShape(input: ScaleInput): ScaleShape {
  const users = integer(input.users, '--users', 1, MAX_COUNT);
  const tasksPerUser = integer(input.tasksPerUser ?? DEFAULT_TASKS_PER_USER, '--tasks-per-user', 1, MAX_COUNT);
  const seed = integer(input.seed ?? DEFAULT_SCALE_SEED, '--seed', 0, MAX_COUNT);
  if (users * tasksPerUser > Number.MAX_SAFE_INTEGER) throw new UsageError('--users × --tasks-per-user is too large', 'load in several seeds');
  return { users, tasksPerUser, seed };
}
