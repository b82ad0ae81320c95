import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';

/**
 * Destructive commands: without --yes they need a person at a terminal. Checked
 * before connecting, so a refused run changes nothing.
 */
export function requireConfirmation(ctx: CliContext, yes: boolean | undefined, what: string): void {
  if (yes || ctx.interactive) return;
  throw new UsageError(`${what} needs confirmation, and there is no terminal to ask on`, 'pass --yes to confirm');
}

/** Asks a yes/no question on the terminal (always yes with --yes); a no cancels the command. */
export async function confirm(_ctx: CliContext, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return;
  } finally {
    rl.close();
  }
  throw new UsageError('cancelled; nothing was changed');
}
