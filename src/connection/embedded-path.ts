import { accessSync, constants, existsSync, readdirSync, realpathSync, statfsSync, statSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { UsageError } from '../errors.js';

const HINT = 'point --url pglite:DIR or TODO_DB_DATA_DIR at a folder of your own';

/** Kernel filesystems, not storage: Node's recursive mkdir spins forever on /proc. */
const VIRTUAL_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x1cd1, 'devpts'],
  [0x73636673, 'securityfs'],
]);
const VIRTUAL_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * Checks a PGlite data folder before anything touches it, so that a bad path is
 * one usage error and not a hang, a stray cluster or a driver dump: the folder must
 * be a folder (or creatable: its nearest existing parent a writable folder), not
 * on a kernel filesystem (/proc, /sys, /dev), and either empty or a database
 * already (PGlite would otherwise initialise a cluster among someone's files).
 *
 * @example
 * checkEmbeddedPath('/home/me/app/.todo-db/pglite'); // fine: returns nothing
 * checkEmbeddedPath('/proc/x');                       // throws UsageError (exit 2)
 */
export function checkEmbeddedPath(dataDir: string): void {
  const ancestor = nearestExisting(dataDir);
  const real = realpathSync(ancestor);
  const virtual = virtualFilesystem(real);
  if (virtual) throw new UsageError(`the embedded database folder ${dataDir} is on ${virtual}, which cannot hold data`, HINT);
  const stat = statSync(ancestor);
  if (!stat.isDirectory()) {
    const what = ancestor === dataDir ? 'is a file, not a folder' : `cannot be created: ${ancestor} is a file`;
    throw new UsageError(`the embedded database folder ${dataDir} ${what}`, HINT);
  }
  if (ancestor !== dataDir) {
    if (!writable(ancestor)) throw new UsageError(`the embedded database folder ${dataDir} cannot be created: ${ancestor} is not writable`, HINT);
    return;
  }
  const entries = readdirSync(dataDir);
  if (entries.length > 0 && !entries.includes('PG_VERSION')) {
    throw new UsageError(`${dataDir} is not an embedded database (no PG_VERSION) and not empty`, `${HINT}, e.g. a new one`);
  }
}

function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

function virtualFilesystem(real: string): string | undefined {
  const root = VIRTUAL_ROOTS.find((r) => (real === r || real.startsWith(r + sep)) && !real.startsWith('/dev/shm'));
  if (root) return root;
  try {
    const name = VIRTUAL_FS.get(Number(statfsSync(real).type));
    return name ? `a ${name} filesystem` : undefined;
  } catch {
    // statfs is missing on some platforms; the path prefixes above still apply
    return undefined;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
