// --compression on the bundled workflow: `evt simulate --compression X` makes every service and the load
// generator write batches of codec X (read raw from the broker, not decoded), in process and in `evt worker`
// child processes (--processes: the codec reaches them with the rest of the workflow's configuration), and
// the run's invariants, checked on the records read back, still hold; `evt demo --compression` likewise. Against an in-process broker with its
// registry, so that the batches can be inspected after the run.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { workflowConfig, type ServiceFlags } from '../../src/cli/workflow/session.js';
import { WORKER_CONFIG_ENV } from '../../src/workflow/runtime/hosts.js';
import { startTestBroker } from '../helpers/broker.js';
import { runInProcess } from '../helpers/cli.js';
import { storedCodecs } from '../helpers/stored-codecs.js';

interface Summary {
  ok: boolean;
  violations: unknown[];
  poisonSent: number;
  topics: { workflow: string[]; deadLetters: Record<string, string> };
  deadLetters: Record<string, number>;
}

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startTestBroker({ registryPort: 0 });
});
afterAll(async () => broker?.close());

/** evt --json against the test broker and its registry; exit 0 */
async function evtJson(args: string[]): Promise<Summary> {
  const r = await runInProcess(['--brokers', broker.bootstrap, '--registry', broker.registryUrl!, '--json', ...args], {
    timeoutMs: 120_000,
  });
  expect(r.code, r.stderr).toBe(0);
  const s = JSON.parse(r.stdout) as Summary;
  expect(s.violations).toEqual([]);
  return s;
}

async function simulate(prefix: string, ...extra: string[]): Promise<Summary> {
  const s = await evtJson([
    'simulate',
    '-n',
    '60',
    '-r',
    '120/s',
    '--poison-rate',
    '0.05',
    '--order-timeout',
    '30s',
    `--prefix=${prefix}`,
    ...extra,
  ]);
  expect(s.ok).toBe(true);
  return s;
}

/** Every workflow topic, and the orders service's dead letters, holds batches of `codec` only. */
async function expectCodec(s: Summary, codec: string): Promise<void> {
  expect(s.topics.workflow).toHaveLength(7);
  // the poison records the load sends end up in the orders service's dead letters, written by orders
  expect(s.poisonSent).toBeGreaterThan(0);
  expect(s.deadLetters).toEqual({ orders: s.poisonSent });
  for (const topic of [...s.topics.workflow, s.topics.deadLetters.orders])
    expect(await storedCodecs(broker.bootstrap, topic), topic).toEqual([codec]);
}

describe('evt simulate --compression', () => {
  for (const codec of ['zstd', 'snappy']) {
    it(`${codec}: every topic's batches are ${codec}, and the invariants hold on what is read back`, async () => {
      const s = await simulate(`${codec}.`, '--compression', codec);
      await expectCodec(s, codec);
    }, 150_000);
  }

  it('without the option the batches are not compressed', async () => {
    const s = await simulate('plain.');
    await expectCodec(s, 'none');
  }, 150_000);

  // every service but basket (the load, in this process) runs as an `evt worker` process: the topics they
  // write are lz4 only if the children were handed the codec
  it('--processes: the evt worker children write lz4 batches too', async () => {
    const s = await simulate('lz4.', '--compression', 'lz4', '--processes');
    await expectCodec(s, 'lz4');
  }, 150_000);

  it('evt demo --compression gzip on a given cluster: gzip batches', async () => {
    const s = await evtJson([
      'demo',
      '--duration',
      '2s',
      '--rate',
      '30/s',
      '--no-fault',
      '--prefix=demo.',
      '--compression',
      'gzip',
    ]);
    expect(s.topics.workflow).toHaveLength(7);
    for (const topic of s.topics.workflow) expect(await storedCodecs(broker.bootstrap, topic), topic).toEqual(['gzip']);
  }, 90_000);

  it('refuses an unknown codec with one line and exit 2', async () => {
    for (const args of [
      ['simulate', '--embedded', '--compression', 'brotli'],
      ['--brokers', '127.0.0.1:1', 'worker', 'payments', '--compression', 'brotli'],
      ['demo', '--compression', 'brotli'],
    ]) {
      const r = await runInProcess(args, { env: { EVT_REGISTRY: '' } });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^evt: .*--compression.*brotli.*none, gzip, snappy, lz4, zstd/);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});

describe("a worker's codec", () => {
  const flags: ServiceFlags = {
    seed: '42',
    declineRate: '0.05',
    fraudLimit: '400',
    shipFailRate: '0.02',
    orderTimeout: '5s',
    partitions: '3',
    compression: 'none',
  };
  const inherited = { [WORKER_CONFIG_ENV]: JSON.stringify({ compression: 'zstd' }) };

  it("is the simulation's when it is given none of its own", async () => {
    expect((await workflowConfig(flags, inherited, () => false)).compression).toBe('zstd');
  });

  it('is --compression when given, over the inherited one', async () => {
    const config = await workflowConfig({ ...flags, compression: 'gzip' }, inherited, (n) => n === 'compression');
    expect(config.compression).toBe('gzip');
  });
});
