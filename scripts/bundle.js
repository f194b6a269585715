#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (run by `npm run build`, after tsc): bin/evt.js loads dist/bundle/main.js.
// Start-up is most of what an everyday command costs, and on Node 20 (no compile cache) most of start-up is
// Node's ESM loader resolving, reading and compiling one file per module: about 95 files for `topics list`
// from tsc's output, about 30 from the bundle. Code splitting keeps each `await import()` a chunk of its own,
// so a command still loads only what its action needs.
//
// Packages stay in node_modules (one native addon, ink's top-level await, and a static import of a package
// would be hoisted into the chunk that needs it anyway), except commander, which every command loads and
// which is CommonJS: bundled, it costs neither package resolution nor Node's CommonJS-to-ESM wrapping.
// The format worker is an entry of its own, next to the chunk that starts it (new URL('./format-worker.js')).

import fs from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8'));
const outdir = new URL('dist/bundle/', root);
fs.rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: new URL('.', root).pathname,
  entryPoints: { main: 'commands/main.ts', 'format-worker': 'src/cli/tail/format-worker.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: Object.keys(pkg.dependencies).filter((name) => name !== 'commander'),
  // commander's require('node:events') etc.: esbuild's ESM output calls `require`, which ESM lacks
  banner: {
    js: "import { createRequire as __evtCreateRequire } from 'node:module';\nconst require = __evtCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
