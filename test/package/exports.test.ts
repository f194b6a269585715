// The package as another project sees it (after `npm test`'s build): `evt/broker` resolves, at run time and
// for the type checker, to the embeddable broker, and nothing deeper is reachable.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** A project next to nothing of evt's but a node_modules/evt link to this package (as an install makes). */
let consumer: string;

beforeAll(() => {
  consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-consumer-'));
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  fs.mkdirSync(path.join(consumer, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(consumer, 'node_modules', 'evt'), 'dir');
});

afterAll(() => {
  fs.rmSync(consumer, { recursive: true, force: true });
});

/** Writes `file` into the consumer project and type-checks it as a strict NodeNext project would (emitting
 * JavaScript next to it when `emit`); returns what tsc printed, '' when it passed. */
function compileInConsumer(file: string, source: string, emit: boolean): string {
  fs.writeFileSync(path.join(consumer, file), source);
  const options = '--strict --target es2022 --module nodenext --moduleResolution nodenext --types node';
  const typeRoots = path.join(ROOT, 'node_modules', '@types');
  const args = [TSC, ...options.split(' '), '--typeRoots', typeRoots, ...(emit ? [] : ['--noEmit']), file];
  const r = spawnSync(process.execPath, args, { cwd: consumer, encoding: 'utf8' });
  return r.stdout + r.stderr + (r.status === 0 ? '' : `exit ${r.status}`);
}

describe('package exports', () => {
  it('evt/broker starts and closes an in-memory broker; deep imports are not exported', () => {
    const script = [
      "import { startBroker } from 'evt/broker';",
      'const broker = await startBroker({ port: 0, inMemory: true });',
      'console.log(broker.bootstrap);',
      'await broker.close();',
      "await import('evt/dist/src/broker/broker.js').catch((e) => console.log(e.code));",
    ].join('\n');
    fs.writeFileSync(path.join(consumer, 'run.mjs'), script);
    const out = execFileSync(process.execPath, ['run.mjs'], { cwd: consumer, encoding: 'utf8' }).trim().split('\n');
    expect(out[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(out[1]).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('evt/testing starts a seeded broker, injects a fault and reads records back; its types check', () => {
    const source = [
      "import { startBroker, type TestBroker } from 'evt/testing';",
      "const broker: TestBroker = await startBroker({ topics: { orders: { partitions: 2, records: [{ value: 'v' }] } } });",
      "const fault = broker.fail({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', count: 2 });",
      'const fired: number = fault.fired;',
      "console.log(broker.bootstrap, broker.brokers.length, broker.records('orders').length, fired);",
      'try {',
      '  // @ts-expect-error: errors are Kafka names or codes',
      "  broker.fail({ api: 'Produce', error: 'NOT_AN_ERROR' });",
      '} catch (err) {',
      '  console.log((err as Error).message);',
      '}',
      'await broker.close();',
    ].join('\n');
    expect(compileInConsumer('testing.ts', source, true)).toBe('');
    const out = execFileSync(process.execPath, ['testing.js'], { cwd: consumer, encoding: 'utf8' }).trim();
    expect(out.split('\n')[0]).toMatch(/^127\.0\.0\.1:\d+ 1 1 0$/);
    expect(out.split('\n')[1]).toBe('fail: unknown error NOT_AN_ERROR');
  });

  it('evt/broker has type declarations that a strict NodeNext project checks against', () => {
    const source = [
      "import { startBroker, type BrokerOptions, type RunningBroker } from 'evt/broker';",
      'const options: BrokerOptions = { port: 0, inMemory: true, registryPort: 0 };',
      'const broker: RunningBroker = await startBroker(options);',
      'const bootstrap: string = broker.bootstrap;',
      'const registry: string | undefined = broker.registryUrl;',
      'await broker.close();',
      '// @ts-expect-error: a port is a number',
      "await startBroker({ port: '9092' });",
      'export { bootstrap, registry };',
    ].join('\n');
    expect(compileInConsumer('consumer.ts', source, false)).toBe('');
  });
});
