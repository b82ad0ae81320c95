import { UsageError } from '../errors.js';

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_BASELINE_SECONDS = 10;
/** Without --budget-p99 the budget is the baseline p99 plus this much. */
export const DEFAULT_BUDGET_MARGIN_MS = 100;
const MAX_CONCURRENCY = 64;

/** The raw values a caller (or the CLI) gives; validated by `rehearsalSettings` before anything connects. */
export interface RehearsalInput {
  budgetP99?: number | string;
  concurrency?: number | string;
  baseline?: number | string;
}

export interface RehearsalSettings {
  /** null: the baseline p99 plus DEFAULT_BUDGET_MARGIN_MS */
  budgetP99Ms: number | null;
  concurrency: number;
  baselineSeconds: number;
}

function positiveNumber(value: number | string, flag: string, example: string): number {
  const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, not ${JSON.stringify(String(value))}`, `e.g. ${flag} ${example}`);
  return n;
}

/** Validates the rehearsal options: `--budget-p99 abc` or `--concurrency 0` is exit 2 with nothing touched. */
export function rehearsalSettings(input: RehearsalInput): RehearsalSettings {
  const budgetP99Ms = input.budgetP99 === undefined ? null : positiveNumber(input.budgetP99, '--budget-p99', '250');
  const concurrency = input.concurrency === undefined ? DEFAULT_CONCURRENCY : positiveNumber(input.concurrency, '--concurrency', '4');
  if (!Number.isInteger(concurrency) || concurrency > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${JSON.stringify(String(input.concurrency))}`, 'e.g. --concurrency 4');
  }
  const baselineSeconds = input.baseline === undefined ? DEFAULT_BASELINE_SECONDS : positiveNumber(input.baseline, '--baseline', '10');
  return { budgetP99Ms, concurrency, baselineSeconds };
}
