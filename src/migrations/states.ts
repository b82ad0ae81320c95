import type { AppliedMigration } from './bookkeeping.js';
import type { MigrationFile } from './files.js';

export type MigrationProblem = 'edited' | 'missing' | 'out-of-order' | 'no-checksum';

export interface MigrationState {
  name: string;
  state: 'applied' | 'pending';
  appliedAt: Date | null;
  /** edited: the file changed since it was applied; missing: applied, file gone;
   * out-of-order: pending but sorts before an applied one; no-checksum: applied by a tool that records none */
  problems: MigrationProblem[];
}

/** Pure: where every migration stands, given the files and the bookkeeping. */
export function migrationStates(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationState[] {
  const appliedByName = new Map(applied.map((a) => [a.name, a]));
  const lastApplied = applied.reduce<string | null>((last, a) => (last === null || a.name > last ? a.name : last), null);
  const states: MigrationState[] = files.map((file) => {
    const record = appliedByName.get(file.name);
    if (!record) {
      const problems: MigrationProblem[] = lastApplied !== null && file.name < lastApplied ? ['out-of-order'] : [];
      return { name: file.name, state: 'pending', appliedAt: null, problems };
    }
    const problems: MigrationProblem[] = record.checksum === null ? ['no-checksum'] : record.checksum !== file.checksum ? ['edited'] : [];
    return { name: file.name, state: 'applied', appliedAt: record.appliedAt, problems };
  });
  const fileNames = new Set(files.map((f) => f.name));
  for (const record of applied) {
    if (!fileNames.has(record.name)) states.push({ name: record.name, state: 'applied', appliedAt: record.appliedAt, problems: ['missing'] });
  }
  return states.sort((a, b) => a.name.localeCompare(b.name));
}
