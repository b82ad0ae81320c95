import { describe, expect, it } from 'vitest';
import { QUERY_PATTERNS } from '../src/index.js';
import { SERVER_BACKENDS, provision } from './support/backends.js';
import { runCli } from './support/cli.js';

/**
 * A seed ends ready to serve: straight after the development seed and a scale
 * seed on top of it (the case whose indexes used to stay in place, and whose
 * ANALYZE-only finish left pattern 7 off its index), every query pattern is on
 * its expected index. Through the CLI, as a developer runs it.
 */
describe.each(SERVER_BACKENDS)('seed, then monitor queries, on %s', (backend) => {
  it('migrate up, seed, seed --users 500 --tasks-per-user 100: monitor queries exits 0 with 7/7', async () => {
    const db = await provision(backend, 'seedready');
    try {
      const cli = (...args: string[]) => runCli(['--url', db.url, ...args]);
      expect((await cli('migrate', 'up')).code).toBe(0);
      expect((await cli('seed')).code).toBe(0);
      const scale = await cli('--json', 'seed', '--users', '500', '--tasks-per-user', '100');
      expect(scale.code, scale.stderr).toBe(0);
      expect(JSON.parse(scale.stdout)).toMatchObject({ ok: true, tasks: 50_000, vacuumed: true, indexes: { strategy: 'rebuild', existing: 14 } });
      const json = await cli('--json', 'monitor', 'queries');
      expect(json.code, json.stdout + json.stderr).toBe(0);
      const result = JSON.parse(json.stdout) as { ok: boolean; userTasks: number; patterns: { id: number; status: string; problem: string | null }[] };
      expect(result.patterns.map((p) => [p.id, p.status, p.problem])).toEqual(QUERY_PATTERNS.map((p) => [p.id, 'ok', null]));
      expect(result.userTasks).toBe(100);
      const human = await cli('monitor', 'queries');
      expect(human.code, human.stdout + human.stderr).toBe(0);
      expect(human.stdout).toMatch(/All 7 patterns on their expected indexes and within target\./);
    } finally {
      await db.cleanup();
    }
    // Five CLI runs, PGlite's start-up in each, 50k rows: minutes on a shared 2-core machine.
  }, 300_000);
});
