// Record paths (shared by flows and view files) and the conventions evt recognises in other teams' records:
// event types, links between events, and the dead-letter schemes of Spring Kafka, Spring Cloud Stream, Kafka
// Connect and evt, with headers written the way each writes them.

import { describe, expect, it } from 'vitest';
import type { RecordHeader } from '../../src/client/records.js';
import {
  conventionalType,
  deadLetterOf,
  isInternalTopic,
  linksOf,
  looksLikeDeadLetterTopic,
  numberHeader,
  traceIdOf,
  typeFromValue,
} from '../../src/flow/conventions.js';
import { parsePath, parseRecordPath, pathsOf, scalarLeaves, valuesAt } from '../../src/flow/json-path.js';

const h = (entries: [string, string | Buffer][]): RecordHeader[] =>
  entries.map(([key, v]) => ({ key, value: typeof v === 'string' ? Buffer.from(v) : v }));
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};

describe('record paths', () => {
  it("parses $key, $headers.<name>, $headers['odd name'], value paths with indices and wildcards, and JSON pointers", () => {
    expect(parseRecordPath('$key')).toEqual({ from: 'key', text: '$key' });
    expect(parseRecordPath('$headers.ce_subject')).toMatchObject({ from: 'header', name: 'ce_subject' });
    expect(parseRecordPath("$headers['x.b3 id']")).toMatchObject({ from: 'header', name: 'x.b3 id' });
    const p = parseRecordPath('$.lines[*].sku');
    expect(p.from === 'value' && p.path.steps).toEqual([
      { kind: 'member', name: 'lines' },
      { kind: 'any' },
      { kind: 'member', name: 'sku' },
    ]);
    expect(parsePath("$['parcel id'][0]").steps).toEqual([
      { kind: 'member', name: 'parcel id' },
      { kind: 'index', index: 0 },
    ]);
    expect(parsePath('/shipment/parcel_id')).toEqual({
      text: '$.shipment.parcel_id',
      steps: [
        { kind: 'member', name: 'shipment' },
        { kind: 'member', name: 'parcel_id' },
      ],
    });
  });

  it('refuses what is not a path, saying what a path looks like', () => {
    expect(() => parseRecordPath('orderId')).toThrow(
      'bad path "orderId": a path starts with $ (the value), $key or $headers.<name>',
    );
    expect(() => parseRecordPath('$.lines[x].sku')).toThrow(
      `bad path "$.lines[x].sku" at "[x].sku": expected .field, [index], [*] or ['field']`,
    );
    expect(() => parseRecordPath('$headers')).toThrow('a header is $headers.<name>');
    expect(() => parseRecordPath(3)).toThrow('a path is a string like "$.orderId", not 3');
  });

  it('reads values at a path, and finds the paths at which an id occurs (indices generalised)', () => {
    const v = { parcel: { parcelId: 'P-1' }, lines: [{ sku: 'A' }, { sku: 'B', ref: 'P-1' }], n: 42 };
    expect(valuesAt(v, parsePath('$.lines[*].sku'))).toEqual(['A', 'B']);
    expect(valuesAt(v, parsePath('$.lines[1].sku'))).toEqual(['B']);
    expect(valuesAt(v, parsePath('$.nope.deeper'))).toEqual([]);
    expect(pathsOf(v, 'P-1')).toEqual(['$.parcel.parcelId', '$.lines[*].ref']);
    expect(pathsOf(v, '42')).toEqual(['$.n']);
    expect(scalarLeaves(v).map((l) => l.path)).toEqual([
      '$.parcel.parcelId',
      '$.lines[*].sku',
      '$.lines[*].sku',
      '$.lines[*].ref',
      '$.n',
    ]);
  });
});

describe('event types by convention', () => {
  it('takes a type header first: CloudEvents, Spring, Axon, evt', () => {
    for (const name of ['ce_type', '__TypeId__', 'axon-message-type', 'evt-event-type']) {
      expect(
        conventionalType({ topic: 't', headers: h([[name, 'com.acme.ParcelRegistered']]), value: { type: 'other' } }),
      ).toEqual({ type: 'com.acme.ParcelRegistered', from: { kind: 'header', name } });
    }
    // header names of other libraries' casing are the same header
    expect(conventionalType({ topic: 't', headers: h([['CE_TYPE', 'X']]), value: null }).type).toBe('X');
  });

  it('then a type field of the value: eventType, event_type, a type-like `type`, a structured CloudEvent', () => {
    expect(typeFromValue({ eventType: 'OrderPlaced' })).toEqual({
      type: 'OrderPlaced',
      from: { kind: 'field', path: '$.eventType' },
    });
    expect(typeFromValue({ event_type: 'parcel.registered' })?.type).toBe('parcel.registered');
    expect(typeFromValue({ type: 'ParcelRegistered' })?.type).toBe('ParcelRegistered');
    expect(typeFromValue({ type: 'com.acme.parcel.registered.v1' })?.type).toBe('com.acme.parcel.registered.v1');
    // data that happens to be called type is not an event type...
    expect(typeFromValue({ type: 'express', weight: 2 })).toBeNull();
    // ...unless the value is a CloudEvent in structured mode
    expect(typeFromValue({ specversion: '1.0', type: 'express' })?.type).toBe('express');
  });

  it("then the registry schema's record name, else the topic", () => {
    expect(conventionalType({ topic: 't', headers: [], value: { a: 1 }, schemaName: 'com.acme.Order' })).toEqual({
      type: 'com.acme.Order',
      from: { kind: 'schema' },
    });
    expect(conventionalType({ topic: 'parcels', headers: [], value: 'text' })).toEqual({
      type: 'parcels',
      from: { kind: 'topic' },
    });
  });
});

describe('links', () => {
  it('reads trace ids from W3C traceparent, single and multi B3, and Jaeger', () => {
    expect(traceIdOf(h([['traceparent', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01']]))).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(traceIdOf(h([['b3', '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1']]))).toBe(
      '80f198ee56343ba864fe8b2a57d3eff7',
    );
    expect(traceIdOf(h([['X-B3-TraceId', '463ac35c9f6413ad']]))).toBe('463ac35c9f6413ad');
    expect(traceIdOf(h([['uber-trace-id', 'abc123:def:0:1']]))).toBe('abc123');
    expect(traceIdOf(h([['traceparent', 'garbage']]))).toBeNull();
  });

  it("reads event ids, causation, correlation (Spring's binary kafka_correlationId as hex) and the producer", () => {
    const uuid = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    expect(
      linksOf(
        h([
          ['ce_id', 'e-1'],
          ['kafka_correlationId', uuid],
          ['ce_source', '/logistics/router'],
        ]),
      ),
    ).toEqual({
      eventId: 'e-1',
      causationId: null,
      correlationId: '0123456789abcdef0123456789abcdef',
      traceId: null,
      producer: '/logistics/router',
    });
    expect(
      linksOf(
        h([
          ['evt-event-id', 'x'],
          ['evt-causation-id', 'y'],
          ['evt-correlation-id', 'o-1'],
          ['evt-producer', 'orders'],
        ]),
      ),
    ).toMatchObject({ eventId: 'x', causationId: 'y', correlationId: 'o-1', producer: 'orders' });
  });
});

describe('dead letters', () => {
  it('Spring Kafka: binary partition and offset, the exception message and class, the consumer group', () => {
    const d = deadLetterOf(
      h([
        ['kafka_dlt-original-topic', 'logistics.labels'],
        ['kafka_dlt-original-partition', int32(2)],
        ['kafka_dlt-original-offset', int64(1234567890123)],
        ['kafka_dlt-exception-fqcn', 'com.acme.InvalidPostcodeException'],
        ['kafka_dlt-exception-message', 'postcode 99999 is not served'],
        ['kafka_dlt-original-consumer-group', 'router'],
      ]),
    );
    expect(d).toEqual({
      scheme: 'spring-kafka',
      topic: 'logistics.labels',
      partition: 2,
      offset: 1234567890123,
      error: 'postcode 99999 is not served',
      exception: 'com.acme.InvalidPostcodeException',
      by: 'router',
      attempts: null,
    });
  });

  it('Spring Cloud Stream, Kafka Connect (text numbers) and evt', () => {
    expect(
      deadLetterOf(
        h([
          ['x-original-topic', 'in'],
          ['x-original-partition', int32(0)],
          ['x-original-offset', int64(7)],
          ['x-exception-message', 'bad'],
        ]),
      ),
    ).toMatchObject({ scheme: 'spring-cloud-stream', topic: 'in', partition: 0, offset: 7, error: 'bad' });
    expect(
      deadLetterOf(
        h([
          ['__connect.errors.topic', 'src'],
          ['__connect.errors.partition', '1'],
          ['__connect.errors.offset', '99'],
          ['__connect.errors.exception.message', 'Converting byte[] to Kafka Connect data failed'],
          ['__connect.errors.connector.name', 'sink-pg'],
        ]),
      ),
    ).toMatchObject({ scheme: 'kafka-connect', topic: 'src', partition: 1, offset: 99, by: 'sink-pg' });
    expect(
      deadLetterOf(
        h([
          ['evt-dlq-topic', 'shop.orders'],
          ['evt-dlq-partition', '1'],
          ['evt-dlq-offset', '17'],
          ['evt-dlq-error', 'boom'],
          ['evt-dlq-service', 'payments'],
          ['evt-dlq-attempts', '3'],
        ]),
      ),
    ).toMatchObject({ scheme: 'evt', attempts: 3, by: 'payments' });
    expect(deadLetterOf(h([['ce_type', 'x']]))).toBeNull();
  });

  it('reads numbers as text first: binary that spells digits was written as text', () => {
    expect(numberHeader(Buffer.from('1234'))).toBe(1234);
    expect(numberHeader(int32(-1))).toBe(-1);
    expect(numberHeader(Buffer.from([1, 2, 3]))).toBeNull();
  });

  it('knows dead-letter and internal topics by name', () => {
    for (const t of [
      'orders.DLT',
      'orders-dlt',
      'orders.dlq',
      'dlq-orders',
      'evt.dlq.orders',
      'shop.dlq.payments',
      'orders.dead-letter',
    ])
      expect(looksLikeDeadLetterTopic(t), t).toBe(true);
    for (const t of ['orders', 'deadline-events', 'muldlqx']) expect(looksLikeDeadLetterTopic(t), t).toBe(false);
    for (const t of ['__consumer_offsets', '_schemas', '_confluent-metrics']) expect(isInternalTopic(t)).toBe(true);
    expect(isInternalTopic('orders')).toBe(false);
  });
});
