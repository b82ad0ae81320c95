import { Chalk, type ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { maskSecrets } from '../connection/target.js';
import { terminalWidth } from './fit.js';

export interface OutputOptions {
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  /** stdout is a terminal: what-to-do-next hints are for a person, not for logs and pipes */
  tty?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** passwords to mask wherever they would appear */
  secrets?: readonly string[];
  /** columns a line may take; default: the terminal's width when stdout is one, else unlimited */
  width?: number;
}

export type Status = 'ok' | 'warn' | 'fail' | 'info' | 'n/a' | 'pending';

/**
 * Where every command writes: a human view on stdout (coloured on a TTY) or one
 * JSON document; notes and errors on stderr.
 */
export class Output {
  readonly c: ChalkInstance;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** undefined: lines are never wrapped (pipes, files, CI logs keep one record per line) */
  readonly width: number | undefined;
  constructor(readonly options: OutputOptions) {
    this.width = options.width ?? terminalWidth(options.stdout ?? process.stdout);
    this.c = new Chalk({ level: options.color ? 1 : 0 });
    const secrets = options.secrets ?? [];
    const masked = (stream: NodeJS.WritableStream) => ({ write: (text: string) => stream.write(maskSecrets(text, secrets)) }) as NodeJS.WritableStream;
    // Every byte goes through the mask: a password never reaches a terminal, log or JSON file.
    this.stdout = masked(options.stdout ?? process.stdout);
    this.stderr = masked(options.stderr ?? process.stderr);
  }
  get json(): boolean {
    return this.options.json;
  }
  /** A line of the human view; nothing in --json or --quiet mode. */
  line(text = ''): void {
    if (!this.options.json && !this.options.quiet) this.stdout.write(fitLine(text, this.width) + '\n');
  }
  /** A line that matters even with --quiet (a verdict, a summary). */
  result(text: string): void {
    if (!this.options.json) this.stdout.write(fitLine(text, this.width) + '\n');
  }
  /** What to do next, for a person at a terminal only (dim, indented). */
  hint(text: string): void {
    if (this.options.tty && !this.options.json && !this.options.quiet) this.stdout.write(this.c.dim(`  Next: ${text}`) + '\n');
  }
  /** Detail shown with --verbose, on stderr so stdout stays clean. */
  debug(text: string): void {
    if (this.options.verbose) this.stderr.write(this.c.dim(text) + '\n');
  }
  /** A note about how the command ran (skipped steps, backend limits). */
  note(text: string): void {
    if (this.options.quiet) return;
    if (this.options.json) this.stderr.write(`todo-db: ${text}\n`);
    else this.stdout.write(this.c.dim(`  ${text}`) + '\n');
  }
  /** The one JSON document of a --json run. */
  document(value: unknown): void {
    if (this.options.json) this.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }
  /** `todo-db · postgres://app:****@host/db (PostgreSQL 15.4)`: the database, named once. */
  header(display: string, detail?: string): void {
    this.line(`${this.c.bold('todo-db')} · ${display}${detail ? this.c.dim(` (${detail})`) : ''}`);
  }
  status(status: Status): string {
    const c = this.c;
    const paint: Record<Status, (s: string) => string> = {
      ok: c.green,
      warn: c.yellow,
      fail: c.red,
      info: c.cyan,
      'n/a': c.dim,
      pending: c.dim,
    };
    return paint[status](status);
  }
  /** Aligned columns without borders, as in ../shared/spec/ux.md. */
  table(rows: readonly (readonly string[])[], indent = '  '): void {
    const width = this.width === undefined ? undefined : this.width - indent.length;
    if (this.options.json || this.options.quiet) return;
    for (const line of alignColumns(rows, { ...(width !== undefined ? { width } : {}) })) this.stdout.write(indent + line + '\n');
  }
}

export interface ColumnOptions {
  /** columns a row may take: wider cells wrap (at spaces, or hard) within their column */
  width?: number;
}

/** A cell that is a number, with an optional unit, or one against another: 5,020 · 8.6 MB · 99.7 % · 0.2 ms / 100 ms. */
const QUANTITY = String.raw`[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s?(%|[kMGT]?B|ms|s|×)?`;
const NUMERIC = new RegExp(`^${QUANTITY}( / ${QUANTITY})?$`);
/** Cells that stand for "no value" and say nothing about a column's kind. */
const BLANK = /^(|-|—|n\/a)$/;
const MIN_COLUMN = 10;
const MIN_PROSE = 12;

/**
 * Aligned columns without borders, as in ../shared/spec/ux.md: every column but a
 * row's last padded to its widest cell (colour codes and wide characters measured
 * as they show), numeric columns right-aligned (their first row may be a header),
 * and, given a width, the widest columns narrowed and their cells wrapped so that
 * no line is wider. Numbers are never wrapped.
 *
 * @example
 * alignColumns([['table', 'scans'], ['tasks', '5,020'], ['users', '1']]);
 * // ['table  scans', 'tasks  5,020', 'users      1']
 */
export function alignColumns(rows: readonly (readonly string[])[], options: ColumnOptions = {}): string[] {
  const count = Math.max(0, ...rows.map((r) => r.length));
  const numeric = Array.from({ length: count }, (_, i) => isNumericColumn(rows, i));
  const widths = naturalWidths(rows, count);
  const prose = Array.from({ length: count }, (_, i) => rows.some((r) => / \S/.test(plain(r[i] ?? ''))));
  const floors = numeric.map((n, i) => floorOf(rows, i, n));
  if (options.width !== undefined) narrow(widths, floors, prose, options.width);
  const out: string[] = [];
  rows.forEach((row, r) => {
    let offset = 0;
    const cells = row.map((cell, i) => {
      const last = i === row.length - 1;
      const width = last && options.width === undefined ? Math.max(widths[i] ?? 0, stringWidth(cell)) : last ? Math.max(MIN_COLUMN, options.width! - offset) : widths[i]!;
      offset += width + 2;
      const lines = numeric[i] && r > 0 ? [cell] : wrapAnsi(cell, width, { hard: true, trim: true }).split('\n');
      return { lines, width, right: numeric[i] === true, last };
    });
    const height = Math.max(1, ...cells.map((c) => c.lines.length));
    for (let n = 0; n < height; n++) {
      const parts = cells.map((c) => {
        const text = c.lines[n] ?? '';
        const pad = ' '.repeat(Math.max(0, c.width - stringWidth(text)));
        return c.right ? pad + text : c.last ? text : text + pad;
      });
      out.push(parts.join('  ').trimEnd());
    }
  });
  return out;
}

function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes being stripped
  return text.replace(/\u001b\[[0-9;]*m/g, '').trim();
}

function isNumericColumn(rows: readonly (readonly string[])[], i: number): boolean {
  const cells = rows
    .slice(1)
    .map((r) => r[i])
    .filter((c): c is string => c !== undefined)
    .map(plain);
  return cells.some((c) => NUMERIC.test(c)) && cells.every((c) => NUMERIC.test(c) || BLANK.test(c));
}

/** Each column's widest cell; a row's last cell counts only where the row is full width. */
function naturalWidths(rows: readonly (readonly string[])[], count: number): number[] {
  const widths = new Array<number>(count).fill(0);
  for (const row of rows)
    row.forEach((cell, i) => {
      if (i < row.length - 1 || row.length === count) widths[i] = Math.max(widths[i]!, stringWidth(cell));
    });
  return widths;
}

/**
 * Narrows columns until the row fits, always the widest first: first text that
 * wraps at spaces (messages, names of several words) down to MIN_PROSE, then every
 * column down to its floor (a numeric column's numbers never wrap, only its header).
 */
function narrow(widths: number[], floors: readonly number[], prose: readonly boolean[], width: number): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  const phases = [(i: number) => (prose[i] ? Math.max(MIN_PROSE, floors[i]!) : Infinity), (i: number) => floors[i]!];
  for (const floor of phases) {
    while (total() > width) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (w > floor(i) && (widest < 0 || w > widths[widest]!)) widest = i;
      });
      if (widest < 0) break;
      widths[widest]! -= 1;
    }
  }
}

/** How narrow a column may get: its numbers and its header's longest word, or MIN_COLUMN for text. */
function floorOf(rows: readonly (readonly string[])[], i: number, numeric: boolean): number {
  if (!numeric) return MIN_COLUMN;
  const numbers = rows.slice(1).map((r) => stringWidth(r[i] ?? ''));
  const header = plain(rows[0]?.[i] ?? '')
    .split(/\s+/)
    .map((w) => stringWidth(w));
  return Math.max(1, ...numbers, ...header);
}

/** A prose line wrapped to the terminal, its continuation indented like its start. */
function fitLine(text: string, width: number | undefined): string {
  if (width === undefined || stringWidth(text) <= width) return text;
  const indent = /^ */.exec(plain(text) === '' ? '' : text)?.[0] ?? '';
  return wrapAnsi(text.slice(indent.length), Math.max(MIN_COLUMN, width - indent.length), { hard: true, trim: true })
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
}

export { formatBytes, formatDate, formatMs, listAnd, plural } from '../text.js';
