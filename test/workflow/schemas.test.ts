// Every topic's .avsc loads with avsc, names the event types of the catalogue, and round-trips a sample of
// every event type taken from a seeded simulation, field for field (no field the schema does not declare).

import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { TOPICS, TOPIC_NAMES } from '../../src/workflow/catalogue.js';
import { workflowNames } from '../../src/workflow/names.js';
import { schemaFile, schemasDir } from '../../src/workflow/schemas.js';
import { checkCompatibility } from '../../src/registry/compatibility.js';
import { avroProvider } from '../../src/registry/types/avro.js';
import { runWorld } from './helpers/world.js';

const load = (file: string) =>
  avro.Type.forSchema(JSON.parse(fs.readFileSync(file, 'utf8')) as avro.Schema, { wrapUnions: 'auto' });

describe('workflow schemas', () => {
  it('has one schema file per topic and no other', () => {
    const files = fs
      .readdirSync(schemasDir())
      .filter((f) => f.endsWith('.avsc'))
      .sort();
    expect(files).toEqual(TOPIC_NAMES.map((t) => TOPICS[t].schemaFile).sort());
    // registered under the physical topic's subject (TopicNameStrategy)
    expect(workflowNames().subject('orders')).toBe('shop.orders-value');
    expect(workflowNames('').subject('orders')).toBe('orders-value');
  });

  it('enumerates exactly the event types of the catalogue in each eventType enum', () => {
    for (const topic of TOPIC_NAMES) {
      const schema = load(schemaFile(topic)).schema() as { fields: { name: string; type: { symbols?: string[] } }[] };
      const eventType = schema.fields.find((f) => f.name === 'eventType')!;
      expect(eventType.type.symbols, topic).toEqual([...TOPICS[topic].eventTypes]);
    }
  });

  it('round-trips a sample of every event type', () => {
    const run = runWorld({ seed: 11, orders: 200, pauses: [['payments', 500, 3_000]] });
    for (const topic of TOPIC_NAMES) {
      const type = load(schemaFile(topic));
      const seen = new Set<string>();
      for (const record of run.bus.logs[topic]) {
        if (seen.has(record.value.eventType)) continue;
        seen.add(record.value.eventType);
        const errors: string[] = [];
        const valid = type.isValid(record.value, {
          noUndeclaredFields: true,
          errorHook: (p) => errors.push(p.join('.')),
        });
        expect(valid, `${topic} ${record.value.eventType}: ${errors.join(', ')}`).toBe(true);
        expect(type.fromBuffer(type.toBuffer(record.value))).toEqual(record.value);
      }
      expect([...seen].sort(), topic).toEqual([...TOPICS[topic].eventTypes].sort());
    }
  });

  it('evolves BACKWARD by adding a defaulted field or an event type', () => {
    const text = fs.readFileSync(path.join(schemasDir(), 'payments.avsc'), 'utf8');
    const old = avroProvider.parse(text, []);
    const next = JSON.parse(text) as { fields: { name: string; type: unknown; default?: unknown }[] };
    next.fields.push({ name: 'note', type: ['null', 'string'], default: null });
    (next.fields[0].type as { symbols: string[] }).symbols.push('PaymentRefunded');
    const candidate = { schemaType: 'AVRO' as const, parsed: avroProvider.parse(JSON.stringify(next), []) };
    expect(checkCompatibility(candidate, [{ version: 1, schemaType: 'AVRO', parsed: old }], 'BACKWARD')).toEqual([]);
  });
});
