const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

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
