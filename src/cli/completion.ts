import { Argument, type Command } from 'commander';
import type { App } from './app.js';
import { commandPath, handle } from './command.js';
import type { CliContext } from './context.js';

type Shell = 'bash' | 'zsh' | 'fish';

/** `todo-db completion bash|zsh|fish`: a completion script generated from the command tree itself. */
export function registerCompletion(program: Command, app: App): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(todo-db completion bash)"')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(
      handle(app, {
        run: async (_ctx: CliContext, shell: Shell) => ({ ok: true, shell, script: completionScript(program, shell) }),
        render: (out, result) => out.stdout.write(result.script),
      }),
    );
}

interface Node {
  path: string;
  subcommands: string[];
  options: string[];
}

/** Each command path with its subcommands and its options (global ones included). */
function tree(program: Command): Node[] {
  const globals = flags(program);
  const walk = (command: Command): Node[] => [
    { path: commandPath(command), subcommands: command.commands.map((c) => c.name()), options: [...flags(command), ...(command === program ? [] : globals)] },
    ...command.commands.flatMap(walk),
  ];
  return walk(program);
}

function flags(command: Command): string[] {
  return [...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)), '--help'];
}

export function completionScript(program: Command, shell: Shell): string {
  const nodes = tree(program);
  if (shell === 'fish') return fish(nodes);
  const cases = nodes.map((n) => `    "${n.path}") words="${[...n.subcommands, ...n.options].join(' ')}" ;;`).join('\n');
  const body = `_todo_db_words() {
  local path="" w
  for w in "$@"; do
    case "$w" in -*) ;; *) case " $(_todo_db_sub "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac ;; esac
  done
  _todo_db_for "$path"
}
_todo_db_sub() {
  case "$1" in
${nodes.map((n) => `    "${n.path}") echo "${n.subcommands.join(' ')}" ;;`).join('\n')}
  esac
}
_todo_db_for() {
  local words=""
  case "$1" in
${cases}
  esac
  echo "$words"
}
`;
  if (shell === 'bash') {
    return `# todo-db completion for bash: eval "$(todo-db completion bash)"
${body}_todo_db() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  COMPREPLY=( $(compgen -W "$(_todo_db_words "\${COMP_WORDS[@]:1:COMP_CWORD-1}")" -- "$cur") )
}
complete -F _todo_db todo-db
`;
  }
  return `#compdef todo-db
# todo-db completion for zsh: eval "$(todo-db completion zsh)"
${body}_todo_db() {
  local -a candidates
  candidates=(\${(s: :)"$(_todo_db_words "\${(@)words[2,CURRENT-1]}")"})
  compadd -- $candidates
}
compdef _todo_db todo-db
`;
}

function fish(nodes: Node[]): string {
  const lines = ['# todo-db completion for fish: todo-db completion fish | source', 'complete -c todo-db -f'];
  for (const n of nodes) {
    const words = n.path === '' ? [] : n.path.split(' ');
    const cond = words.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${words.at(-1)}`;
    for (const sub of n.subcommands) lines.push(`complete -c todo-db -n '${cond}' -a ${sub}`);
    for (const option of n.options.filter((o) => o.startsWith('--'))) lines.push(`complete -c todo-db -n '${cond}' -l ${option.slice(2)}`);
  }
  return lines.join('\n') + '\n';
}
