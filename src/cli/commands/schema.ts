import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { action, type App } from '../app.js';
import { CliContext } from '../context.js';

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

/** Registers `todo-db schema snapshot|types|diagram`. */
export function registerSchema(program: Command, app: App): void {
  const schema = program.command('schema').description('the schema snapshot and what derives from it: Kysely types, the diagram');

  schema
    .command('snapshot')
    .description('apply every migration to an in-memory PGlite and write the schema after each to schema/snapshot.json')
    .option('--check', 'instead: exit 1 when the migrations no longer produce the committed file, naming what differs')
    .option('--out <file>', "the snapshot file (default: this package's schema/snapshot.json)")
    .action(
      action(app, async (options: SnapshotOptions, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const lib = await import('../../index.js');
        const path = options.out ?? lib.PACKAGE_SNAPSHOT_PATH;
        const migrationsDir = lib.migrationsDir(ctx.global.migrationsDir);
        if (options.check) {
          const check = await lib.checkSnapshot({ migrationsDir, snapshotPath: path });
          ctx.out.document({ ok: check.ok, file: path, findings: check.findings });
          for (const f of check.findings) ctx.out.line(`  ${ctx.out.c.red('✗')} ${f.message}`);
          ctx.out.result(
            check.ok
              ? `${ctx.out.c.green('✓')} ${path} is what the migrations produce`
              : `${ctx.out.c.red('✗')} ${path} is stale: run \`todo-db schema snapshot\` and commit it with the migration.`,
          );
          return check.ok ? 0 : 1;
        }
        const snapshot = await lib.generateSnapshot({ migrationsDir });
        lib.writeSnapshot(path, snapshot);
        const count = Object.keys(snapshot.objects).length;
        ctx.out.document({ ok: true, file: path, schemaVersion: snapshot.schemaVersion, migrations: snapshot.migrations.length, objects: count });
        ctx.out.result(`${ctx.out.c.green('✓')} wrote ${path}: ${snapshot.migrations.length} migrations, ${count} objects, schema v${snapshot.schemaVersion ?? '(none)'}`);
        return 0;
      }),
    );

  schema
    .command('types')
    .description('write the Kysely Database types of the snapshot (src/schema.ts)')
    .option('--check', 'instead: exit 1 when the file differs from what the snapshot gives')
    .option('--out <file>', "the TypeScript file (default: this package's src/schema.ts)")
    .option('--snapshot <file>', "the snapshot (default: this package's schema/snapshot.json)")
    .action(
      action(app, async (options: TypesOptions, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const lib = await import('../../index.js');
        const out = options.out ?? join(lib.PACKAGE_SNAPSHOT_PATH, '..', '..', 'src', 'schema.ts');
        const source = lib.kyselyTypes(lib.readSnapshot(options.snapshot ?? lib.PACKAGE_SNAPSHOT_PATH));
        if (options.check) {
          const current = existsSync(out) && readFileSync(out, 'utf8') === source;
          ctx.out.document({ ok: current, file: out });
          ctx.out.result(current ? `${ctx.out.c.green('✓')} ${out} is current` : `${ctx.out.c.red('✗')} ${out} is stale: run \`todo-db schema types\`.`);
          return current ? 0 : 1;
        }
        writeFileSync(out, source);
        ctx.out.document({ ok: true, file: out });
        ctx.out.result(`${ctx.out.c.green('✓')} wrote ${out}`);
        return 0;
      }),
    );

  schema
    .command('diagram')
    .description('print the schema snapshot as a Mermaid ER diagram (tables, columns, keys, relationships)')
    .option('--check <file>', 'instead: exit 1 when FILE (Markdown) has no mermaid block equal to the current diagram')
    .option('--live', 'draw the connected database instead of the snapshot')
    .option('--snapshot <file>', "the snapshot (default: this package's schema/snapshot.json)")
    .action(
      action(app, async (options: DiagramOptions, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const markdown = options.check === undefined ? undefined : readMarkdown(options.check);
        const lib = await import('../../index.js');
        // No header line: the output is meant to be piped into a file as it is.
        const diagram = options.live
          ? await lib.withDatabase(ctx.openOptions('data'), (handle) => lib.schemaDiagram(handle))
          : lib.snapshotDiagram(lib.readSnapshot(options.snapshot ?? lib.PACKAGE_SNAPSHOT_PATH));
        if (markdown === undefined) {
          ctx.out.document({ diagram });
          if (!ctx.out.json) ctx.out.stdout.write(diagram + '\n');
          return 0;
        }
        const current = lib.diagramIsCurrent(markdown, diagram);
        ctx.out.document({ ok: current, file: options.check, diagram });
        ctx.out.result(
          current
            ? `${ctx.out.c.green('✓')} the diagram in ${options.check} is current`
            : `${ctx.out.c.red('✗')} the diagram in ${options.check} is stale or missing. Replace its mermaid block with the output of \`todo-db schema diagram\`.`,
        );
        return current ? 0 : 1;
      }),
    );
}

function readMarkdown(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'give the path of a Markdown file');
  }
}
