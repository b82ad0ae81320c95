import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';

interface DiagramOptions {
  check?: string;
}

/** Registers `todo-db schema diagram [--check FILE]`. */
export function registerSchema(program: Command, app: App): void {
  const schema = program.command('schema').description('describe the live schema');
  schema
    .command('diagram')
    .description('print the live schema as a Mermaid ER diagram (tables, columns, keys, relationships)')
    .option('--check <file>', 'instead: exit 1 when FILE (Markdown) has no mermaid block equal to the current diagram')
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: DiagramOptions): Promise<DiagramRun> => {
          const markdown = options.check === undefined ? undefined : readMarkdown(options.check);
          const { schemaDiagram, diagramIsCurrent, withDatabase } = await import('../../index.js');
          // No header line: the output is meant to be piped into a file as it is.
          const diagram = await withDatabase(ctx.openOptions('data'), (db) => schemaDiagram(db));
          if (markdown === undefined || options.check === undefined) return { ok: true, diagram };
          return { ok: diagramIsCurrent(markdown, diagram), file: options.check, diagram };
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
