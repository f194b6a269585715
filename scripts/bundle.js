#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (run by `npm run build`, after tsc); bin/evt.js loads it.
//
// Start-up is most of what an everyday command costs. Node 20 has no compile cache, and its ESM loader
// resolves, reads, compiles and links one file at a time: split into ~40 chunks, `evt tail t -n 1` spent about
// 110 ms loading before its first connection. So the CLI is one CommonJS file, `evt.cjs`, which bin/evt.js
// compiles through vm.Script with V8's code cache (see bin/evt.js): a warm start deserializes compiled code
// instead of parsing. Inside it, each `await import()` of evt's own modules becomes a lazily run module
// initializer, so a command still runs only the code its action needs.
//
// Three things cannot live in a CommonJS file and are built apart, as ES modules:
// - the dashboard's React app (`tui-app.js`): ink is an ES module with top-level await, which `require`
//   cannot load; src/tui/run.ts imports './app.js' dynamically, which is redirected here to this bundle;
// - the format worker (`format-worker.js`): a thread's entry, found next to the bundle by
//   new URL('./format-worker.js', import.meta.url);
// - packages: they stay in node_modules (a native addon, ink, react), except commander and chalk, which
//   every command loads: bundled, they cost no package resolution, and chalk (ESM only) becomes requirable.
// The two ESM bundles carry their own copies of the few evt modules they use (rendering, the clock,
// formatting), which hold no state shared with the CLI.

import crypto from 'node:crypto';
import fs from 'node:fs';
import module from 'node:module';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8'));
const outdir = new URL('dist/bundle/', root);
fs.rmSync(outdir, { recursive: true, force: true });

/**
 * Node's built-in modules through `require`, and the heavy ones on first use. A module's imports run when it
 * is initialised, whether the command takes the code path that uses them or not: `topics list` loaded crypto,
 * tls, http, readline and child_process (about 60 internal modules) for paths it never takes (SCRAM, TLS, the
 * registry, `topics delete`'s confirmation). esbuild reads a CommonJS module's named imports as property reads
 * where they are used, so the heavy built-ins below are modules whose exports are getters that require the
 * real module on first use; the others are plain requires.
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
    // a dynamic `await import('node:fs')` stays Node's own import(): it runs only when reached anyway
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

/** src/tui/run.ts's `import('./app.js')` (and its `import('chalk')`, which must be the app's chalk) stay imports. */
const tuiAppApart = {
  name: 'tui-app-apart',
  setup(b) {
    b.onResolve({ filter: /^(\.\/app\.js|chalk)$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith('src/tui/run.ts')
        ? { path: args.path === 'chalk' ? 'chalk' : './tui-app.js', external: true }
        : undefined,
    );
  },
};

const common = {
  absWorkingDir: new URL('.', root).pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [builtinsViaRequire],
};
const packages = Object.keys(pkg.dependencies);

const cli = await build({
  ...common,
  metafile: true,
  entryPoints: { evt: 'commands/main.ts' },
  outdir: 'dist/bundle',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  external: packages.filter((name) => name !== 'commander' && name !== 'chalk'),
  // import.meta.url (createRequire, the worker's URL, the package root) as the bundle's own file URL
  define: { 'import.meta.url': '__evtModuleUrl' },
  banner: { js: 'var __evtModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [builtinsViaRequire, tuiAppApart],
});

const esmRequireBanner = {
  js: "import { createRequire as __evtCreateRequire } from 'node:module';\nconst require = __evtCreateRequire(import.meta.url);",
};
await build({
  ...common,
  entryPoints: { 'tui-app': 'src/tui/app.tsx', 'format-worker': 'src/cli/tail/format-worker.ts' },
  outdir: 'dist/bundle',
  format: 'esm',
  external: packages,
  banner: esmRequireBanner,
});

/**
 * The bundle's own `import()` calls (ink, react, yaml, the dashboard's app, a view's file) become calls of
 * `__evtImport`, which bin/evt.js passes in: a script compiled from V8's code cache has lost what Node needs
 * to run an import() (Node 20-24 answer "A dynamic import callback was not specified"). The replacement is
 * checked against esbuild's own list of the dynamic imports it left in, so that no `import(` inside a string
 * is touched unnoticed.
 */
const COMPUTED_IMPORTS = 1; // import(expression), which esbuild does not list: a view's file (src/views/custom.ts)
function routeDynamicImports(code) {
  const expected = Object.values(cli.metafile.inputs)
    .flatMap((input) => input.imports)
    .filter((i) => i.kind === 'dynamic-import' && i.external).length;
  let found = 0;
  const routed = code.replace(/(?<![\w$.])import\(/g, () => {
    found++;
    return '__evtImport(';
  });
  if (found !== expected + COMPUTED_IMPORTS) {
    throw new Error(
      `bundle: esbuild lists ${expected} dynamic imports (+${COMPUTED_IMPORTS} computed) but evt.cjs has ${found}: ` +
        'a new computed import() (update COMPUTED_IMPORTS) or "import(" in a string (reword it)',
    );
  }
  return routed;
}
const cliFile = new URL('evt.cjs', outdir);
fs.writeFileSync(cliFile, routeDynamicImports(fs.readFileSync(cliFile, 'latin1')), 'latin1');

// The code cache is keyed by the bundle's content: V8 checks only a cache's length against the source.
const bundle = fs.readFileSync(cliFile);
fs.writeFileSync(new URL('evt.cjs.id', outdir), crypto.createHash('sha256').update(bundle).digest('hex').slice(0, 16));
