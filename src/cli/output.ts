import { Chalk, type ChalkInstance } from 'chalk';
import { maskSecrets } from '../connection/target.js';

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
  constructor(readonly options: OutputOptions) {
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
    if (!this.options.json && !this.options.quiet) this.stdout.write(text + '\n');
  }
  /** A line that matters even with --quiet (a verdict, a summary). */
  result(text: string): void {
    if (!this.options.json) this.stdout.write(text + '\n');
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
    for (const line of alignColumns(rows)) this.line(indent + line);
  }
}

/** Pads every column but the last to its widest cell, ignoring colour codes. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell))))
      .join('  ')
      .trimEnd(),
  );
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001b\[[0-9;]*m/g, '')].length;
}

export { formatBytes, formatDate, formatMs, listAnd, plural } from '../text.js';
