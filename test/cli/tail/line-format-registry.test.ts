// Registry values (Avro in the schema registry's wire format) written from their bytes (the JSON text of the
// compiled Avro reader) print exactly what the general path prints (avsc's decoding, then the envelope's
// JSON, %s's JSON, or the human format with its schema note), for --json, --format and the human format;
// records the writer does not vouch for (a key in the wire format, a string value, bytes not of the schema,
// values not in the wire format) take the general path and print as before. The general path is forced
// with a filter that lets every record through.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker/broker.js';
import type { ConsumedRecord } from '../../../src/client/records.js';
import { createValueCodec } from '../../../src/codec/create-codec.js';
import { RegistryClient } from '../../../src/codec/registry-client.js';
import { RegistryDecoder } from '../../../src/codec/registry-codec.js';
import type { ValueCodec } from '../../../src/codec/value-codec.js';
import { frame } from '../../../src/codec/wire-format.js';
import { LineFormatter, type OutputMode } from '../../../src/cli/tail/line-format.js';
import { startTestBroker } from '../../helpers/broker.js';
import { byteTarget } from '../../helpers/byte-target.js';
import { LINES_FIELD } from '../../helpers/schemas.js';
import avro from 'avsc';

let broker: RunningBroker;
let codec: ValueCodec;
const records: ConsumedRecord[] = [];

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'evt.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
    LINES_FIELD,
    { name: 'tags', type: { type: 'map', values: 'string' } },
    { name: 'raw', type: 'bytes' },
  ],
};

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true, registryPort: 0 });
  const client = new RegistryClient({ url: broker.registryUrl!, source: 'test', timeoutMs: 10_000 });
  const orderId = await client.register('orders-value', JSON.stringify(ORDER));
  const stringId = await client.register('names-value', '"string"');
  const order = avro.Type.forSchema(ORDER as avro.Schema, { wrapUnions: 'auto' });
  const values: (Buffer | null)[] = [
    frame(orderId, order.toBuffer({ id: 'o-1', note: null, lines: [], tags: {}, raw: Buffer.from([0, 255]) })),
    frame(
      orderId,
      order.toBuffer({
        id: 'Zoë "q"',
        note: 'gift\n',
        lines: [{ sku: 's', qty: 2, price: 9.5 }],
        tags: { a: 'b', '7': 'index' },
        raw: Buffer.alloc(0),
      }),
    ),
    frame(stringId, avro.Type.forSchema('string').toBuffer('just text')),
    frame(orderId, Buffer.from([1, 2, 3])),
    Buffer.from('{"not":"avro"}'),
    null,
  ];
  values.forEach((value, i) =>
    records.push({
      topic: 'orders',
      partition: i % 2,
      offset: i,
      timestamp: 1_700_000_000_000 + i,
      key:
        i === 1 ? frame(stringId, avro.Type.forSchema('string').toBuffer('k')) : i % 2 ? Buffer.from(`k-${i}`) : null,
      headers: i === 0 ? [{ key: 'h', value: Buffer.from('v') }] : [],
      value,
    }),
  );
  const decoder = new RegistryDecoder(client, await createValueCodec('auto'), false);
  await decoder.prepare(records);
  codec = decoder.codec();
});
afterAll(async () => {
  await broker?.close();
});

function print(mode: OutputMode, general: boolean): string {
  const formatter = new LineFormatter(mode, codec, general ? () => true : undefined);
  const t = byteTarget(16);
  for (const r of records) formatter.write(r, t);
  return t.buf.toString('utf8', 0, t.pos);
}

describe('LineFormatter with a schema registry', () => {
  const modes: [string, OutputMode][] = [
    ['--json', { kind: 'json' }],
    ['--format', { kind: 'template', template: '%t %p %o %k %s %S %h\\n' }],
    ['human', { kind: 'human', color: false }],
    ['human in colour', { kind: 'human', color: true }],
  ];
  it.each(modes)('%s: the same bytes as the general path', (_name, mode) => {
    const fast = print(mode, false);
    expect(fast).toBe(print(mode, true));
    expect(fast).toContain('Zoë');
  });
});
