// The Protobuf tests' schemas (test/fixtures/protobuf: order.proto imports common.proto and
// google/protobuf/timestamp.proto; nested messages, an enum, repeated, int64, a map, bytes) and orders in
// protobuf's JSON mapping with the .proto's field names, as evt tail and Python's MessageToDict print them.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import descriptor from 'protobufjs/ext/descriptor.js';

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

/**
 * protoc's FileDescriptorProto of `text` (written to `dir` as `name`, beside any file it imports), base64, as
 * confluent-kafka-python registers it. Throws protoc's message when it refuses the file.
 */
export function protocDescriptor(dir: string, name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  const out = path.join(dir, `${name}.pb`);
  const r = spawnSync('protoc', [`-I${dir}`, `--descriptor_set_out=${out}`, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`protoc refused ${name}: ${r.stderr}`);
  const set = descriptor.FileDescriptorSet.decode(fs.readFileSync(out));
  return Buffer.from(descriptor.FileDescriptorProto.encode(set.file[0]).finish()).toString('base64');
}
