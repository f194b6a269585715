// What commands call to talk to the cluster: settings resolved from the command's globals and environment,
// an admin client connected within --timeout, kafkajs logging to the command's stderr.

import type { Command } from 'commander';
import type { CommandContext } from '../cli/io.js';
import type { AdminClient } from './admin.js';
import { withAdmin } from './connect.js';
import { optionSources, resolveSettings } from './profiles.js';
import type { ConnectionSettings } from './settings.js';

export function settingsFor(ctx: CommandContext, program?: Command, cwd = process.cwd()): ConnectionSettings {
  return resolveSettings(ctx.globals(), ctx.io.env, cwd, { optionSources: optionSources(program) });
}

export async function adminSession<T>(
  ctx: CommandContext,
  program: Command | undefined,
  fn: (admin: AdminClient, settings: ConnectionSettings) => Promise<T>,
  settings = settingsFor(ctx, program),
): Promise<T> {
  const g = ctx.globals();
  return withAdmin(settings, (admin) => fn(admin, settings), { verbose: g.verbose, log: (line) => ctx.io.stderr.write(line + '\n') });
}
