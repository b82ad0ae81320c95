import { existsSync, readFileSync } from 'node:fs';
import type { ReportItem } from '../report/item.js';
import { serialiseSnapshot, readSnapshot } from './file.js';
import { generateSnapshot, type GenerateOptions } from './generate.js';
import type { Catalog, Snapshot } from './types.js';

export interface SnapshotCheck {
  ok: boolean;
  path: string;
  /** one item per object that differs between the file and what the migrations produce */
  findings: ReportItem<{ migration: string | null; change: 'added' | 'removed' | 'changed' }>[];
  /** what the migrations produce now */
  snapshot: Snapshot;
}

/**
 * Do the migrations still produce the committed snapshot? Regenerates it (in a
 * scratch database) and compares with the file at `snapshotPath`, naming every
 * object that differs (`migration` null: the final schema).
 */
export async function checkSnapshot(options: GenerateOptions & { snapshotPath: string }): Promise<SnapshotCheck> {
  const committed = readSnapshot(options.snapshotPath);
  const snapshot = await generateSnapshot(options);
  const text = serialiseSnapshot(snapshot);
  const same = existsSync(options.snapshotPath) && readFileSync(options.snapshotPath, 'utf8') === text;
  const findings: SnapshotCheck['findings'] = [];
  if (!same) {
    findings.push(...diff(committed.objects, snapshot.objects, null));
    const names = [...new Set([...committed.migrations.map((m) => m.name), ...snapshot.migrations.map((m) => m.name)])];
    for (const name of names) {
      const was = committed.migrations.find((m) => m.name === name);
      const now = snapshot.migrations.find((m) => m.name === name);
      if (!was || !now) {
        findings.push(item(`migration ${name}`, was ? 'removed' : 'added', name, was ? 'is in the snapshot but not in the migrations folder' : 'is not in the snapshot yet'));
        continue;
      }
      findings.push(...diff(was.set, now.set, name));
      for (const key of new Set([...was.removed, ...now.removed])) {
        if (was.removed.includes(key) !== now.removed.includes(key)) findings.push(item(key, 'changed', name, `removal of ${key} differs`));
      }
      if (was.schemaVersion !== now.schemaVersion)
        findings.push(item(`schema version of ${name}`, 'changed', name, `is ${String(now.schemaVersion)}, the snapshot says ${String(was.schemaVersion)}`));
    }
    if (findings.length === 0) findings.push(item(options.snapshotPath, 'changed', null, 'differs in layout from what `todo-db schema snapshot` writes'));
  }
  return { ok: findings.length === 0, path: options.snapshotPath, findings, snapshot };
}

function diff(was: Catalog, now: Catalog, migration: string | null): SnapshotCheck['findings'] {
  const out: SnapshotCheck['findings'] = [];
  const where = migration ? ` after ${migration}` : '';
  for (const key of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
    const a = was[key];
    const b = now[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const object = (b ?? a)!.object;
    if (!a) out.push(item(object, 'added', migration, `${object} is new${where}: the snapshot lacks it`));
    else if (!b) out.push(item(object, 'removed', migration, `${object} is in the snapshot${where} but the migrations no longer make it`));
    else out.push(item(object, 'changed', migration, `${object} differs${where} from the snapshot`));
  }
  return out;
}

function item(object: string, change: 'added' | 'removed' | 'changed', migration: string | null, message: string): SnapshotCheck['findings'][number] {
  return { id: `snapshot-${change}`, object, status: 'fail', message, fix: 'run `todo-db schema snapshot` and commit the file', details: { migration, change } };
}
