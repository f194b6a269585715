// kafka-go 0.2.1, Debian's Go Kafka client, which speaks only Produce v2 and Fetch v2 (message format v1; it
// could neither produce nor consume before the broker served those versions): it writes messages with keys and
// timestamps, plain and with each codec it has, and reads them back; the broker stores them as record batches
// in the producer's codec, which evt reads too. The program (test/interop/kafka-go/main.go) is built offline
// against /usr/share/gocode and cached (test/helpers/go-build.ts).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { runInProcess } from '../helpers/cli.js';
import { goBinary } from '../helpers/go-build.js';
import { hasKafkaGo, run } from '../helpers/interop.js';
import { storedCodecs } from '../helpers/stored-codecs.js';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kafka-go', 'main.go');
const enabled = hasKafkaGo();
let broker: RunningBroker;
let program: string;

interface Line {
  offset: number;
  key: string;
  value: string;
  ts: number;
}

describe.skipIf(!enabled)('kafka-go 0.2.1 (Produce v2, Fetch v2)', () => {
  beforeAll(async () => {
    program = await goBinary(SOURCE);
    broker = await startTestBroker();
  }, 300_000);
  afterAll(async () => {
    await broker?.close();
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4'] as const) {
    it(`writes and reads back 25 messages (${codec}), stored as ${codec} record batches`, async () => {
      const topic = `kafka-go-${codec}`;
      broker.state.logs.createTopic(topic, { numPartitions: 1 });
      const r = await run(program, [broker.bootstrap, topic, '25', codec]);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
      expect(lines).toEqual(
        Array.from({ length: 25 }, (_, i) => ({
          offset: i,
          key: `k${i % 3}`,
          value: `value ${i} from kafka-go`,
          ts: (1_700_000_000 + i) * 1000,
        })),
      );
      expect(await storedCodecs(broker.bootstrap, topic)).toEqual([codec]);
      const tail = await runInProcess([
        '--brokers',
        broker.bootstrap,
        'tail',
        topic,
        '-n',
        '2',
        '--format',
        '%o %k %T %s\n',
      ]);
      expect(tail.code, tail.stderr).toBe(0);
      expect(tail.stdout).toBe(
        '23 k2 1700000023000 value 23 from kafka-go\n24 k0 1700000024000 value 24 from kafka-go\n',
      );
    });
  }
});
