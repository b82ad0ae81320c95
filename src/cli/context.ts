import type { Command } from 'commander';
import type { OpenOptions, Purpose, TodoDatabase } from '../index.js';
import { Output } from './output.js';

/** Options every command takes (see options.ts). */
export interface GlobalOptions {
  url?: string;
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  connectTimeout?: number;
  lockTimeout?: number;
  statementTimeout?: number;
  migrationsDir?: string;
}

/** What a command handler gets: its output and a way to open the database. */
export class CliContext {
  readonly out: Output;
  /** the environment this run sees; only the CLI layer reads it, the core is given values */
  readonly env: NodeJS.ProcessEnv = process.env;
  constructor(readonly global: GlobalOptions, secrets: readonly string[]) {
    const tty = process.stdout.isTTY === true;
    const color = global.color !== false && !process.env.NO_COLOR && tty && !global.json;
    this.out = new Output({ json: global.json === true, color, quiet: global.quiet === true, verbose: global.verbose === true, tty, secrets });
  }

  static from(command: Command, secrets: readonly string[]): CliContext {
    return new CliContext(command.optsWithGlobals<GlobalOptions>(), secrets);
  }

  /** Both ends of the terminal are a person: prompts are allowed. */
  get interactive(): boolean {
    return process.stdin.isTTY === true && process.stdout.isTTY === true && !this.global.json;
  }

  openOptions(purpose: Purpose): OpenOptions {
    const g = this.global;
    return {
      purpose,
      ...(g.url !== undefined ? { url: g.url } : {}),
      ...(g.connectTimeout !== undefined ? { connectTimeoutMs: g.connectTimeout * 1000 } : {}),
      ...(g.lockTimeout !== undefined ? { lockTimeoutMs: g.lockTimeout * 1000 } : {}),
      ...(g.statementTimeout !== undefined ? { statementTimeoutMs: g.statementTimeout * 1000 } : {}),
    };
  }

  /** Opens the database (drivers load only now), names it once, always closes it. */
  async withDb<T>(purpose: Purpose, fn: (handle: TodoDatabase) => Promise<T>): Promise<T> {
    const { openDatabase } = await import('../index.js');
    const handle = await openDatabase(this.openOptions(purpose));
    this.out.header(handle.target.display, handle.server.version);
    if (handle.kind === 'pgmem') this.out.note('pg-mem lives only inside this process: each command starts from an empty database and nothing is kept');
    try {
      return await fn(handle);
    } finally {
      await handle.close();
    }
  }
}
