// Interop with confluent-kafka-python's SchemaRegistryClient against evt's registry: Protobuf schemas as its
// ProtobufSerializer registers them (base64 FileDescriptorProtos, imports as references), JSON Schemas with a
// $ref to another subject, get_schema, get_latest_version and test_compatibility for an added optional
// field (compatible) and a changed field type (incompatible). The serializers themselves are tested with the
// codecs. Skipped (with the reason printed) when the Debian packages are not installed.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { PYTHON, run, toolAvailable } from '../helpers/interop.js';

const script = fileURLToPath(new URL('confluent_registry.py', import.meta.url));
const available = toolAvailable(
  'confluent-kafka-python with python3-protobuf and python3-requests',
  [PYTHON, '-c', 'import confluent_kafka.schema_registry, google.protobuf, requests'],
  'python3-confluent-kafka python3-protobuf python3-requests',
);
let broker: RunningBroker;

beforeAll(async () => {
  if (available) broker = await startTestBroker({ registryPort: 0 });
});
afterAll(async () => {
  await broker?.close();
});

describe.skipIf(!available)('confluent_kafka.schema_registry interop', () => {
  it('registers, reads back and checks Protobuf and JSON schemas with references', async () => {
    const r = await run(PYTHON, [script, broker.registryUrl!], { timeoutMs: 90_000 });
    expect(r.status, `confluent_registry.py failed: ${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toEqual({
      timestamp_id: 1,
      order_id: 2,
      order_id_again: 2,
      get_schema: {
        type: 'PROTOBUF',
        references: [['google/protobuf/timestamp.proto', 'google/protobuf/timestamp.proto', 1]],
      },
      latest: { version: 1, id: 2, type: 'PROTOBUF' },
      proto_added_field_compatible: true,
      proto_changed_type_compatible: false,
      json_id: 4,
      json_get_schema: { type: 'JSON', references: [['customer.json', 'customer-json', 1]] },
      json_added_field_compatible: true,
      json_changed_type_compatible: false,
      invalid: { status: 422, code: 42201 },
    });
  });
});
