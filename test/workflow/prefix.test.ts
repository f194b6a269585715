// The workflow's prefix as a user meets it (commands run in process, workers spawned, against an in-process broker): with the
// default prefix a run creates only shop.* topics, shop.*-service groups and shop.*-value subjects, and leaves
// the user's own `orders` topic (foreign JSON records) untouched; a custom prefix works end to end through
// `evt replay orders --prefix`; `--prefix ''` gives the names evt used before prefixes, and a worker started
// with it resumes from the old groups' committed offsets.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { SERVICES, TOPIC_NAMES, WORKER_SERVICES } from '../../src/workflow/catalogue.js';
import { startTestBroker, tempDir, until } from '../helpers/broker.js';
import { runInProcess } from '../helpers/cli.js';
import { startEvt } from '../helpers/spawn.js';

interface Summary {
  ok: boolean;
  prefix: string;
  topics: { workflow: string[]; deadLetters: Record<string, string> };
  orders: { requested: number };
  deadLetters: Record<string, number>;
  events: Record<string, number>;
}

interface Group {
  group: string;
  partitions: { topic: string; committed: number | null; high: number; lag: number | null }[];
}

const MINE = ['{"orderId":"mine-1","total":12}', '{"orderId":"mine-2","total":7}', '{"note":"not an order at all"}'];

function on(broker: RunningBroker) {
  const evt = (args: string[], timeoutMs = 60_000) =>
    runInProcess(['--brokers', broker.bootstrap, '--registry', broker.registryUrl!, ...args], { timeoutMs });
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await evt(['--json', ...args]);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  return {
    evt,
    json,
    simulate: (...extra: string[]) =>
      json<Summary>(['simulate', '-n', '40', '-r', '100/s', '--poison-rate', '0', ...extra]),
    topics: async () => (await json<{ topics: { name: string; records: number }[] }>(['topics', 'list'])).topics,
    groups: async () =>
      (await json<{ groups: { group: string }[] }>(['groups', 'list'])).groups.map((g) => g.group).sort(),
    subjects: async () => (await json<{ subject: string }[]>(['schema', 'list'])).map((s) => s.subject).sort(),
    userRecords: async () => {
      const r = await evt(['--json', 'tail', 'orders', '--from', 'beginning', '-n', '100']);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { partition: number; offset: number; value: unknown });
    },
  };
}

describe('a cluster with a user topic named orders', () => {
  let broker: RunningBroker;
  let cli: ReturnType<typeof on>;
  let before: { partition: number; offset: number; value: unknown }[];
  beforeAll(async () => {
    broker = await startTestBroker({ registryPort: 0, autoCreateTopics: false });
    cli = on(broker);
    const created = await cli.evt(['topics', 'create', 'orders', '-p', '2']);
    expect(created.code, created.stderr).toBe(0);
    const produced = await runInProcess(['--brokers', broker.bootstrap, 'produce', 'orders'], {
      input: MINE.join('\n') + '\n',
    });
    expect(produced.code, produced.stderr).toBe(0);
    before = await cli.userRecords();
    expect(before.map((r) => r.value)).toEqual(MINE.map((m) => JSON.parse(m)));
  }, 30_000);
  afterAll(async () => broker?.close());

  it('evt simulate with the default prefix creates only shop.* topics, groups and subjects, and leaves the user topic alone', async () => {
    const s = await cli.simulate();
    expect(s.ok).toBe(true);
    expect(s.prefix).toBe('shop.');
    expect(s.topics.workflow).toEqual(TOPIC_NAMES.map((t) => `shop.${t}`));
    expect(s.deadLetters).toEqual({});
    expect(s.events['shop.orders:OrderPlaced']).toBeGreaterThan(0);

    const topics = await cli.topics();
    expect(topics.map((t) => t.name).sort()).toEqual(
      ['orders', ...TOPIC_NAMES.map((t) => `shop.${t}`), ...SERVICES.map((sv) => `shop.dlq.${sv}`)].sort(),
    );
    // nothing was dead-lettered: every dead-letter topic is empty
    for (const t of topics.filter((x) => x.name.startsWith('shop.dlq.'))) expect(t.records, t.name).toBe(0);
    expect(await cli.groups()).toEqual(WORKER_SERVICES.map((sv) => `shop.${sv}-service`).sort());
    expect(await cli.subjects()).toEqual(TOPIC_NAMES.map((t) => `shop.${t}-value`).sort());

    // the user's topic: the same records, nothing added, and no workflow group consumed it
    expect(await cli.userRecords()).toEqual(before);
    for (const sv of WORKER_SERVICES) {
      const g = await cli.json<Group>(['groups', 'describe', `shop.${sv}-service`]);
      expect(g.partitions.length, sv).toBeGreaterThan(0);
      expect(
        g.partitions.filter((p) => !p.topic.startsWith('shop.')),
        sv,
      ).toEqual([]);
    }
  }, 90_000);

  it('a custom prefix works end to end: simulate --prefix acme., then replay orders --prefix acme.', async () => {
    const s = await cli.simulate('--prefix', 'acme.');
    expect(s.ok).toBe(true);
    expect(s.topics.workflow).toContain('acme.orders');
    expect(s.topics.deadLetters.orders).toBe('acme.dlq.orders');
    const placed = s.events['acme.orders:OrderPlaced'];
    expect(placed).toBeGreaterThan(0);
    const names = (await cli.topics()).map((t) => t.name);
    expect(names.filter((n) => n.startsWith('acme.')).sort()).toEqual(
      [...TOPIC_NAMES.map((t) => `acme.${t}`), ...SERVICES.map((sv) => `acme.dlq.${sv}`)].sort(),
    );
    expect((await cli.groups()).filter((g) => g.startsWith('acme.'))).toEqual(
      WORKER_SERVICES.map((sv) => `acme.${sv}-service`).sort(),
    );
    expect(await cli.userRecords()).toEqual(before);

    const db = `${tempDir('evt-prefix-')}/views.db`;
    const orderEvents = Object.entries(s.events)
      .filter(([k]) => k.startsWith('acme.orders:'))
      .reduce((n, [, c]) => n + c, 0);
    const replayed = await cli.json<{ events: number; errors: number }>([
      'replay',
      'orders',
      '--prefix',
      'acme.',
      '--db',
      db,
    ]);
    expect(replayed).toMatchObject({ events: orderEvents, errors: 0 });
    const rows = await cli.json<{ rows: { n: number }[] }>([
      'view',
      'query',
      'SELECT count(*) AS n FROM orders',
      '--db',
      db,
    ]);
    expect(rows.rows[0].n).toBe(s.orders.requested);
    const view = await cli.json<{ views: { name: string; topics: string[] }[] }>(['view', 'list', '--db', db]);
    expect(view.views.find((v) => v.name === 'orders')!.topics).toEqual(['acme.orders']);

    // the same view replayed under the default prefix would fold shop.orders into acme's rows: refused
    const mixed = await cli.evt(['replay', 'orders', '--db', db]);
    expect(mixed.code, mixed.stderr).toBe(2);
    expect(mixed.stderr).toMatch(
      /^evt: view orders was built from acme\.orders, not shop\.orders in .*: replay it with the --prefix it was built with, or give --rebuild/,
    );
    expect(mixed.stderr.trimEnd().split('\n')).toHaveLength(1);
    // --rebuild starts it again from shop.orders (the first test's run)
    const rebuilt = await cli.json<{ events: number; errors: number }>(['replay', 'orders', '--db', db, '--rebuild']);
    expect(rebuilt.events).toBeGreaterThan(0);
    expect(rebuilt.errors).toBe(0);
    const after = await cli.json<{ views: { name: string; topics: string[] }[] }>(['view', 'list', '--db', db]);
    expect(after.views.find((v) => v.name === 'orders')!.topics).toEqual(['shop.orders']);
  }, 120_000);
});

describe("--prefix '': the names of evt before prefixes", () => {
  const dataDir = tempDir('evt-prefix-old-');
  let broker: RunningBroker;
  let cli: ReturnType<typeof on>;
  beforeAll(async () => {
    broker = await startTestBroker({ registryPort: 0, dataDir });
    cli = on(broker);
  });
  afterAll(async () => broker?.close());

  it("simulate --prefix '' uses the unprefixed topics, evt-workflow-<service> groups and evt.dlq.<service>", async () => {
    const s = await cli.simulate('--prefix', '', '--poison-rate', '0.05');
    expect(s.ok).toBe(true);
    expect(s.prefix).toBe('');
    expect(s.topics.workflow).toEqual([...TOPIC_NAMES]);
    expect(s.deadLetters.orders).toBeGreaterThan(0);
    expect(s.events['orders:OrderPlaced']).toBeGreaterThan(0);
    const topics = await cli.topics();
    expect(topics.map((t) => t.name).sort()).toEqual([...TOPIC_NAMES, ...SERVICES.map((sv) => `evt.dlq.${sv}`)].sort());
    expect(topics.find((t) => t.name === 'evt.dlq.orders')!.records).toBe(s.deadLetters.orders);
    expect(await cli.groups()).toEqual(WORKER_SERVICES.map((sv) => `evt-workflow-${sv}`).sort());
    expect(await cli.subjects()).toEqual(TOPIC_NAMES.map((t) => `${t}-value`).sort());
  }, 90_000);

  it("a worker with --prefix '' on that data dir joins the old group and resumes from its committed offsets", async () => {
    // the broker restarted on its data dir, as after an upgrade of evt
    await broker.close();
    broker = await startTestBroker({ registryPort: 0, dataDir });
    cli = on(broker);
    const w = startEvt([
      '--brokers',
      broker.bootstrap,
      '--registry',
      broker.registryUrl!,
      '--json',
      'worker',
      'payments',
      '--prefix',
      '',
    ]);
    await until(() => /ready in group evt-workflow-payments/.test(w.stderr()), 30_000, 'the ready line');
    // caught up at once: nothing of the earlier run is handled again
    const g = await cli.json<Group>(['groups', 'describe', 'evt-workflow-payments']);
    expect(g.partitions.map((p) => p.topic)).toEqual(['orders', 'orders', 'orders']);
    expect(g.partitions.every((p) => p.lag === 0)).toBe(true);
    w.proc.kill('SIGTERM');
    const r = await w.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      service: 'payments',
      group: 'evt-workflow-payments',
      instances: [{ handled: 0, produced: 0 }],
    });
    // no prefixed name appeared
    expect((await cli.topics()).some((t) => t.name.startsWith('shop.'))).toBe(false);
  }, 60_000);
});
