import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';

interface DiagramOptions {
  check?: string;
  live?: boolean;
  snapshot?: string;
}

interface SnapshotOptions {
  check?: boolean;
  out?: string;
}

interface TypesOptions {
  check?: boolean;
  out?: string;
  snapshot?: string;
}

interface FileCheck {
  ok: boolean;
  file: string;
  findings?: { message: string }[];
}

/** Registers `todo-db schema snapshot|types|diagram`. */
export function registerSchema(program: Command, app: App): void {
  const schema = program.command('schema').description('the schema snapshot and what derives from it: Kysely types, the diagram');

  schema
    .command('snapshot')
    .description('apply every migration to an in-memory PGlite and write the schema after each to schema/snapshot.json')
    .option('--check', 'instead: exit 1 when the migrations no longer produce the committed file, naming what differs')
    .option('--out <file>', "the snapshot file (default: this package's schema/snapshot.json)")
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: SnapshotOptions) => {
          const lib = await import('../../index.js');
          const path = options.out ?? ctx.settings.snapshotPath;
          const migrationsDir = lib.migrationsDir(ctx.global.migrationsDir);
          if (options.check) {
            const check = await lib.checkSnapshot({ migrationsDir, snapshotPath: path });
            return { mode: 'check' as const, ok: check.ok, file: path, findings: check.findings };
          }
          const snapshot = await lib.generateSnapshot({ migrationsDir });
          lib.writeSnapshot(path, snapshot);
          return {
            mode: 'write' as const,
            ok: true,
            file: path,
            schemaVersion: snapshot.schemaVersion,
            migrations: snapshot.migrations.length,
            objects: Object.keys(snapshot.objects).length,
          };
        },
        render: (out, r) => {
          if (r.mode === 'write') {
            out.result(`${out.c.green('✓')} wrote ${r.file}: ${r.migrations} migrations, ${r.objects} objects, schema v${r.schemaVersion ?? '(none)'}`);
            return;
          }
          for (const f of r.findings) out.line(`  ${out.c.red('✗')} ${f.message}`);
          out.result(
            r.ok
              ? `${out.c.green('✓')} ${r.file} is what the migrations produce`
              : `${out.c.red('✗')} ${r.file} is stale: run \`todo-db schema snapshot\` and commit it with the migration.`,
          );
        },
        document: ({ mode: _mode, ...r }) => r,
      }),
    );

  schema
    .command('types')
    .description('write the Kysely Database types of the snapshot (src/schema.ts)')
    .option('--check', 'instead: exit 1 when the file differs from what the snapshot gives')
    .option('--out <file>', "the TypeScript file (default: src/schema.ts in this package, database.ts beside an app's snapshot)")
    .option('--snapshot <file>', "the snapshot (default: this package's schema/snapshot.json)")
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: TypesOptions): Promise<FileCheck & { check: boolean }> => {
          const lib = await import('../../index.js');
          const snapshotPath = options.snapshot ?? ctx.settings.snapshotPath;
          // This package's types are its src/schema.ts; an app's sit beside its snapshot.
          const out = options.out ?? (snapshotPath === lib.PACKAGE_SNAPSHOT_PATH ? join(snapshotPath, '..', '..', 'src', 'schema.ts') : join(snapshotPath, '..', 'database.ts'));
          const source = lib.kyselyTypes(lib.readSnapshot(snapshotPath));
          if (options.check) return { check: true, ok: existsSync(out) && readFileSync(out, 'utf8') === source, file: out };
          writeFileSync(out, source);
          return { check: false, ok: true, file: out };
        },
        render: (out, r) => {
          if (!r.check) out.result(`${out.c.green('✓')} wrote ${r.file}`);
          else out.result(r.ok ? `${out.c.green('✓')} ${r.file} is current` : `${out.c.red('✗')} ${r.file} is stale: run \`todo-db schema types\`.`);
        },
        document: ({ check: _check, ...r }) => r,
      }),
    );

  schema
    .command('diagram')
    .description('print the schema snapshot as a Mermaid ER diagram (tables, columns, keys, relationships)')
    .option('--check <file>', 'instead: exit 1 when FILE (Markdown) has no mermaid block equal to the current diagram')
    .option('--live', 'draw the connected database instead of the snapshot')
    .option('--snapshot <file>', "the snapshot (default: this package's schema/snapshot.json)")
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: DiagramOptions): Promise<DiagramRun> => {
          const markdown = options.check === undefined ? undefined : readMarkdown(options.check);
          const lib = await import('../../index.js');
          // No header line: the output is meant to be piped into a file as it is.
          const diagram = options.live
            ? await lib.withDatabase(ctx.openOptions('data'), (db) => lib.schemaDiagram(db))
            : lib.snapshotDiagram(lib.readSnapshot(options.snapshot ?? ctx.settings.snapshotPath));
          if (markdown === undefined || options.check === undefined) return { ok: true, diagram };
          return { ok: lib.diagramIsCurrent(markdown, diagram), file: options.check, diagram };
        },
        render: (out, result) => {
          if (result.file === undefined) out.stdout.write(result.diagram + '\n');
          else if (result.ok) out.result(`${out.c.green('✓')} the diagram in ${result.file} is current`);
          else out.result(`${out.c.red('✗')} the diagram in ${result.file} is stale or missing. Replace its mermaid block with the output of \`todo-db schema diagram\`.`);
        },
      }),
    );
}

interface DiagramRun {
  ok: boolean;
  diagram: string;
  file?: string;
}

function readMarkdown(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'give the path of a Markdown file');
  }
}
