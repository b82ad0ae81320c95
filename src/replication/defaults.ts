/** How long `migrate up --wait-replicas` waits when no number is given (a dependency-free file: the config resolver reads it). */
export const DEFAULT_WAIT_REPLICAS_MS = 60_000;
