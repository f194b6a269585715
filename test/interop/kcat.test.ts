// kcat (librdkafka 2.0.2) against the broker: metadata, produce/consume with keys and headers, a balanced group.

import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker, until } from '../helpers/broker.js';
import { hasKcat, run } from '../helpers/interop.js';
import { EVT_BIN, startEvt } from '../helpers/spawn.js';

const enabled = hasKcat();
let broker: RunningBroker;

const kcat = (args: string[], input?: string) => run('kcat', ['-b', broker.bootstrap, ...args], { input });

describe.skipIf(!enabled)('kcat', () => {
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('kcat -L lists the broker and the topics', async () => {
    await kcat(['-P', '-t', 'listed'], 'x\n');
    const r = await kcat(['-L', '-J']);
    expect(r.status).toBe(0);
    const md = JSON.parse(r.stdout);
    expect(md.brokers).toEqual([{ id: 1, name: broker.bootstrap }]);
    const topic = md.topics.find((t: { topic: string }) => t.topic === 'listed');
    expect(topic.partitions).toHaveLength(3);
    expect(topic.partitions[0]).toMatchObject({ leader: 1, replicas: [{ id: 1 }], isrs: [{ id: 1 }] });
  });

  it('kcat -P then kcat -C -e round-trips keys, values and headers', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `key${i % 5}:value ${i}`);
    const p = await kcat(
      ['-P', '-t', 'kc', '-K:', '-H', 'source=kcat', '-H', 'evt-event-type=Test'],
      lines.join('\n') + '\n',
    );
    expect(p.status, p.stderr).toBe(0);
    const c = await kcat(['-C', '-t', 'kc', '-e', '-J', '-o', 'beginning']);
    expect(c.status, c.stderr).toBe(0);
    const records = c.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(50);
    for (const r of records) {
      const i = Number(r.payload.split(' ')[1]);
      expect(r.key).toBe(`key${i % 5}`);
      expect(r.headers).toEqual(['source', 'kcat', 'evt-event-type', 'Test']);
    }
    // one key, one partition; offsets dense per partition
    const partitionsOfKey = new Map<string, Set<number>>();
    for (const r of records) partitionsOfKey.set(r.key, (partitionsOfKey.get(r.key) ?? new Set()).add(r.partition));
    for (const s of partitionsOfKey.values()) expect(s.size).toBe(1);
    for (const p of new Set(records.map((r) => r.partition))) {
      const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  });

  it('two kcat -G members share the partitions of a topic and together read every record', async () => {
    const values = Array.from({ length: 60 }, (_, i) => `g${i}`);
    expect(
      (await kcat(['-P', '-t', 'balanced', '-K:'], values.map((v, i) => `k${i}:${v}`).join('\n') + '\n')).status,
    ).toBe(0);
    // Each member runs until, between them, every record has been read (not for a fixed time: on a loaded
    // machine the group may take a while to settle).
    const member = () => {
      const p = spawn('kcat', [
        '-b',
        broker.bootstrap,
        '-G',
        'kcat-group',
        '-u',
        '-o',
        'beginning',
        '-f',
        '%p %s\n',
        '-X',
        'session.timeout.ms=6000',
        'balanced',
      ]);
      const m = { p, out: '', err: '', exited: new Promise<void>((resolve) => p.on('exit', () => resolve())) };
      p.stdout.on('data', (d) => (m.out += d));
      p.stderr.on('data', (d) => (m.err += d));
      return m;
    };
    const a = member();
    const b = member();
    const parse = (s: string) =>
      s
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' '));
    const seenNow = () => new Set([...parse(a.out), ...parse(b.out)].map(([, v]) => v));
    // at some generation the two members held disjoint shares that together cover the 3 partitions
    const assignments = (err: string) =>
      [...err.matchAll(/assigned: (.*)/g)].map(
        (m) => new Set([...m[1].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))),
      );
    const sharedNow = () =>
      assignments(a.err).some((sa) =>
        assignments(b.err).some(
          (sb) => sa.size > 0 && sb.size > 0 && [...sa].every((p) => !sb.has(p)) && sa.size + sb.size === 3,
        ),
      );
    try {
      await until(
        () => seenNow().size === values.length && sharedNow(),
        60_000,
        'both kcat members to share the partitions and read every record',
      );
    } finally {
      a.p.kill('SIGINT');
      b.p.kill('SIGINT');
      await Promise.all([a.exited, b.exited]);
    }
    expect([...seenNow()].sort()).toEqual([...values].sort());
    const shared = sharedNow();
    expect(shared, `${a.err}\n---\n${b.err}`).toBe(true);
  }, 90_000);

  it('evt tail --group shares a group with a librdkafka consumer (kcat -G): the range assignor both offer', async () => {
    const values = Array.from({ length: 60 }, (_, i) => `m${i}`);
    expect(
      (await kcat(['-P', '-t', 'mixed', '-K:'], values.map((v, i) => `k${i}:${v}`).join('\n') + '\n')).status,
    ).toBe(0);
    const k = spawn('kcat', [
      ...['-b', broker.bootstrap, '-X', 'session.timeout.ms=6000'],
      ...['-G', 'mixed-group', '-u', '-o', 'beginning', '-f', '%s\n', 'mixed'],
    ]);
    let kOut = '';
    let kErr = '';
    k.stdout.on('data', (d) => (kOut += d));
    k.stderr.on('data', (d) => (kErr += d));
    const kExited = new Promise<void>((resolve) => k.on('exit', () => resolve()));
    const e = startEvt([
      '--brokers',
      broker.bootstrap,
      'tail',
      'mixed',
      '--group',
      'mixed-group',
      '-f',
      '--format',
      '%s\\n', // kcat's templates add no newline of their own
    ]);
    const seen = () => new Set([...kOut.split('\n'), ...e.stdout().split('\n')].filter(Boolean));
    // both members hold partitions at once: the group agreed on a protocol (evt alone offered `evt-...` before)
    const describe = async () =>
      JSON.parse(
        (
          await run(process.execPath, [
            EVT_BIN,
            '--brokers',
            broker.bootstrap,
            '--json',
            'groups',
            'describe',
            'mixed-group',
          ])
        ).stdout || '{}',
      ) as { state?: string; protocol?: string; members?: { clientId: string; assignments: unknown[] }[] };
    let group: Awaited<ReturnType<typeof describe>> = {};
    try {
      await until(
        async () => {
          group = await describe();
          const settled = group.state === 'Stable' && group.members?.length === 2;
          return seen().size === values.length && settled && group.members!.every((m) => m.assignments.length > 0);
        },
        60_000,
        'kcat and evt tail to hold partitions of one group at once and read every record between them',
      );
    } finally {
      k.kill('SIGINT');
      e.proc.kill('SIGINT');
      await Promise.all([kExited, e.done]);
    }
    expect(group.protocol, JSON.stringify(group)).toBe('range');
    expect(e.stderr()).not.toMatch(/INCONSISTENT_GROUP_PROTOCOL/);
    expect(kErr).not.toMatch(/INCONSISTENT_GROUP_PROTOCOL/);
    expect([...seen()].sort()).toEqual([...values].sort());
  }, 90_000);
});
