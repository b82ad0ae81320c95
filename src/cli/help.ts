import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { listAnd } from '../text.js';
import { commandPath } from './command.js';
import { COMMAND_HELP, CONNECTION_ENV, EXIT_CODES } from './help-text.js';

/** Every command's help shows the global options, an example, the environment it reads and the exit codes. */
export function addHelp(program: Command): void {
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const command of all(program)) command.configureHelp({ showGlobalOptions: true });
  for (const command of leaves(program)) {
    const help = COMMAND_HELP[commandPath(command)];
    command.addHelpText('after', () => helpFooter(help?.example, help?.env ?? []));
  }
  program.addHelpText('after', helpFooter('todo-db migrate up && todo-db seed && todo-db health', []));
  // `todo-db help migrate up`: the subcommand's help; an unknown name is bad usage.
  program.helpCommand(false);
  program
    .command('help')
    .description('show the help of a command: todo-db help migrate up')
    .argument('[command...]', 'the command')
    .action((words: string[]) => {
      let target: Command = program;
      for (const word of words) {
        const next = target.commands.find((c) => c.name() === word || c.aliases().includes(word));
        if (!next) throw new UsageError(`no command \`${[commandPath(target), word].filter(Boolean).join(' ')}\``, 'see `todo-db --help` for the commands');
        target = next;
      }
      target.outputHelp();
    });
}

function helpFooter(example: string | undefined, env: readonly string[]): string {
  const lines = [''];
  if (example) lines.push('Example:', `  $ ${example}`, '');
  lines.push('Environment:', ...[...env, ...CONNECTION_ENV].map((e) => `  ${e}`), '');
  lines.push('Exit codes:', ...EXIT_CODES.map(([code, meaning]) => `  ${code}  ${meaning}`));
  return lines.join('\n');
}

/** A group (`migrate`, `rls`, `monitor`) run without its subcommand is bad usage, exit 2. */
export function requireSubcommands(program: Command): void {
  // The program itself: commander prints the help and reports `commander.help`; main.ts makes that exit 2.
  for (const group of program.commands.flatMap(groups)) {
    group.allowExcessArguments(true).action(() => {
      const names = group.commands.map((c) => c.name());
      const path = commandPath(group);
      const word = group.args[0];
      if (word !== undefined) throw new UsageError(`unknown command '${word}' for \`todo-db ${path}\`: it has ${listOr(names)}`, `see \`todo-db ${path} --help\``);
      throw new UsageError(`${path ? `\`todo-db ${path}\`` : 'todo-db'} needs a command: ${listOr(names)}`, `see \`todo-db ${path ? `${path} ` : ''}--help\``);
    });
  }
}

function listOr(names: readonly string[]): string {
  return listAnd(names).replace(/ and ([^ ]+)$/, ' or $1');
}

function groups(command: Command): Command[] {
  return command.commands.length === 0 ? [] : [command, ...command.commands.flatMap(groups)];
}

export function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
}
