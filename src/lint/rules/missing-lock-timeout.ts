import { blocksApp } from '../effects.js';
import type { LintRule } from '../types.js';
import { isRlsDdl } from './rls-ddl.js';

export const missingLockTimeout: LintRule = {
  id: 'missing-lock-timeout',
  why: 'a statement waiting for a lock that blocks the app (SHARE or stronger) queues every later query on the table behind it, for as long as the transaction it waits for stays open',
  recipe: "SET LOCAL lock_timeout = '2s' before it (and retry the migration on a timeout) so a blocked migration gives up instead of stalling the app",
  sizeDependent: true,
  check(s, ctx) {
    if (ctx.lockTimeoutSet || !blocksApp(s.effect.lock) || isRlsDdl(s)) return [];
    return s.effect.tables.map((table) => ({ table, message: `${s.effect.lock} on ${table} with no lock_timeout set` }));
  },
};
