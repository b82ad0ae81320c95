/** State of one CLI run: secrets to mask, the command being run, when it started, the exit code. */
export interface App {
  secrets: string[];
  exitCode: number;
  /** `migrate up`, `health`: set once the command is known, for --json documents */
  command: string;
  startedAt: number;
}

/** Milliseconds since the run started, as an integer for --json. */
export function elapsedMs(app: App): number {
  return Math.round(performance.now() - app.startedAt);
}
