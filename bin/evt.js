#!/usr/bin/env node
// Entry point: runs the bundled CLI (dist/bundle/, see scripts/bundle.js) and exits with its code once its
// output is flushed, so that no client library's leftover timer or socket keeps a finished command alive.
// `evt --version` alone is answered without loading the CLI at all, because scripts call it often and
// start-up time is most of its cost.
import module from 'node:module';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version + '\n');
} else {
  // Node 22.1+ caches compiled modules between runs (in the OS's temporary directory); Node 20 has no such
  // cache and skips this.
  module.enableCompileCache?.();
  const { main } = await import('../dist/bundle/main.js');
  const code = await main(args);
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
