// The registry served by the embedded broker: `startBroker({registryPort})`, persistence in the data dir
// across a restart, and `evt broker --registry-port` as a user runs it.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker/broker.js';
import { tempDir } from '../helpers/broker.js';
import { EVT_BIN } from '../helpers/spawn.js';
import { call, V1, V2_WITH_DEFAULT } from './helpers.js';

const running: RunningBroker[] = [];
afterEach(async () => {
  for (const b of running.splice(0)) await b.close();
});

async function start(options: Parameters<typeof startBroker>[0]): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, ...options });
  running.push(b);
  return b;
}

it('serves no registry unless asked', async () => {
  const b = await start({ inMemory: true });
  expect(b.registryUrl).toBeUndefined();
});

it('serves the registry on a free port and closes it with the broker', async () => {
  const b = await start({ inMemory: true, registryPort: 0 });
  expect(b.registryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const url = b.registryUrl!;
  expect((await call(url, 'POST', '/subjects/t-value/versions', { schema: V1 })).body).toEqual({ id: 1 });
  expect((await call(url, 'GET', '/subjects')).body).toEqual(['t-value']);
  await b.close();
  await expect(fetch(url + '/subjects')).rejects.toThrow();
});

it('keeps subjects, ids, versions, deletes and config across a restart with a data dir', async () => {
  const dataDir = tempDir();
  let b = await start({ dataDir, registryPort: 0 });
  let url = b.registryUrl!;
  await call(url, 'POST', '/subjects/a/versions', { schema: V1 });
  await call(url, 'POST', '/subjects/a/versions', { schema: V2_WITH_DEFAULT });
  await call(url, 'POST', '/subjects/b/versions', { schema: V1 });
  await call(url, 'PUT', '/config', { compatibility: 'FULL' });
  await call(url, 'PUT', '/config/a', { compatibility: 'NONE' });
  await call(url, 'DELETE', '/subjects/b');
  expect(fs.existsSync(path.join(dataDir, 'registry.json'))).toBe(true);
  await b.close();
  running.splice(0);

  b = await start({ dataDir, registryPort: 0 });
  url = b.registryUrl!;
  expect((await call(url, 'GET', '/subjects')).body).toEqual(['a']);
  expect((await call(url, 'GET', '/subjects?deleted=true')).body).toEqual(['a', 'b']);
  expect((await call(url, 'GET', '/subjects/a/versions')).body).toEqual([1, 2]);
  expect((await call(url, 'GET', '/subjects/a/versions/latest')).body).toMatchObject({ version: 2, id: 2 });
  expect((await call(url, 'GET', '/schemas/ids/1')).status).toBe(200);
  expect((await call(url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });
  expect((await call(url, 'GET', '/config/a')).body).toEqual({ compatibilityLevel: 'NONE' });
  // ids continue after the restart, and identical schemas keep theirs
  expect((await call(url, 'POST', '/subjects/c/versions', { schema: V2_WITH_DEFAULT })).body).toEqual({ id: 2 });
  expect((await call(url, 'POST', '/subjects/a/versions', { schema: '"string"' })).body).toEqual({ id: 3 }); // a is NONE
  expect((await call(url, 'POST', '/subjects/c/versions', { schema: '"string"' })).body.error_code).toBe(409); // global FULL
});

it('keeps nothing on disk for an in-memory broker', async () => {
  const b = await start({ inMemory: true, registryPort: 0 });
  await call(b.registryUrl!, 'POST', '/subjects/a/versions', { schema: V1 });
  await b.close();
  running.splice(0);
  const again = await start({ inMemory: true, registryPort: 0 });
  expect((await call(again.registryUrl!, 'GET', '/subjects')).body).toEqual([]);
});

it('refuses to start on a damaged registry file rather than dropping it', async () => {
  const dataDir = tempDir();
  fs.writeFileSync(path.join(dataDir, 'registry.json'), '{not json');
  await expect(startBroker({ port: 0, dataDir, registryPort: 0 })).rejects.toThrow(/registry\.json/);
  // the broker's own port was released: a normal start works
  await start({ dataDir });
});

function spawnEvt(args: string[]) {
  const proc = spawn(process.execPath, [EVT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const line = new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout }).once('line', resolve);
    void exited.then((code) => reject(new Error(`evt exited with ${code}`)));
  });
  return { proc, line, exited };
}

it('`evt broker --registry-port 0` prints the registry URL on its line and in --json', async () => {
  const human = spawnEvt(['broker', '--port', '0', '--in-memory', '--registry-port', '0']);
  const text = await human.line;
  expect(text).toMatch(
    /^evt broker listening on 127\.0\.0\.1:\d+ \(in memory, fsync never\), schema registry on http:\/\/127\.0\.0\.1:\d+$/,
  );
  const url = /schema registry on (\S+)$/.exec(text)![1];
  expect((await call(url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  human.proc.kill('SIGTERM');
  expect(await human.exited).toBe(0);

  const json = spawnEvt(['--json', 'broker', '--port', '0', '--in-memory', '--registry-port', '0']);
  const info = JSON.parse(await json.line) as { registry: string; bootstrap: string };
  expect(info.registry).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect((await call(info.registry, 'POST', '/subjects/x/versions', { schema: V1 })).body).toEqual({ id: 1 });
  json.proc.kill('SIGTERM');
  expect(await json.exited).toBe(0);
});

it('`evt broker --registry-port` in use fails with one clear line', async () => {
  const b = await start({ inMemory: true, registryPort: 0 });
  const port = new URL(b.registryUrl!).port;
  const evt = spawnEvt(['broker', '--port', '0', '--in-memory', '--registry-port', port]);
  let stderr = '';
  evt.proc.stderr.on('data', (d) => (stderr += d));
  evt.line.catch(() => {});
  expect(await evt.exited).toBe(1);
  expect(stderr).toMatch(/--registry-port/);
});
