import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { runHealth } from '../src/index.js';
import { readSql } from '../src/sql-file.js';
import { DEFAULT_THRESHOLDS } from '../src/health/thresholds.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { useFreshDatabase } from './support/fresh-database.js';

describe.each(SERVER_BACKENDS)('health: expired Better Auth sessions (%s)', (backend) => {
  const fresh = useFreshDatabase(backend, { label: 'health_auth' });
  const check = async () => (await runHealth(fresh.handle)).checks.find((c) => c.id === 'expired-sessions');

  const EXPIRED_SESSIONS_WARN = DEFAULT_THRESHOLDS.expiredSessionsWarn;

  it('warns when expired sessions pile up, and sql/cleanup-expired-sessions.sql clears them', async () => {
    expect(await check()).toMatchObject({ status: 'ok', details: { value: 0 } });
    const [user] = (await sql<{ id: string }>`insert into users (email) values ('sessions@todo.test') returning id`.execute(fresh.handle.db)).rows;
    await sql`insert into sessions (user_id, token, expires_at)
      select ${user!.id}, 'expired-' || i, now() - interval '1 day' from generate_series(1, ${EXPIRED_SESSIONS_WARN + 1}) as i`.execute(fresh.handle.db);
    await sql`insert into sessions (user_id, token, expires_at) values (${user!.id}, 'live', now() + interval '1 day')`.execute(fresh.handle.db);
    const warned = await check();
    expect(warned).toMatchObject({ status: 'warn', details: { value: EXPIRED_SESSIONS_WARN + 1 } });
    expect(warned?.fix).toContain('sql/cleanup-expired-sessions.sql');
    await sql.raw(readSql('cleanup-expired-sessions.sql')).execute(fresh.handle.db);
    expect(await check()).toMatchObject({ status: 'ok', details: { value: 0 } });
    expect(Number((await sql<{ n: number }>`select count(*) as n from sessions`.execute(fresh.handle.db)).rows[0]!.n)).toBe(1);
  });
});
