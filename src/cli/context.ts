import type { Command } from 'commander';
import type { RawFlags, Settings } from '../config/types.js';
import type { OpenOptions, Purpose, Target, TodoDatabase } from '../index.js';
import { Output } from './output.js';

/** Options every command takes (see options.ts); raw as typed, the resolver parses the settings among them. */
export interface GlobalOptions extends RawFlags {
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** The settings main.ts resolved before the action ran, per command. */
const resolved = new WeakMap<Command, Settings>();

export function rememberSettings(command: Command, settings: Settings): void {
  resolved.set(command, settings);
}

/** What a command handler gets: its output, its resolved settings and a way to open the database. */
export class CliContext {
  readonly out: Output;
  constructor(
    readonly global: GlobalOptions,
    secrets: readonly string[],
    readonly settings: Settings,
  ) {
    const tty = process.stdout.isTTY === true;
    const color = global.color !== false && !settings.noColor && tty && !global.json;
    this.out = new Output({ json: global.json === true, color, quiet: global.quiet === true, verbose: global.verbose === true, tty, secrets });
    // Commands read the folder here; it is the resolved one (flag, environment, config file or package).
    global.migrationsDir = settings.migrationsDir;
  }

  static from(command: Command, secrets: readonly string[]): CliContext {
    const settings = resolved.get(command);
    if (!settings) throw new Error(`todo-db: settings were not resolved before "${command.name()}" ran`);
    return new CliContext(command.optsWithGlobals<GlobalOptions>(), secrets, settings);
  }

  /** Both ends of the terminal are a person: prompts are allowed. */
  get interactive(): boolean {
    return process.stdin.isTTY === true && process.stdout.isTTY === true && !this.global.json;
  }

  /** Where a purpose connects: inspection reads like the app does (its URL, not the unpooled one). */
  target(purpose: Purpose): Target {
    return this.settings.targets[purpose === 'inspect' ? 'data' : purpose];
  }

  openOptions(purpose: Purpose): OpenOptions {
    const s = this.settings;
    return {
      purpose,
      target: this.target(purpose),
      cwd: s.root,
      ...(s.connectTimeoutMs !== undefined ? { connectTimeoutMs: s.connectTimeoutMs } : {}),
      ...(s.lockTimeoutMs !== undefined ? { lockTimeoutMs: s.lockTimeoutMs } : {}),
      ...(s.statementTimeoutMs !== undefined ? { statementTimeoutMs: s.statementTimeoutMs } : {}),
      pooler: s.pooler,
    };
  }

  /** Opens the database (drivers load only now), names it once, always closes it. */
  async withDb<T>(purpose: Purpose, fn: (database: TodoDatabase) => Promise<T>): Promise<T> {
    const { openDatabase } = await import('../index.js');
    const database = await openDatabase(this.openOptions(purpose));
    this.out.header(database.target.display, [database.server.version, originOf(database.target)].filter(Boolean).join(', '));
    if (database.kind === 'pgmem') this.out.note('pg-mem lives only inside this process: each command starts from an empty database and nothing is kept');
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  }
}

/** Where the URL came from, for the header: "DATABASE_URL from .env"; nothing for --url and the default. */
function originOf(target: Target): string {
  if (target.source === '--url' || target.source === 'embedded default') return target.origin ? `TODO_DB_DATA_DIR from ${target.origin}` : '';
  return target.origin ? `${target.source} from ${target.origin}` : target.source;
}
