import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { action, type App } from '../app.js';
import { CliContext } from '../context.js';

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
      action(app, async (options: DiagramOptions, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const markdown = options.check === undefined ? undefined : readMarkdown(options.check);
        const { schemaDiagram, diagramIsCurrent, withDatabase } = await import('../../index.js');
        // No header line: the output is meant to be piped into a file as it is.
        const diagram = await withDatabase(ctx.openOptions('data'), (handle) => schemaDiagram(handle));
        if (markdown === undefined) {
          ctx.out.document({ diagram });
          if (!ctx.out.json) ctx.out.stdout.write(diagram + '\n');
          return 0;
        }
        const current = diagramIsCurrent(markdown, diagram);
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
