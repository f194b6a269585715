#!/usr/bin/env node
// Entry point: runs the bundled CLI (dist/bundle/, see scripts/bundle.js) and exits with its code once its
// output is flushed, so that no client library's leftover timer or socket keeps a finished command alive.
// `evt --version` alone is answered without loading the CLI at all, because scripts call it often and
// start-up time is most of its cost. This file is CommonJS (bin/package.json says so): Node's ES module loader
// costs a few milliseconds more to start, on every command.
//
// The CLI's code is compiled with V8's code cache, which Node 20 does not offer for modules (Node 22's
// module.enableCompileCache is the same idea): a run writes what it compiled to $XDG_CACHE_HOME/evt
// (~/.cache/evt), and later runs of the same command deserialize it instead of parsing. EVT_NO_COMPILE_CACHE=1
// (or Node's NODE_DISABLE_COMPILE_CACHE=1) turns it off; a cache that cannot be read or written is not used.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const args = process.argv.slice(2);
const bundleDir = path.join(__dirname, '..', 'dist', 'bundle');

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(pkg.version + '\n');
} else {
  const cli = chunkLoader(bundleDir, args);
  cli.main().then((code) => {
    cli.saveCaches();
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}

/**
 * Loads the CLI (see scripts/bundle.js): CommonJS chunks kept in packs, each pack compiled with V8's code cache
 * when there is one, the first time one of its chunks is needed; a chunk runs when it is first required, as
 * Node's own loader would run a file. dist/bundle/cli.json names the entry chunk, each chunk's pack, each
 * pack's cache id and the words that name commands.
 */
function chunkLoader(dir, argv) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cli.json'), 'utf8'));
  const cacheDir = cacheDirectory();
  // Each kind of run (its command words: `topics list`, `produce`) keeps a cache per pack of what it compiled:
  // one cache shared by all would hold every command's functions, and deserializing them all costs a command
  // more than it saves (topics list took 5% longer with a cache that also held produce's, tail's and trace's)
  const words = new Set(manifest.words);
  const run =
    argv
      .filter((word) => words.has(word))
      .slice(0, 2)
      .join('-') || 'none';
  const nodeRequire = Module.createRequire(path.join(dir, manifest.main));
  const dirUrl = pathToFileURL(dir + path.sep);
  const packs = new Map();
  const modules = new Map();

  const chunkOf = (specifier) => {
    const name = specifier.startsWith('./') ? specifier.slice(2) : undefined;
    return name !== undefined && Object.hasOwn(manifest.chunks, name) ? name : undefined;
  };
  const chunkRequire = (specifier) => {
    const name = chunkOf(specifier);
    return name === undefined ? nodeRequire(specifier) : load(name);
  };
  chunkRequire.resolve = nodeRequire.resolve;
  // a chunk's import() of another chunk loads it here; the rest (ink, react, the dashboard's app next to the
  // chunks, a view's file) are Node's own import()
  const chunkImport = (specifier) => {
    const name = chunkOf(specifier);
    if (name !== undefined) return new Promise((resolve) => resolve(load(name)));
    return import(specifier.startsWith('.') ? new URL(specifier, dirUrl).href : specifier);
  };

  function pack(name) {
    let known = packs.get(name);
    if (known) return known.chunks;
    const file = path.join(dir, name);
    // the packs are ASCII (esbuild escapes the rest), so latin1 reads them without a UTF-8 decoding pass
    const source = fs.readFileSync(file, 'latin1');
    const cacheFile =
      cacheDir && path.join(cacheDir, `${manifest.ids[name]}-${process.version}-${process.arch}-${run}.v8cache`);
    let cachedData;
    try {
      if (cacheFile) cachedData = fs.readFileSync(cacheFile);
    } catch {
      // no cache yet: this run writes it
    }
    const script = new vm.Script(source, { filename: file, cachedData });
    const cached = cachedData !== undefined && !script.cachedDataRejected;
    known = { script, cacheFile, cached, chunks: script.runInThisContext() };
    packs.set(name, known);
    return known.chunks;
  }

  function load(name) {
    const known = modules.get(name);
    if (known) return known.exports;
    const file = path.join(dir, name);
    const chunkModule = { exports: {}, filename: file, id: file, loaded: false };
    modules.set(name, chunkModule);
    const chunk = pack(manifest.chunks[name])[name];
    // (chunk names need no escaping in a URL)
    chunk(chunkModule.exports, chunkRequire, chunkModule, file, dir, chunkImport, dirUrl.href + name);
    chunkModule.loaded = true;
    return chunkModule.exports;
  }

  return {
    main: () => load(manifest.main).main(argv),
    /**
     * After the command: each pack that had no cache for this kind of run (or one V8 rejected) gets one
     * holding what the run compiled, so that the next run of the same kind compiles nothing.
     */
    saveCaches() {
      let wrote = false;
      for (const { script, cacheFile, cached } of packs.values()) {
        if (!cacheFile || cached) continue;
        try {
          fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
          const partial = `${cacheFile}.${process.pid}`;
          fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
          fs.renameSync(partial, cacheFile);
          wrote = true;
        } catch {
          // a read-only home, a full disk: the next run compiles again
        }
      }
      if (wrote) pruneOtherBuilds(cacheDir, new Set(Object.values(manifest.ids)));
    },
  };
}

/**
 * Builds come and go (an upgrade, a rebuild in a checkout): beside this build's caches, those of the two other
 * builds written last are kept (a global install and a checkout side by side keep theirs), older ones deleted.
 */
function pruneOtherBuilds(cacheDir, current) {
  const OTHER_BUILDS_KEPT = 2;
  try {
    const builds = new Map();
    for (const file of fs.readdirSync(cacheDir)) {
      const id = /^([0-9a-f]{16})-.*\.v8cache$/.exec(file)?.[1];
      if (!id || current.has(id)) continue;
      const written = fs.statSync(path.join(cacheDir, file)).mtimeMs;
      const build = builds.get(id) ?? { written: 0, files: [] };
      build.written = Math.max(build.written, written);
      build.files.push(file);
      builds.set(id, build);
    }
    const stale = [...builds.values()].sort((a, b) => b.written - a.written).slice(OTHER_BUILDS_KEPT);
    for (const { files } of stale) for (const file of files) fs.rmSync(path.join(cacheDir, file), { force: true });
  } catch {
    // another evt pruning at the same moment, the directory gone: the next write prunes again
  }
}

/** Where compiled code is kept for this user, or undefined when caching is off. */
function cacheDirectory() {
  const env = process.env;
  if (env.EVT_NO_COMPILE_CACHE === '1' || env.NODE_DISABLE_COMPILE_CACHE === '1') return undefined;
  // per user, never the shared temporary directory: cached code is code that this process will run
  const base = env.XDG_CACHE_HOME || (os.homedir() && path.join(os.homedir(), '.cache'));
  return base ? path.join(base, 'evt') : undefined;
}
