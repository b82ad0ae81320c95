import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConnectionError } from '../errors.js';

/**
 * PGlite keeps its data in a folder that only one process may open at a time; a
 * second opener would corrupt it. A pid file next to the folder makes the second
 * process wait its turn (bounded), and a lock left by a killed process is reclaimed.
 */
export async function lockDataDir(dataDir: string, waitMs: number): Promise<() => void> {
  const lockFile = `${dataDir}.lock`;
  mkdirSync(dirname(lockFile), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (tryCreate(lockFile)) return () => rmSync(lockFile, { force: true });
    const seen = readSafely(lockFile);
    const holder = Number(seen);
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      reclaim(lockFile, seen);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ConnectionError(`the embedded database ${dataDir} is in use by process ${holder}`, 'wait for it to finish, or point TODO_DB_DATA_DIR elsewhere');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Writes the pid to a file of this process's own, then links it into place: the
 * lock file never exists without its pid. (Creating it and then writing left a
 * moment where another process read it empty, took it for a dead holder's, and
 * removed it: two processes opened the folder at once.)
 */
function tryCreate(lockFile: string): boolean {
  const own = `${lockFile}.${process.pid}`;
  writeFileSync(own, String(process.pid));
  try {
    linkSync(own, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    rmSync(own, { force: true });
  }
}

/**
 * Moves a dead holder's lock aside (a rename is atomic, so only one waiter gets
 * it) and deletes it only when it is still the one that was read: if another
 * waiter took the lock in between, it is put back.
 */
function reclaim(lockFile: string, seen: string): void {
  const aside = `${lockFile}.${process.pid}.stale`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (readSafely(aside) !== seen) {
    try {
      linkSync(aside, lockFile);
    } catch {
      // Someone holds the lock again already; theirs stands.
    }
  }
  rmSync(aside, { force: true });
}

function readSafely(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
