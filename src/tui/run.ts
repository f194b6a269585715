// The dashboard on a real terminal: the alternate screen (as vim and htop use), restored however the
// dashboard ends (q, Ctrl-C, a signal, an error), and ink rendering at a bounded frame rate.

import type { DashboardSource } from './source.js';

const ENTER = '\x1b[?1049h\x1b[H\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';

export interface TerminalOptions {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  color: boolean;
  /** resolves when the dashboard must end from outside (a signal, the end of a demo) */
  stop?: Promise<unknown>;
}

/** How the dashboard ended: q, Ctrl-C (a key on the dashboard's raw terminal, not a signal), or `stop`. */
export type DashboardEnd = 'quit' | 'interrupt' | 'stopped';

/** Shows the dashboard until q or Ctrl-C (or `stop`), then gives the terminal back as it was. */
export async function runDashboard(source: DashboardSource, o: TerminalOptions): Promise<DashboardEnd> {
  // React picks its build when first loaded: the development build records a performance measure per
  // render in Node's global buffer (hundreds of MB an hour at a few frames a second), so not that one.
  // Nothing may load react before this line: hence no JSX in this module (it would import react at once).
  process.env.NODE_ENV ??= 'production';
  const [{ createElement }, { render }, { App }, chalk] = await notInCi(() =>
    Promise.all([import('react'), import('ink'), import('./app.js'), import('chalk')]),
  );
  if (!o.color) chalk.default.level = 0;
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    o.stdout.write(LEAVE);
  };
  // an exit that bypasses the finally below (process.exit elsewhere, a fatal error) still restores the screen
  process.once('exit', leave);
  o.stdout.write(ENTER);
  let ended: DashboardEnd = 'stopped';
  try {
    const app = render(
      createElement(App, {
        source,
        onQuit: (how) => {
          ended = how;
          app.unmount();
        },
      }),
      {
        stdin: o.stdin,
        stdout: o.stdout,
        exitOnCtrlC: false,
        patchConsole: true,
        maxFps: 8,
        incrementalRendering: false,
      },
    );
    void o.stop?.then(() => app.unmount());
    await app.waitUntilExit();
    return ended;
  } finally {
    leave();
    process.off('exit', leave);
  }
}

/**
 * Runs `load` with CI and CONTINUOUS_INTEGRATION unset. ink decides when first loaded whether it runs in CI
 * (from those variables) and then draws only the last frame, at exit; the dashboard only runs with a
 * terminal at both ends, which is a person watching even when the variables are set (a CI job's shell, a
 * test in tmux).
 */
async function notInCi<T>(load: () => Promise<T>): Promise<T> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  for (const name of Object.keys(saved)) if (process.env[name] !== undefined) process.env[name] = 'false';
  try {
    return await load();
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}
