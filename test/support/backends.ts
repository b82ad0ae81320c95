import { openDatabase, type TodoDatabase } from '../../src/index.js';
import { clonePglite } from './pglite.js';
import { createTestDatabase } from './postgres.js';

export type BackendName = 'postgres' | 'pglite' | 'pgmem';
/** Every backend; suites that need RLS, triggers or a catalog use SERVER_BACKENDS. */
export const ALL_BACKENDS: readonly BackendName[] = ['postgres', 'pglite', 'pgmem'];
export const SERVER_BACKENDS: readonly BackendName[] = ['postgres', 'pglite'];

export interface TestBackend {
  name: BackendName;
  /** the --url that reaches this database */
  url: string;
  cleanup(): Promise<void>;
}

/** A fresh, empty database on the given backend. pg-mem lives only inside one process. */
export async function provision(name: BackendName, label = 'test'): Promise<TestBackend> {
  switch (name) {
    case 'postgres': {
      const db = await createTestDatabase(label);
      return { name, url: db.url, cleanup: db.drop };
    }
    case 'pglite': {
      const dir = clonePglite();
      return { name, url: dir.url, cleanup: async () => dir.remove() };
    }
    case 'pgmem':
      return { name, url: 'pgmem:', cleanup: async () => undefined };
  }
}

/** A fresh database and an open handle on it; close() closes and removes both. */
export async function openFresh(name: BackendName, label = 'test'): Promise<{ backend: TestBackend; handle: TodoDatabase; close(): Promise<void> }> {
  const backend = await provision(name, label);
  const handle = await openDatabase({ url: backend.url });
  return {
    backend,
    handle,
    close: async () => {
      await handle.close();
      await backend.cleanup();
    },
  };
}
