#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (run by `npm run build`, after tsc); bin/evt.js loads it.
//
// Start-up is most of what an everyday command costs. Node 20 has no compile cache, and its ESM loader
// resolves, reads, compiles and links one file at a time: split into ~40 chunks, `evt tail t -n 1` spent about
// 110 ms loading before its first connection. So bin/evt.js runs the CLI as CommonJS, compiled through
// vm.Script with V8's code cache (see bin/evt.js): a warm start deserializes compiled code instead of parsing.
//
// The CLI is split where it imports its own modules lazily, as ES module chunks (esbuild splits only those),
// each turned into CommonJS here; the chunks are then kept in two packs, files of chunk functions that
// bin/evt.js compiles as one script each: `cli-core.cjs` (the entry, the client, the everyday commands) and
// `cli-more.cjs` (the broker, the workflow, flows, trace, views, the dashboard: half of evt's code, which no
// everyday command runs, and which was read and decoded at every start while the CLI was one file). A chunk's
// code runs when it is first required, and a module shared by several chunks is one copy (one class for
// `instanceof`). The chunks, their packs and each pack's cache id are listed in dist/bundle/cli.json.
// EVT_BUNDLE_META=file writes esbuild's metafile of the split (what each chunk holds) for a look at sizes.
//
// Three things cannot live in a CommonJS file and are built apart, as ES modules:
// - the dashboard's React app (`tui-app.js`): ink is an ES module with top-level await, which `require`
//   cannot load; src/tui/run.ts imports './app.js' dynamically, which is redirected here to this bundle;
// - the format worker (`format-worker.js`): a thread's entry, found next to the chunks by
//   new URL('./format-worker.js', import.meta.url);
// - packages: they stay in node_modules (a native addon, ink, react), except commander and chalk: bundled,
//   they cost no package resolution, and chalk (ESM only) becomes requirable.
// The two ESM bundles carry their own copies of the few evt modules they use (rendering, the clock,
// formatting), which hold no state shared with the CLI.

import crypto from 'node:crypto';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { build, transform } from 'esbuild';

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

// Built as ES modules split into chunks (esbuild splits only ES modules), then each chunk turned into
// CommonJS below: every lazy `import()` of evt's own modules is a chunk of its own, so a command reads and
// compiles only the chunks its action reaches (the broker, the workflow, views, flows and the dashboard are
// half of evt's code and no everyday command runs them), and a module shared by several chunks is one copy.
const cli = await build({
  ...common,
  metafile: true,
  write: false,
  entryPoints: { evt: 'commands/main.ts' },
  outdir: 'dist/bundle',
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.cjs' },
  format: 'esm',
  splitting: true,
  external: packages.filter((name) => name !== 'commander' && name !== 'chalk'),
  // import.meta.url (createRequire, the worker's URL, the package root) as the chunk's own file URL, which
  // bin/evt.js passes in (every chunk lies next to the others, the worker and the dashboard's app)
  define: { 'import.meta.url': '__evtModuleUrl' },
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
 * The chunks' `import()` calls (of other chunks, and of ink, react, yaml, the dashboard's app, a view's file)
 * become calls of `__evtImport`, which bin/evt.js passes in: it loads a chunk the way it loads the first one,
 * and a script compiled from V8's code cache has lost what Node needs to run an import() itself (Node 20-24
 * answer "A dynamic import callback was not specified"). The replacement is checked against esbuild's own list
 * of the dynamic imports it left in, so that no `import(` inside a string is touched unnoticed.
 */
const COMPUTED_IMPORTS = 1; // import(expression), which esbuild does not list: a view's file (src/views/custom.ts)
const entry = Object.entries(cli.metafile.outputs).find(([, output]) => output.entryPoint === 'commands/main.ts');
/** The chunks every command loads: the entry and what it imports statically, through every level. */
const startsWithMain = new Set();
for (const pending = [entry[0]]; pending.length > 0;) {
  const file = pending.pop();
  if (startsWithMain.has(file)) continue;
  startsWithMain.add(file);
  for (const i of cli.metafile.outputs[file].imports)
    if (i.kind === 'import-statement' && !i.external) pending.push(i.path);
}

/**
 * Which pack a chunk goes in: `cli-more.cjs` holds the chunks made only of modules that no everyday command
 * runs (the broker and its registry, the workflow, flows, trace, views, the dashboard), but never one the
 * entry imports statically (every command loads those), and `cli-core.cjs` the rest. A pack is one file of chunks (one read, one compile from one code cache; a chunk's code runs when it is
 * first required), because a file each costs more than it saves: `topics list` reached 38 chunks.
 */
const MORE = /^src\/(broker|registry|workflow|flow|trace|views|tui)\//;
function packOf(file) {
  if (startsWithMain.has(file)) return 'cli-core.cjs';
  const output = cli.metafile.outputs[file];
  // an import() of such a module (the broker's chunk holds the record formats only it writes, too), or
  // code shared by such modules alone
  if (output.entryPoint && MORE.test(output.entryPoint)) return 'cli-more.cjs';
  const modules = Object.keys(output.inputs).filter((input) => !input.startsWith('builtin:'));
  return modules.length > 0 && modules.every((input) => MORE.test(input)) ? 'cli-more.cjs' : 'cli-core.cjs';
}

const TO_COMMONJS = 'module.exports = __toCommonJS(stdin_exports);';
const AS_THEY_ARE = 'module.exports = __defProp(stdin_exports, "__esModule", { value: true });';

const expectedImports = Object.values(cli.metafile.outputs)
  .flatMap((output) => output.imports)
  .filter((i) => i.kind === 'dynamic-import').length;
let routedImports = 0;
const packs = { 'cli-core.cjs': [], 'cli-more.cjs': [] };
const chunks = {};
for (const output of cli.outputFiles) {
  const name = path.basename(output.path);
  // bin/evt.js makes a chunk's URL by appending its name to the directory's
  if (!/^[\w-]+\.cjs$/.test(name)) throw new Error(`bundle: a chunk name that needs escaping in a URL: ${name}`);
  // ES module to CommonJS: a static import of another chunk becomes a require() of it
  const { code } = await transform(output.text, { format: 'cjs', target: 'node20', loader: 'js' });
  // a chunk's exports object is already made of getters (live bindings): it is handed out as it is rather
  // than copied getter by getter into another one, as esbuild's __toCommonJS does (a few milliseconds of
  // start-up over the chunks of a command)
  const exportsAsTheyAre = code.split(TO_COMMONJS).join(AS_THEY_ARE);
  // whitespace and syntax minified (names kept, for stack traces): a quarter less to read at every start
  const minified = (await transform(exportsAsTheyAre, { loader: 'js', minifyWhitespace: true, minifySyntax: true }))
    .code;
  const routed = minified.replace(/(?<![\w$.])import\(/g, () => {
    routedImports++;
    return '__evtImport(';
  });
  const file = path.relative(common.absWorkingDir, output.path);
  const pack = packOf(file);
  chunks[name] = pack;
  // Node's CommonJS wrapper, plus the chunk's import() and its import.meta.url
  packs[pack].push(
    `${JSON.stringify(name)}: function (exports, require, module, __filename, __dirname, __evtImport, __evtModuleUrl) {${routed}\n}`,
  );
}
if (routedImports !== expectedImports + COMPUTED_IMPORTS) {
  throw new Error(
    `bundle: esbuild lists ${expectedImports} dynamic imports (+${COMPUTED_IMPORTS} computed) but the chunks have ` +
      `${routedImports}: a new computed import() (update COMPUTED_IMPORTS) or "import(" in a string (reword it)`,
  );
}
const ids = {};
for (const [pack, bodies] of Object.entries(packs)) {
  const source = `({\n${bodies.join(',\n')}\n})`;
  fs.writeFileSync(new URL(pack, outdir), source, 'latin1');
  // V8 checks a code cache only against its source's length: the content hash keeps builds apart
  ids[pack] = crypto.createHash('sha256').update(source).digest('hex').slice(0, 16);
}
// The words that name commands and subcommands (`topics`, `list`): bin/evt.js tells runs apart by them, for
// the code cache (a run of `topics list` compiles other functions than one of `produce`)
const words = new Set();
for (const file of fs.readdirSync(new URL('commands/', root))) {
  const text = fs.readFileSync(new URL(`commands/${file}`, root), 'utf8');
  for (const [, word] of text.matchAll(/\.command\('([a-z][a-z-]*)/g)) words.add(word);
}
if (process.env.EVT_BUNDLE_META) fs.writeFileSync(process.env.EVT_BUNDLE_META, JSON.stringify(cli.metafile));
// what bin/evt.js reads first: the entry chunk, the pack of each chunk, each pack's cache id, the words
const manifest = { main: path.basename(entry[0]), chunks, ids, words: [...words].sort() };
fs.writeFileSync(new URL('cli.json', outdir), JSON.stringify(manifest) + '\n');
