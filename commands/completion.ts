// `evt completion bash|zsh|fish`: a script for the shell to source; `evt __complete <words...>` (hidden): what
// that script asks at each Tab, one candidate a line, topic and group names from the cluster the line names
// (its --brokers/--profile, else EVT_BROKERS or the profile, as any command), within a second. A completion
// never fails loudly: on any error it prints nothing and exits 0, and the shell offers files instead.

import { Argument, type Command } from 'commander';
import { printLine, type CommandContext } from '../src/cli/io.js';
import { complete, completionScript, SHELLS, type Shell } from '../src/cli/completion.js';

/** How long a Tab waits for the cluster's names. */
const NAMES_TIMEOUT = '1s';

export function registerCompletion(program: Command, ctx: CommandContext): void {
  const { io, globals } = ctx;
  program
    .command('completion')
    .description('print the shell completion script (commands, options, topic and group names)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  $ source <(evt completion bash)                     in ~/.bashrc
  $ source <(evt completion zsh)                      in ~/.zshrc, after compinit
  $ evt completion fish > ~/.config/fish/completions/evt.fish`,
    )
    .action((shell: Shell) => void io.stdout.write(completionScript(shell)));

  program
    .command('__complete', { hidden: true })
    .description('the candidates for the last word of an evt command line, one a line')
    .argument('[words...]', 'the words after evt, the last one being completed')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) => {
      const { completion, flags } = complete(program, words.length > 0 ? words : ['']);
      if ('words' in completion) {
        for (const w of completion.words) printLine(io.stdout, w);
        return;
      }
      try {
        const { settingsFor, withAdmin } = await import('../src/cli/session.js');
        const { userTopics } = await import('../src/client/topic-ops.js');
        const g = { ...globals(), ...flags, timeout: NAMES_TIMEOUT, verbose: false };
        const names = await withAdmin(io, g, settingsFor(io, g), async (admin) =>
          completion.names === 'topics' ? userTopics(admin) : (await admin.listGroups()).map((l) => l.groupId).sort(),
        );
        for (const name of names) printLine(io.stdout, name);
      } catch {
        // unreachable, unauthorised, no such profile: no names, and the shell falls back to files
      }
    });
}
