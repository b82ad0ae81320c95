import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompiledQuery, type Kysely } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { copyChunks } from './copy-text.js';
import { COLUMNS, type Rows, type SeedTable } from './rows.js';
import { pgPoolOf, pgliteOf } from '../connection/raw-clients.js';

/** How rows reach a backend: COPY FROM STDIN, PGlite's blob COPY, or multi-row INSERTs. */
export type LoadMethod = 'copy' | 'blob-copy' | 'insert';

/** One transaction of a bulk load, on whichever driver the database has. */
export interface BulkWriter {
  readonly method: LoadMethod;
  query<R>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Loads rows into a table in the transaction; `onRows` hears about each batch sent. */
  load<T extends SeedTable>(table: T, rows: Iterable<Rows[T]>, onRows?: (n: number) => void): Promise<void>;
}

/** COPY text per round trip: large enough to amortise, small enough to keep memory flat. */
const COPY_CHUNK_CHARS = 256 * 1024;
const BLOB_CHUNK_CHARS = 4 * 1024 * 1024;
/** pg-mem parses each statement; its sweet spot is a few hundred rows. */
const INSERT_BATCH_ROWS = 250;

function copyStatement(table: SeedTable, source: string): string {
  return `copy ${table} (${COLUMNS[table].join(', ')}) from ${source}`;
}

/**
 * Runs `fn` in one transaction on the raw driver (COPY needs it), committing when
 * it returns and rolling back when it throws, so a failed load leaves nothing.
 */
export async function withBulkWriter<T>(database: TodoDatabase, fn: (writer: BulkWriter) => Promise<T>): Promise<T> {
  const raw = database.raw;
  switch (raw.kind) {
    case 'postgres': {
      const { from: copyFrom } = (await import('pg-copy-streams')).default;
      const client = await pgPoolOf(raw).connect();
      let broken: unknown;
      try {
        await client.query('begin');
        const writer: BulkWriter = {
          method: 'copy',
          query: async <R>(text: string, params?: readonly unknown[]) => (await client.query(text, params as unknown[])).rows as R[],
          load: async (table, rows, onRows) => {
            const stream = client.query(copyFrom(copyStatement(table, 'stdin')));
            await pipeline(Readable.from(copyChunks(table, rows, COPY_CHUNK_CHARS, onRows)), stream);
          },
        };
        const result = await fn(writer);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((e: unknown) => (broken = e));
        throw error;
      } finally {
        // A connection whose rollback failed is in an unknown state: drop it, do not pool it.
        client.release(broken instanceof Error ? broken : undefined);
      }
    }
    case 'pglite':
      return pgliteOf(raw).transaction((tx) =>
        fn({
          method: 'blob-copy',
          query: async <R>(text: string, params?: readonly unknown[]) => (await tx.query<R>(text, params as unknown[])).rows,
          load: async (table, rows, onRows) => {
            // PGlite has no COPY FROM STDIN; it reads COPY data from a Blob at /dev/blob.
            for (const chunk of copyChunks(table, rows, BLOB_CHUNK_CHARS, onRows)) {
              await tx.query(copyStatement(table, `'/dev/blob'`), [], { blob: new Blob([chunk]) });
            }
          },
        }),
      );
    case 'pgmem':
      return database.db.transaction().execute((trx) =>
        fn({
          method: 'insert',
          query: async <R>(text: string, params?: readonly unknown[]) => (await trx.executeQuery<R>(CompiledQuery.raw(text, [...(params ?? [])]))).rows,
          load: (table, rows, onRows) => insertBatches(trx, table, rows, onRows),
        }),
      );
  }
}

async function insertBatches<T extends SeedTable>(db: Kysely<any>, table: T, rows: Iterable<Rows[T]>, onRows?: (n: number) => void): Promise<void> {
  let batch: Rows[T][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await db.insertInto(table).values(batch).execute();
    onRows?.(batch.length);
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= INSERT_BATCH_ROWS) await flush();
  }
  await flush();
}
