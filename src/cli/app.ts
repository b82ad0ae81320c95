/** State of one CLI run shared by the commands: secrets to mask and the exit code. */
export interface App {
  secrets: string[];
  exitCode: number;
}

/**
 * Wraps a command handler: the handler returns 1 when it ran and found a problem
 * (it has already rendered the findings); errors propagate to the one exit point.
 */
export function action<A extends unknown[]>(app: App, handler: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await handler(...args);
    if (typeof code === 'number') app.exitCode = Math.max(app.exitCode, code);
  };
}
