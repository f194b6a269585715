// Shell completion: what may come next on an evt command line, found by walking the commander program itself
// (so it never goes stale), and the small bash, zsh and fish scripts that ask `evt __complete` for it at each
// Tab, the way gh, kubectl and rpk complete. Topic and group names are left to the caller, which asks the
// cluster (a value named <topic>/<topics...> or <group>).

import type { Command, Option } from 'commander';

/** What the word being completed may be: fixed words, or names the cluster has. */
export type Completion = { words: string[] } | { names: 'topics' | 'groups' };

/** The connection flags found on the command line being completed, for asking the cluster the same way. */
export interface LineFlags {
  brokers?: string;
  profile?: string;
}

/** The cluster's names a value stands for, from its name in the help (<topic>, [topics...], <group>). */
function namesOf(valueName: string | undefined): Completion | undefined {
  if (valueName === undefined) return undefined;
  if (/^topics?$/.test(valueName)) return { names: 'topics' };
  if (/^groups?$/.test(valueName)) return { names: 'groups' };
  return undefined;
}

/** `--group <group>` → "group"; undefined for a flag without a value. */
function valueNameOf(option: Option): string | undefined {
  return /[<[]([^>\]]+?)(\.\.\.)?[>\]]/.exec(option.flags)?.[1];
}

/** The options a word may name at this point: the command's and its parents' (global options go anywhere). */
function optionsInScope(cmd: Command): Option[] {
  const out: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(...c.createHelp().visibleOptions(c));
  return out;
}

function findOption(cmd: Command, word: string): Option | undefined {
  const flag = word.split('=')[0];
  return optionsInScope(cmd).find((o) => o.long === flag || o.short === flag);
}

function subcommand(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/**
 * What may complete the last of `words` (the words after `evt`; the last one is the word being typed, maybe
 * empty), and the connection flags the line already has.
 */
export function complete(program: Command, words: string[]): { completion: Completion; flags: LineFlags } {
  let cmd = program;
  let argIndex = 0;
  let valueOf: Option | undefined;
  const flags: LineFlags = {};
  const done = words.slice(0, -1);
  const current = words.at(-1) ?? '';
  for (const word of done) {
    if (valueOf) {
      if (valueOf.long === '--brokers') flags.brokers = word;
      if (valueOf.long === '--profile') flags.profile = word;
      valueOf = undefined;
    } else if (word.startsWith('-') && word !== '-') {
      const option = findOption(cmd, word);
      if (option && (option.required || option.optional) && !word.includes('=')) valueOf = option;
    } else {
      const sub = subcommand(cmd, word);
      if (sub) [cmd, argIndex] = [sub, 0];
      else argIndex++;
    }
  }
  if (valueOf) return { completion: namesOf(valueNameOf(valueOf)) ?? { words: [] }, flags };
  if (current.startsWith('-')) {
    const names = optionsInScope(cmd).flatMap((o) => [o.long, o.short].filter((n): n is string => n !== undefined));
    return { completion: { words: [...new Set(names)] }, flags };
  }
  const subs = cmd.createHelp().visibleCommands(cmd);
  if (subs.length > 0) return { completion: { words: subs.map((c) => c.name()).filter((n) => n !== 'help') }, flags };
  const args = cmd.registeredArguments;
  const arg = args[argIndex] ?? (args.at(-1)?.variadic ? args.at(-1) : undefined);
  return { completion: namesOf(arg?.name()) ?? { words: [] }, flags };
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/**
 * The script a shell sources. Each asks `evt __complete <words...>` (one candidate a line) and lets the shell
 * filter by what is typed; where evt offers nothing (a file name, a free value) the shell's own file
 * completion applies.
 */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `# evt completion for bash: source <(evt completion bash), or save it in
# ~/.local/share/bash-completion/completions/evt
_evt_complete() {
  local IFS=$'\\n' cur=\${COMP_WORDS[COMP_CWORD]}
  COMPREPLY=($(compgen -W "$(evt __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "$cur"))
}
complete -o default -F _evt_complete evt
`;
    case 'zsh':
      return `#compdef evt
# evt completion for zsh: source <(evt completion zsh) after compinit, or save it as _evt in a $fpath directory
_evt() {
  local -a candidates
  candidates=("\${(@f)$(evt __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=(\${candidates:#})
  if (( \${#candidates} )); then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
compdef _evt evt
`;
    case 'fish':
      return `# evt completion for fish: evt completion fish > ~/.config/fish/completions/evt.fish
function __evt_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l out (evt __complete -- $words (commandline -ct) 2>/dev/null)
    if set -q out[1]
        printf '%s\n' $out
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c evt -f -a '(__evt_complete)'
`;
  }
}
