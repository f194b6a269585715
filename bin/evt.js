#!/usr/bin/env node
// Entry point: runs the bundled CLI (dist/bundle/evt.cjs, see scripts/bundle.js) and exits with its code once
// its output is flushed, so that no client library's leftover timer or socket keeps a finished command alive.
// `evt --version` alone is answered without loading the CLI at all, because scripts call it often and
// start-up time is most of its cost.
//
// The bundle is compiled with V8's code cache, which Node 20 does not offer for modules (Node 22's
// module.enableCompileCache is the same idea): the first run of a build writes the compiled code to
// $XDG_CACHE_HOME/evt (~/.cache/evt), and later runs deserialize it instead of parsing 1.2 MB of JavaScript.
// EVT_NO_COMPILE_CACHE=1 (or Node's NODE_DISABLE_COMPILE_CACHE=1) turns it off; a cache that cannot be read
// or written is simply not used.
import fs from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const args = process.argv.slice(2);
const bundleDir = fileURLToPath(new URL('../dist/bundle/', import.meta.url));

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(pkg.version + '\n');
} else {
  const { main, saveCache } = loadBundle(path.join(bundleDir, 'evt.cjs'));
  const code = await main(args);
  saveCache();
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/** Compiles and runs the CommonJS bundle as Node's own loader would, with V8's code cache when there is one. */
function loadBundle(file) {
  // the bundle is ASCII (esbuild escapes the rest), so latin1 reads it without a UTF-8 decoding pass
  const source = fs.readFileSync(file, 'latin1');
  const cacheFile = cachePath(file);
  let cachedData;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet: this run writes it
  }
  // Node's CommonJS wrapper, and the bundle's import() (see scripts/bundle.js) as this module's own, with
  // the bundle's relative specifiers (the dashboard's app) resolved next to the bundle
  const wrapped = `(function (exports, require, module, __filename, __dirname, __evtImport) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const bundleUrl = pathToFileURL(file);
  const evtImport = (specifier) => import(specifier.startsWith('.') ? new URL(specifier, bundleUrl).href : specifier);
  const bundleModule = { exports: {}, filename: file, id: file, loaded: false };
  const require = module.createRequire(file);
  script.runInThisContext()(bundleModule.exports, require, bundleModule, file, path.dirname(file), evtImport);
  return {
    main: bundleModule.exports.main,
    /** After the command: the cache holds what it compiled, so a run of the same command compiles nothing. */
    saveCache() {
      if (!cacheFile || (cachedData && !script.cachedDataRejected)) return;
      try {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
        const partial = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(partial, cacheFile);
      } catch {
        // a read-only home, a full disk: the next run compiles again
      }
    },
  };
}

/** The cache file for this build of the bundle on this Node and CPU, or undefined when caching is off. */
function cachePath(file) {
  const env = process.env;
  if (env.EVT_NO_COMPILE_CACHE === '1' || env.NODE_DISABLE_COMPILE_CACHE === '1') return undefined;
  let id;
  try {
    // V8 checks a cache against the source's length only: the build's content hash keeps builds apart
    id = fs.readFileSync(`${file}.id`, 'utf8').trim();
  } catch {
    return undefined;
  }
  // per user, never the shared temporary directory: cached code is code that this process will run
  const base = env.XDG_CACHE_HOME || (os.homedir() && path.join(os.homedir(), '.cache'));
  if (!base) return undefined;
  return path.join(base, 'evt', `${id}-${process.version}-${process.arch}.v8cache`);
}
