import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_SNAPSHOT_FILE } from '../config/resolve.js';

export interface SnapshotStep {
  status: 'written' | 'kept' | 'not-run';
  path: string;
  message: string;
}

/**
 * The one place init makes the app's schema snapshot. Right after a fresh init
 * the app's migrations are exactly the package's, so the package's committed
 * snapshot is the app's (a copy, no scratch database); after `--update` (the
 * app's own migrations are in the folder) it is generated from ./migrations.
 */
export async function writeInitialSnapshot(options: { packageRoot: string; migrationsDir: string; snapshotPath: string; fresh: boolean }): Promise<SnapshotStep> {
  const { snapshotPath } = options;
  if (existsSync(snapshotPath)) return { status: 'kept', path: snapshotPath, message: 'the snapshot exists and was kept (regenerate it with `todo-db schema snapshot`)' };
  const packaged = join(options.packageRoot, DEFAULT_SNAPSHOT_FILE);
  if (options.fresh && existsSync(packaged)) {
    mkdirSync(dirname(snapshotPath), { recursive: true });
    copyFileSync(packaged, snapshotPath);
    return { status: 'written', path: snapshotPath, message: 'the schema snapshot of the base migrations' };
  }
  if (options.fresh) return { status: 'not-run', path: snapshotPath, message: 'no snapshot written: run `todo-db schema snapshot` to generate it from ./migrations' };
  const { generateSnapshot } = await import('../snapshot/generate.js');
  const { writeSnapshot } = await import('../snapshot/file.js');
  try {
    const snapshot = await generateSnapshot({ migrationsDir: options.migrationsDir });
    mkdirSync(dirname(snapshotPath), { recursive: true });
    writeSnapshot(snapshotPath, snapshot);
    return { status: 'written', path: snapshotPath, message: 'generated from ./migrations' };
  } catch (error) {
    // The files are in place either way: say why, and how to make the snapshot once fixed.
    return { status: 'not-run', path: snapshotPath, message: `no snapshot written (${(error as Error).message.split('\n')[0]}): fix it, then run \`todo-db schema snapshot\`` };
  }
}
