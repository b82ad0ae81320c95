import { openSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { WriteStream } from 'node:tty';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';

/**
 * Destructive commands: without --yes they need a person at a terminal. Checked
 * before connecting, so a refused run changes nothing. The person answers on
 * stdin; stdout may well be piped (`todo-db cleanup | tee log`), so it is not asked.
 */
export function requireConfirmation(_ctx: CliContext, yes: boolean | undefined, what: string): void {
  if (yes || process.stdin.isTTY === true) return;
  throw new UsageError(`${what} needs confirmation, and there is no terminal to ask on`, 'pass --yes to confirm');
}

/**
 * Asks a yes/no question on the terminal (always yes with --yes); a no cancels the
 * command. The question goes to stderr, or to /dev/tty when stderr is redirected
 * too, never to stdout, which belongs to the command's output (and --json).
 */
export async function confirm(_ctx: CliContext, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  const prompt = promptStream();
  const rl = createInterface({ input: process.stdin, output: prompt.stream });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return;
  } finally {
    rl.close();
    prompt.close();
  }
  throw new UsageError('cancelled; nothing was changed');
}

function promptStream(): { stream: NodeJS.WritableStream; close(): void } {
  if (process.stderr.isTTY === true) return { stream: process.stderr, close: () => undefined };
  try {
    const fd = openSync('/dev/tty', 'w');
    const stream = new WriteStream(fd);
    // The stream owns the descriptor: destroying it closes /dev/tty.
    return { stream, close: () => stream.destroy() };
  } catch {
    return { stream: process.stderr, close: () => undefined };
  }
}
