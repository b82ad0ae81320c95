import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readSafely(lockFile));
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ConnectionError(`the embedded database ${dataDir} is in use by process ${holder}`, 'wait for it to finish, or point TODO_DB_DATA_DIR elsewhere');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
