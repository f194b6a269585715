// evt against librdkafka's three-broker mock cluster (run by python3-confluent-kafka): a broker that answers
// ApiVersions v3 with UNSUPPORTED_VERSION in a layout of its own, leads a topic's partitions from different
// brokers, and serves no CreateTopics, ListGroups, DescribeConfigs or (Incremental)AlterConfigs. produce, tail (with and without a group)
// and topics list work; what the mock lacks fails with one line. kcat (librdkafka) reads back what evt wrote.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKcat, run } from '../helpers/interop.js';
import { hasMockCluster, startMockCluster, type MockCluster } from '../helpers/mock-cluster.js';
import { evt, json, lines } from '../helpers/produce-tail.js';

const enabled = hasMockCluster();
let mock: MockCluster;
const onMock = (...args: string[]) => evt(['--brokers', mock.bootstrap, '--timeout', '10s', ...args]);

describe.skipIf(!enabled)("librdkafka's mock cluster", () => {
  beforeAll(async () => {
    mock = await startMockCluster({ brokers: 3, topics: ['orders', 'grouped'] });
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('has three brokers (the cluster evt has to negotiate with)', () => {
    expect(mock.bootstrap.split(',')).toHaveLength(3);
  });

  it('topics list shows the topics with their partitions', async () => {
    const r = await onMock('topics', 'list', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { topics } = JSON.parse(r.stdout) as { topics: { name: string; partitions: number }[] };
    expect(topics.map((t) => [t.name, t.partitions])).toEqual(
      expect.arrayContaining([
        ['orders', 4],
        ['grouped', 4],
      ]),
    );
  });

  it('produce writes to every partition (led by different brokers) and tail reads them all back', async () => {
    for (const p of [0, 1, 2, 3]) {
      const r = await onMock(
        'produce',
        'orders',
        '--partition',
        String(p),
        '--key',
        `k${p}`,
        '--header',
        'via=evt',
        '--',
        `value ${p}`,
      );
      expect(r.stderr).toMatch(new RegExp(`^produced 1 record \\(\\d+ B\\) to orders: partition ${p}, offset 0\n$`));
      expect(r.code).toBe(0);
    }
    const piped = await evt(
      ['--brokers', mock.bootstrap, 'produce', 'orders', '-K', ':', '--partitioner', 'round-robin'],
      {
        input: 'a:line 1\nb:line 2\nc:line 3\n',
      },
    );
    expect(piped.code).toBe(0);

    const tail = await onMock('tail', 'orders', '--from', 'beginning', '--until', 'end', '--json');
    expect(tail.stderr).toBe('');
    expect(tail.code).toBe(0);
    const got = json<{ partition: number; key: string; value: string; headers: Record<string, string> }>(tail.stdout);
    expect(got.filter((r) => r.key.startsWith('k')).map((r) => [r.partition, r.key, r.value, r.headers.via])).toEqual(
      expect.arrayContaining([0, 1, 2, 3].map((p) => [p, `k${p}`, `value ${p}`, 'evt'])),
    );
    expect(got.map((r) => r.value).sort()).toEqual(
      ['line 1', 'line 2', 'line 3', 'value 0', 'value 1', 'value 2', 'value 3'].sort(),
    );

    const first = await onMock(
      'tail',
      'orders',
      '--partition',
      '2',
      '--from',
      'beginning',
      '--until',
      '1',
      '--format',
      '%k=%s\n',
    );
    expect(first.stdout).toBe('k2=value 2\n');
  });

  it.skipIf(!hasKcat())('kcat (librdkafka) reads on the mock what evt produced there', async () => {
    const r = await run('kcat', [
      '-b',
      mock.bootstrap,
      '-C',
      '-t',
      'orders',
      '-p',
      '2',
      '-o',
      'beginning',
      '-c',
      '1',
      '-e',
      '-f',
      '%k %s\n',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('k2 value 2\n');
  });

  it('tail --group consumes as a group and commits: a second run goes on where the first stopped', async () => {
    const values = Array.from({ length: 6 }, (_, i) => `g${i}`);
    for (const [i, v] of values.entries()) {
      expect((await onMock('produce', 'grouped', '--partition', String(i % 4), v)).code).toBe(0);
    }
    const first = await onMock(
      'tail',
      'grouped',
      '--group',
      'mock-g',
      '--from',
      'beginning',
      '-n',
      '3',
      '--format',
      '%s\n',
    );
    expect(first.code, first.stderr).toBe(0);
    const second = await onMock('tail', 'grouped', '--group', 'mock-g', '-n', '3', '--format', '%s\n');
    expect(second.code, second.stderr).toBe(0);
    const seen = [...lines(first.stdout), ...lines(second.stdout)];
    expect(seen.sort()).toEqual([...values].sort());
  });

  it('what the mock does not serve fails with one line naming the API', async () => {
    const groups = await onMock('groups', 'list');
    expect(groups.code).toBe(1);
    expect(groups.stderr).toMatch(/^evt: broker 127\.0\.0\.1:\d+ does not support ListGroups \(API key 16\)\n$/);
    const create = await onMock('topics', 'create', 'fresh', '--partitions', '2');
    expect(create.code).toBe(1);
    expect(create.stderr).toMatch(/^evt: broker 127\.0\.0\.1:\d+ does not support CreateTopics \(API key 19\)\n$/);
    expect(create.stdout).toBe('');
    // librdkafka 2.0.2's mock serves neither IncrementalAlterConfigs nor AlterConfigs (nor DescribeConfigs,
    // which a change reads first): the AlterConfigs fallback is tested against an old-cluster proxy instead
    // (test/commands/topics-config-apis.test.ts)
    const config = await onMock('topics', 'config', 'orders', '--set', 'retention.ms=1000');
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(/^evt: broker 127\.0\.0\.1:\d+ does not support DescribeConfigs \(API key 32\)\n$/);
  });
});
