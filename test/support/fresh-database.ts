import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { migrateUp, type TodoDatabase } from '../../src/index.js';
import { openFresh, type BackendName, type TestBackend } from './backends.js';

export interface FreshDatabase {
  /** the open connection to this test's database */
  readonly handle: TodoDatabase;
  /** its URL and cleanup */
  readonly backend: TestBackend;
}

export interface FreshOptions {
  /** part of the database name, for finding a leftover one */
  label?: string;
  /** apply every migration first (default true) */
  migrated?: boolean;
  /** a new database for each test rather than one for the file's describe block */
  each?: boolean;
}

/**
 * A fresh database on `backend` for the enclosing describe block: created (and
 * migrated) before, closed and dropped after. Replaces the setup block every
 * database test used to copy.
 */
export function useFreshDatabase(backend: BackendName, options: FreshOptions = {}): FreshDatabase {
  let fresh: Awaited<ReturnType<typeof openFresh>> | undefined;
  const [before, after] = options.each ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    fresh = await openFresh(backend, options.label ?? 'test');
    if (options.migrated !== false) await migrateUp(fresh.handle);
  });
  after(async () => {
    await fresh?.close();
    fresh = undefined;
  });
  const current = () => {
    if (!fresh) throw new Error('useFreshDatabase: used outside a test of its describe block');
    return fresh;
  };
  return {
    get handle() {
      return current().handle;
    },
    get backend() {
      return current().backend;
    },
  };
}
