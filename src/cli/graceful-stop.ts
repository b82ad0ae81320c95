const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * What a progress bar leaves behind on a terminal when a signal cuts it short: a
 * hidden cursor (?25l), line wrapping off (?7l) and the cursor at the end of the
 * bar. Undone here, and the line cleared, so the message after it is whole and on
 * its own line. Nothing on a pipe.
 */
export function resetTerminal(stream: NodeJS.WriteStream = process.stderr): void {
  if (stream.isTTY === true) stream.write('\x1b[?25h\x1b[?7h\r\x1b[2K');
}

/** An interrupt's message on stderr, on a clean line of a terminal. */
export function interruptLine(text: string): void {
  resetTerminal();
  process.stderr.write(`${text}\n`);
}

/**
 * Runs `fn` with an AbortSignal that Ctrl-C (or SIGTERM) sets, for commands that
 * can stop cleanly between steps. A second signal falls through to the CLI's own
 * handler, which leaves at once.
 */
export async function withGracefulStop<T>(fn: (signal: AbortSignal) => Promise<T>, onFirst?: () => void): Promise<T> {
  const controller = new AbortController();
  const saved = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
  const restore = () => {
    for (const [signal, listeners] of saved) {
      process.removeAllListeners(signal);
      for (const listener of listeners) process.on(signal, listener as () => void);
    }
  };
  const onSignal = () => {
    restore();
    controller.abort();
    onFirst?.();
  };
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.once(signal, onSignal);
  }
  try {
    return await fn(controller.signal);
  } finally {
    restore();
  }
}
