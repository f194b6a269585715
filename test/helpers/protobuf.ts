// The Protobuf tests' schemas (test/fixtures/protobuf: order.proto imports common.proto and
// google/protobuf/timestamp.proto; nested messages, an enum, repeated, int64, a map, bytes) and orders in
// protobuf's JSON mapping with the .proto's field names, as evt tail and Python's MessageToDict print them.

import fs from 'node:fs';
import path from 'node:path';

export const PROTO_FILES = ['order.proto', 'common.proto'];

/** Copies the .proto files into `dir` (evt produce reads imports from beside the file). */
export function copyProtoFixtures(dir: string): void {
  for (const f of PROTO_FILES)
    fs.copyFileSync(new URL(`../fixtures/protobuf/${f}`, import.meta.url), path.join(dir, f));
}

/** Orders using every kind of field, the first one all of them. */
export function sampleOrders(prefix: string) {
  return [
    {
      order_id: `${prefix}-1`,
      status: 'PLACED',
      items: [{ sku: 'a', qty: 2 }],
      total_cents: '9007199254740993',
      price: { currency: 'EUR', units: '12' },
      placed_at: '2024-05-01T10:00:00.250Z',
      tags: { channel: 'cli' },
      blob: 'AAH/',
    },
    { order_id: `${prefix}-2`, status: 'SHIPPED' },
  ];
}
