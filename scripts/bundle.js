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
import module from 'node:module';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8'));
const outdir = new URL('dist/bundle/', root);
fs.rmSync(outdir, { recursive: true, force: true });

/**
 * Node's built-in modules through `require` rather than `import`. Importing a built-in from ESM builds a module
 * namespace of all its exports, which runs every lazy getter (`node:util` loads parseArgs and MIME...), and a
 * chunk's imports all load before it runs, whether the command uses them or not: `topics list` loaded crypto,
 * tls, http, readline and child_process (about 60 internal modules) for code paths it never takes (SCRAM, TLS,
 * the registry, `topics delete`'s confirmation). esbuild reads a CommonJS module's named imports as property
 * reads where they are used, so the heavy built-ins below are modules whose exports are getters that require
 * the real module on first use; the others are plain requires.
 */
const LAZY_BUILTINS = new Set([
  'node:child_process',
  'node:crypto',
  'node:dgram',
  'node:http',
  'node:https',
  'node:perf_hooks',
  'node:readline',
  'node:readline/promises',
  'node:tls',
  'node:worker_threads',
  'node:zlib',
]);
const nodeRequire = module.createRequire(import.meta.url);

function builtinModule(name) {
  if (!LAZY_BUILTINS.has(name)) return `module.exports = require(${JSON.stringify(name)});`;
  // the names as this Node has them; any the sources use are typed against Node 20's, the oldest supported
  const names = Object.keys(nodeRequire(name)).filter((key) => key !== 'default');
  return [
    'let loaded;',
    `const load = () => (loaded ??= require(${JSON.stringify(name)}));`,
    `for (const key of ${JSON.stringify(names)})`,
    '  Object.defineProperty(module.exports, key, { enumerable: true, get: () => load()[key] });',
  ].join('\n');
}

const builtinsViaRequire = {
  name: 'builtins-via-require',
  setup(b) {
    // the require() inside a builtin: module is Node's own; commander's own requires stay plain, but for the
    // lazy ones (it requires child_process for subcommands run as executables, which evt has none of)
    // an `await import('node:fs')` stays Node's own dynamic import: it runs when reached already, and
    // esbuild's namespace for a CommonJS stand-in lacked the named exports (`evt trace` failed on existsSync)
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'builtin' ||
      args.kind === 'dynamic-import' ||
      (args.kind === 'require-call' && !LAZY_BUILTINS.has(args.path))
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: builtinModule(args.path), loader: 'js' }));
  },
};

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
  plugins: [builtinsViaRequire],
  legalComments: 'none',
  logLevel: 'warning',
});
