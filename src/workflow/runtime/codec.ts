// The workflow's records on the wire: keys as UTF-8 strings, headers as UTF-8, values in the Confluent wire
// format (magic byte 0, the 4-byte schema id, Avro binary) with each topic's schema from schemas/, registered
// under the physical topic's subject (`shop.orders-value`) at start-up. The codec is where consumed records
// cross from physical topics back to the workflow's logical ones: decode() gives `orders`, not `shop.orders`.
//
// Decoding is strict, since a worker must never act on a guess: a payload that is not in the wire format,
// names a schema the registry does not know, or does not decode with it is a DecodeError (the worker sends
// that record to its dead-letter topic). A payload written with another version of the topic's schema is
// read through an Avro resolver into the shape this code knows, which is how BACKWARD evolution works.

import type avro from 'avsc';
import type { RegistryClient } from '../../codec/registry-client.js';
import { parseAvroSchema } from '../../codec/registry-client.js';
import { bodyOf, frame, schemaIdOf } from '../../codec/wire-format.js';
import { headersAsText, textHeaders, type ConsumedRecord, type OutgoingRecord } from '../../client/records.js';
import { TOPICS, TOPIC_NAMES, type TopicName } from '../catalogue.js';
import type { AnyRecord } from '../envelope.js';
import type { WorkflowNames } from '../names.js';
import { readSchema } from '../schemas.js';

export class DecodeError extends Error {
  override name = 'DecodeError';
}

interface Reader {
  /** the schema the payload was written with */
  writer: avro.Type;
  resolver: ReturnType<avro.Type['createResolver']>;
}

export class WorkflowCodec {
  /** per logical topic: our schema's id and type */
  private readonly own = new Map<TopicName, { id: number; type: avro.Type }>();
  /** per (physical topic, writer schema id): how to read it into our type, or why it cannot be */
  private readonly readers = new Map<string, Reader | string>();

  private constructor(
    private readonly registry: RegistryClient,
    /** the physical names the records travel under */
    readonly names: WorkflowNames,
  ) {}

  /** Registers every workflow topic's schema under its physical subject (the same id again when already registered). */
  static async create(registry: RegistryClient, names: WorkflowNames): Promise<WorkflowCodec> {
    const codec = new WorkflowCodec(registry, names);
    await Promise.all(
      TOPIC_NAMES.map(async (topic) => {
        const text = readSchema(topic);
        const id = await registry.register(names.subject(topic), text);
        codec.own.set(topic, { id, type: parseAvroSchema(text, `schemas/${TOPICS[topic].schemaFile}`) });
      }),
    );
    return codec;
  }

  /** The id our schema of (logical) `topic` was registered under. */
  schemaId(topic: TopicName): number {
    return this.own.get(topic)!.id;
  }

  encode(record: AnyRecord): OutgoingRecord {
    const own = this.own.get(record.topic)!;
    return {
      key: Buffer.from(record.key, 'utf8'),
      value: frame(own.id, own.type.toBuffer(record.value)),
      headers: textHeaders(record.headers),
    };
  }

  /**
   * Fetches the writer schemas these records name that are not known yet, so that decode() can stay
   * synchronous. Failures are remembered per id and reported by decode() for each record that names it.
   */
  async prepare(records: readonly ConsumedRecord[]): Promise<void> {
    const wanted = new Map<string, { topic: TopicName; id: number }>();
    for (const r of records) {
      const id = schemaIdOf(r.value);
      const topic = this.names.logical(r.topic);
      if (id === null || topic === undefined || id === this.own.get(topic)?.id) continue;
      const key = `${r.topic}\u0000${id}`;
      if (!this.readers.has(key)) wanted.set(key, { topic, id });
    }
    await Promise.all(
      [...wanted].map(async ([key, { topic, id }]) => {
        const own = this.own.get(topic)!;
        try {
          const { type: writer } = await this.registry.schemaById(id);
          this.readers.set(key, { writer, resolver: own.type.createResolver(writer) });
        } catch (err) {
          this.readers.set(key, `schema id ${id}: ${(err as Error).message}`);
        }
      }),
    );
  }

  /**
   * The workflow record a consumed record carries, under its logical topic; throws DecodeError when it
   * carries none (a record of a topic these names do not give the workflow included).
   */
  decode(record: ConsumedRecord): AnyRecord {
    const topic = this.names.logical(record.topic);
    if (topic === undefined) throw new DecodeError(`${record.topic} is not a workflow topic`);
    const own = this.own.get(topic)!;
    if (record.value === null) throw new DecodeError('the value is null (a tombstone), not an event');
    const id = schemaIdOf(record.value);
    if (id === null)
      throw new DecodeError(`the value is not in the schema registry wire format (${describeStart(record.value)})`);
    let value: unknown;
    try {
      if (id === own.id) value = own.type.fromBuffer(bodyOf(record.value));
      else {
        const reader = this.readers.get(`${record.topic}\u0000${id}`);
        if (reader === undefined) throw new DecodeError(`schema id ${id} was not prepared`);
        if (typeof reader === 'string') throw new DecodeError(reader);
        value = own.type.fromBuffer(bodyOf(record.value), reader.resolver);
      }
    } catch (err) {
      if (err instanceof DecodeError) throw err;
      throw new DecodeError(
        `the value does not decode with schema id ${id} of ${this.names.subject(topic)}: ${(err as Error).message}`,
      );
    }
    const key = record.key === null ? '' : record.key.toString('utf8');
    return { topic, key, headers: headersAsText(record.headers), value } as AnyRecord;
  }
}

function describeStart(value: Buffer): string {
  if (value.length === 0) return 'empty';
  return `${value.length} bytes starting ${value.subarray(0, 8).toString('hex')}`;
}
