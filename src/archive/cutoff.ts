import { UsageError } from '../errors.js';

/** What `--completed-before` said: a span back from now (on the server's clock), or a moment. */
export type ArchiveCutoff = { input: string; interval: string } | { input: string; date: Date };

const UNITS: Record<string, string> = { h: 'hours', d: 'days', w: 'weeks', mo: 'months', y: 'years' };
const DURATION = /^(\d{1,6})\s*(h|hours?|d|days?|w|weeks?|mo|months?|y|years?)$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** Days per unit, to bound a duration; the interval itself stays calendar arithmetic on the server. */
const UNIT_DAYS: Record<string, number> = { h: 1 / 24, d: 1, w: 7, mo: 30.44, y: 365.25 };
/** PostgreSQL's timestamps end at 4713 BC; a cutoff further back than this is a typo, not a policy. */
export const MAX_CUTOFF_YEARS = 1000;

const EXPECTED = 'a duration (36h, 90d, 12w, 6mo, 1y) or a date (2026-01-31, or 2026-01-31T12:00Z with a zone)';

/**
 * Parses `--completed-before`: a duration counts back from now, a bare date is
 * midnight UTC, a timestamp needs its zone (a moment must not depend on where the
 * command runs). Calendar units (months, years) are left to PostgreSQL's interval
 * arithmetic, so `1mo` on 31 March is 28 or 29 February, as people expect.
 *
 * @example
 * parseCutoff('90d');        // { input: '90d', interval: '90 days' }
 * parseCutoff('2026-01-31'); // { input: '2026-01-31', date: 2026-01-31T00:00:00.000Z }
 */
export function parseCutoff(input: string): ArchiveCutoff {
  const text = input.trim();
  const duration = DURATION.exec(text);
  if (duration) {
    const n = Number(duration[1]);
    if (n === 0) throw new UsageError(`--completed-before ${input} would archive every completed task, up to this moment`, 'give a duration above zero, e.g. 90d');
    const unit = duration[2]!.toLowerCase();
    const key = unit.startsWith('mo') ? 'mo' : unit[0]!;
    if (n * UNIT_DAYS[key]! > MAX_CUTOFF_YEARS * 365.25) throw outOfRange(input);
    return { input, interval: `${n} ${UNITS[key]}` };
  }
  const day = DATE.exec(text);
  if (day) {
    const date = new Date(`${text}T00:00:00Z`);
    // Date accepts 2026-02-30 and rolls it over to March; a person meant a real day.
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) throw invalid(input, 'no such day');
    if (date.getUTCFullYear() < 1) throw outOfRange(input, true);
    return { input, date };
  }
  if (TIMESTAMP.test(text)) {
    const date = new Date(text.replace(' ', 'T'));
    if (Number.isNaN(date.getTime())) throw invalid(input, 'no such moment');
    if (date.getUTCFullYear() < 1) throw outOfRange(input, true);
    return { input, date };
  }
  if (/^\d+\s*m(in(utes?)?)?$/i.test(text)) throw invalid(input, '"m" is ambiguous: write 6mo for months');
  throw invalid(input);
}

function outOfRange(input: string, date = false): UsageError {
  const why = date ? 'it is before 0001-01-01' : `it reaches back more than ${MAX_CUTOFF_YEARS} years`;
  return new UsageError(`--completed-before ${input} is out of range: ${why}`, `give at most ${MAX_CUTOFF_YEARS}y or ${MAX_CUTOFF_YEARS * 12}mo, or a date from 0001-01-01 on`);
}

function invalid(input: string, why?: string): UsageError {
  return new UsageError(`--completed-before expects ${EXPECTED}, not ${JSON.stringify(input)}${why ? ` (${why})` : ''}`, 'e.g. todo-db archive --completed-before 90d');
}

/** `--batch-size`: whole tasks per transaction, small enough to keep locks short. */
export function parseBatchSize(value: string | number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000 || (typeof value === 'string' && !/^\d+$/.test(value.trim()))) {
    throw new UsageError(`--batch-size expects a whole number from 1 to 100000, not ${JSON.stringify(String(value))}`);
  }
  return n;
}
