import type { Command } from 'commander';
import type { Output } from './output.js';
import { elapsedMs, type App } from './app.js';
import { CliContext } from './context.js';

/** What every handler returns: `ok` decides the exit code (0, else 1). */
export interface CommandResult {
  ok: boolean;
  /** a run that was stopped part-way by the user (exit 130) */
  interrupted?: boolean;
  /** the command already printed its output as it went (health --watch --json: NDJSON) */
  printed?: boolean;
}

/**
 * A command as context → result: `run` does the work through the library and
 * returns data; `render` shows it to a person. The JSON document, the exit code
 * and partial results of a failure are handled here, once for every command.
 */
export interface CommandSpec<A extends unknown[], R extends CommandResult> {
  run: (ctx: CliContext, ...args: A) => Promise<R>;
  render: (out: Output, result: NoInfer<R>, ctx: CliContext) => void;
  /** the --json document's body (default: the result itself) */
  document?: (result: NoInfer<R>) => object;
}

/** An error that carries what was done before it (a failed migration's applied steps). */
export interface PartialResult<R> {
  partial?: R;
}

/** Turns a spec into a commander action. */
export function handle<A extends unknown[], R extends CommandResult>(app: App, spec: CommandSpec<A, R>): (...args: [...A, object, Command]) => Promise<void> {
  return async (...all: [...A, object, Command]) => {
    const command = all.at(-1) as Command;
    const args = all.slice(0, -1) as unknown as A;
    const ctx = CliContext.from(command, app.secrets);
    const finish = (result: R) => {
      if (result.printed) return;
      if (ctx.out.json) ctx.out.document(envelope(app, result, spec));
      else spec.render(ctx.out, result, ctx);
    };
    let result: R;
    try {
      result = await spec.run(ctx, ...args);
    } catch (error) {
      const partial = (error as PartialResult<R> | null)?.partial;
      // What succeeded before the failure is shown (text) or carried to the error document (JSON).
      if (partial !== undefined) {
        if (ctx.out.json) (error as { document?: object }).document = spec.document ? spec.document(partial) : partial;
        else spec.render(ctx.out, partial, ctx);
      }
      throw error;
    }
    finish(result);
    app.exitCode = Math.max(app.exitCode, result.interrupted ? 130 : result.ok ? 0 : 1);
  };
}

function envelope<R extends CommandResult>(app: App, result: R, spec: CommandSpec<never, R>): object {
  const body = spec.document ? spec.document(result) : result;
  return { ...body, ok: result.ok, command: app.command, durationMs: elapsedMs(app) };
}

/** The space-separated path of a command below the program: `migrate up`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
