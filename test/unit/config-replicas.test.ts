import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsFrom, type RawFlags } from '../../src/config/index.js';

/** migrate up's replica settings through the resolver: flag, environment, config file. */
const root = mkdtempSync(join(tmpdir(), 'todo-db-config-replicas-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const resolve = (flags: RawFlags = {}, env: Record<string, string> = {}, config?: Record<string, unknown>) =>
  settingsFrom({ flags, env, root, config: config ? { path: join(root, 'todo-db.config.json'), values: config } : null });

describe('replica settings', () => {
  it('default to no wait, no replica URLs and not required', () => {
    const { settings, problems } = resolve();
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ replicaUrls: [], requireReplicas: false });
    expect(settings.waitReplicasMs).toBeUndefined();
  });

  it('--wait-replicas bare is 60 s, =SECONDS is that, and the flag wins over env and config', () => {
    expect(resolve({ waitReplicas: true }).settings.waitReplicasMs).toBe(60_000);
    expect(resolve({ waitReplicas: '5' }).settings.waitReplicasMs).toBe(5_000);
    expect(resolve({}, { TODO_DB_WAIT_REPLICAS: 'true' }).settings.waitReplicasMs).toBe(60_000);
    expect(resolve({}, {}, { waitReplicas: 30 }).settings.waitReplicasMs).toBe(30_000);
    expect(resolve({}, {}, { waitReplicas: false }).settings.waitReplicasMs).toBeUndefined();
    expect(resolve({ waitReplicas: '2' }, { TODO_DB_WAIT_REPLICAS: '9' }, { waitReplicas: 30 }).settings.waitReplicasMs).toBe(2_000);
  });

  it('replica URLs from repeated flags, a separated variable or a config list; their passwords are masked', () => {
    expect(resolve({ replicaUrl: ['postgres://a@r1/db', 'postgres://a@r2/db'] }).settings.replicaUrls).toEqual(['postgres://a@r1/db', 'postgres://a@r2/db']);
    const env = resolve({}, { TODO_DB_REPLICA_URLS: 'postgres://u:s3cret@r1/db, postgresql://u@r2/db' }).settings;
    expect(env.replicaUrls).toEqual(['postgres://u:s3cret@r1/db', 'postgresql://u@r2/db']);
    expect(env.secrets).toContain('s3cret');
    expect(resolve({}, {}, { replicaUrls: ['postgres://r3/db'], requireReplicas: true }).settings).toMatchObject({ replicaUrls: ['postgres://r3/db'], requireReplicas: true });
    expect(resolve({ requireReplicas: true }).settings.requireReplicas).toBe(true);
  });

  it('bad values are one problem each, naming where they came from', () => {
    expect(resolve({ waitReplicas: 'soon' }).problems).toEqual([expect.stringMatching(/^--wait-replicas is "soon", not a number of seconds to wait \(or true for 60\)/)]);
    expect(resolve({}, { TODO_DB_WAIT_REPLICAS: '-1' }).problems).toEqual([expect.stringMatching(/^TODO_DB_WAIT_REPLICAS is "-1"/)]);
    expect(resolve({}, { TODO_DB_REPLICA_URLS: '' }).problems).toEqual([expect.stringMatching(/^TODO_DB_REPLICA_URLS is empty/)]);
    expect(resolve({ replicaUrl: ['replica.example.com'] }).problems).toEqual([expect.stringMatching(/^--replica-url has "replica.example.com", not a postgres:\/\/ URL/)]);
    expect(resolve({}, {}, { replicaUrls: 'postgres://r/db' }).problems).toEqual([]);
    expect(resolve({}, {}, { replicaUrls: 5 }).problems).toEqual([expect.stringMatching(/^replicaUrls in todo-db.config.json is 5, not a list of database URLs/)]);
    expect(resolve({}, { TODO_DB_REQUIRE_REPLICAS: 'maybe' }).problems).toEqual([expect.stringMatching(/^TODO_DB_REQUIRE_REPLICAS is "maybe", not true or false/)]);
  });
});

describe('the pooler setting', () => {
  it('is auto by default, and a declaration from the environment or the config file, the environment first', () => {
    expect(resolve().settings.pooler).toBe('auto');
    expect(resolve({}, { TODO_DB_POOLER: ' Direct ' }).settings.pooler).toBe('direct');
    expect(resolve({}, {}, { pooler: 'transaction' }).settings.pooler).toBe('transaction');
    expect(resolve({}, { TODO_DB_POOLER: 'direct' }, { pooler: 'transaction' }).settings.pooler).toBe('direct');
  });
});
