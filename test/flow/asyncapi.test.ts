// AsyncAPI documents as flows: a parcel-delivery system described twice, once as AsyncAPI 2.6 (one YAML per
// service, traits, a shared components file referenced by relative $ref) and once as AsyncAPI 3.0 (one JSON
// document with operations, reply and evt extensions), read into the same flow; 2.x's inverted
// publish/subscribe; traits by version; the errors a broken document gets; and loading through loadFlow.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flowFromAsyncApi, kebab, mergePatch } from '../../src/flow/asyncapi.js';
import { loadFlow, readDocument } from '../../src/flow/load.js';
import { flowTopic, formatIdLocation, FlowError, type Flow, type Reaction } from '../../src/flow/model.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'asyncapi');
const V2 = path.join(FIXTURES, 'v2');
const V3 = path.join(FIXTURES, 'v3', 'parcel-delivery.json');

/** A topic's id and type locations as flow files write them. */
function topic(flow: Flow, name: string) {
  const t = flowTopic(flow, name);
  if (!t) throw new Error(`no topic ${name} in ${flow.topics.map((x) => x.name).join(', ')}`);
  return { id: t.idAt.map(formatIdLocation), types: t.types, type: t.typeAt ? formatIdLocation(t.typeAt) : null };
}

function reaction(flow: Flow, group: string): Reaction {
  const found = flow.reactions.filter((r) => r.groups.includes(group));
  if (found.length !== 1) throw new Error(`${found.length} reactions of ${group}`);
  return found[0];
}

function fails(docs: { doc: unknown; file: string }[]): string {
  try {
    flowFromAsyncApi(docs);
  } catch (err) {
    expect(err).toBeInstanceOf(FlowError);
    return (err as Error).message;
  }
  throw new Error('expected a FlowError');
}

/** The smallest 2.x document: channels as given. */
const v2 = (channels: unknown, extra: Record<string, unknown> = {}) => ({
  asyncapi: '2.6.0',
  info: { title: 'Label Printer', version: '1.0.0' },
  channels,
  ...extra,
});
const msg = (name: string, more: Record<string, unknown> = {}) => ({ name, ...more });

describe('AsyncAPI 2.6: one document per service, traits, a shared components file', () => {
  const files = ['audit-log', 'courier-dispatch', 'intake', 'label-printer', 'router'].map((f) =>
    path.join(V2, `${f}.yaml`),
  );
  const read = async () =>
    flowFromAsyncApi(await Promise.all(files.map(async (file) => ({ doc: await readDocument(file), file }))));

  it('names the flow after what the titles share and the entity after x-evt-entity', async () => {
    const flow = await read();
    expect(flow.name).toBe('Parcel Delivery');
    expect(flow.entity).toBe('parcel');
    expect(flow.prefix).toBe('');
  });

  it('reads each channel as a topic, with where the id and the type are', async () => {
    const flow = await read();
    expect(flow.topics.map((t) => t.name).sort()).toEqual([
      'logistics.deliveries',
      'logistics.labels',
      'logistics.parcels',
      'logistics.routes',
    ]);
    // correlationId from a trait in common.yaml (ParcelSubject); ce_type const on the message, merged with the CloudEvent trait's headers
    expect(topic(flow, 'logistics.parcels')).toEqual({
      id: ['$headers.ce_subject'],
      types: ['ParcelRegistered'],
      type: '$headers.ce_type',
    });
    // messageId names the type; the Kafka key binding says (x-evt-id: true) the key is the parcel id; one type, no type header: fixed
    expect(topic(flow, 'logistics.labels')).toEqual({
      id: ['$key'],
      types: ['LabelPrinted'],
      type: 'fixed:LabelPrinted',
    });
    // the channel is named "routes" in router.yaml, its Kafka binding names the topic; courier-dispatch calls it by the topic
    expect(topic(flow, 'logistics.routes')).toEqual({
      id: ['$.parcel.parcelId'],
      types: ['RouteAssigned'],
      type: '$headers.ce_type',
    });
    // a oneOf of local messages, with a single-value enum on the eventType header; the audit log's $refs into courier-dispatch.yaml
    const deliveries = topic(flow, 'logistics.deliveries');
    expect(deliveries.types.sort()).toEqual(['DeliveryFailed', 'OutForDelivery', 'ParcelDelivered']);
    expect(deliveries).toMatchObject({ id: ['$.parcelId'], type: '$headers.eventType' });
    expect(flow.topics.every((t) => !t.deadLetter && t.watch.length === 0)).toBe(true);
  });

  it('reads publish as what the service receives and subscribe as what it sends', async () => {
    const flow = await read();
    expect(reaction(flow, 'label-printer')).toEqual({
      groups: ['label-printer'],
      service: 'label-printer',
      on: ['ParcelRegistered'],
      requires: [],
      answers: ['LabelPrinted'],
      unless: [],
      withinMs: 30_000,
      timer: false,
      followUp: false,
    });
    // groupId const and x-evt-within from an operation trait
    expect(reaction(flow, 'router')).toMatchObject({
      on: ['LabelPrinted'],
      answers: ['RouteAssigned'],
      withinMs: 120_000,
    });
    // a plain-string groupId; answered by anything courier-dispatch sends
    expect(reaction(flow, 'courier-dispatch')).toMatchObject({
      on: ['RouteAssigned'],
      answers: ['OutForDelivery', 'ParcelDelivered', 'DeliveryFailed'],
      withinMs: 4 * 3_600_000,
    });
    expect(flow.reactions).toHaveLength(3);
  });

  it('takes x-evt-final messages as final, and notes the pure consumer and the single-type topic', async () => {
    const flow = await read();
    expect(flow.final).toEqual(['ParcelDelivered', 'DeliveryFailed']);
    expect(flow.notes).toEqual([
      `${files[0]}: channels['logistics.deliveries'].publish receives ParcelDelivered, DeliveryFailed, Parcel Delivery: Audit Log sends nothing: no reaction (a pure consumer)`,
      'logistics.labels carries only LabelPrinted by the documents, which declare no type header: its records are read as LabelPrinted',
    ]);
  });

  it('turns the direction around when publish and subscribe are swapped', () => {
    const doc = (receive: string, send: string) =>
      v2({
        [receive]: {
          publish: {
            bindings: { kafka: { groupId: { type: 'string', enum: ['label-printer'] } } },
            message: msg(receive === 'logistics.parcels' ? 'ParcelRegistered' : 'LabelPrinted'),
          },
        },
        [send]: { subscribe: { message: msg(send === 'logistics.parcels' ? 'ParcelRegistered' : 'LabelPrinted') } },
      });
    expect(
      flowFromAsyncApi([{ doc: doc('logistics.parcels', 'logistics.labels'), file: 'svc.yaml' }]).reactions,
    ).toMatchObject([{ on: ['ParcelRegistered'], answers: ['LabelPrinted'] }]);
    expect(
      flowFromAsyncApi([{ doc: doc('logistics.labels', 'logistics.parcels'), file: 'svc.yaml' }]).reactions,
    ).toMatchObject([{ on: ['LabelPrinted'], answers: ['ParcelRegistered'] }]);
  });
});

describe('AsyncAPI 3.0: one document for the system, operations, reply, evt extensions', () => {
  const read = async () => flowFromAsyncApi([{ doc: await readDocument(V3), file: 'parcel-delivery.json' }]);

  it('reads channel addresses as topics, through channels defined under components', async () => {
    const flow = await read();
    expect(flow.name).toBe('Parcel Delivery');
    expect(flow.entity).toBe('parcel');
    expect(flow.topics.map((t) => t.name)).toEqual([
      'logistics.parcels',
      'logistics.labels',
      'logistics.routes',
      'logistics.deliveries',
    ]);
    expect(topic(flow, 'logistics.parcels')).toEqual({
      id: ['$headers.ce_subject'],
      types: ['ParcelRegistered'],
      type: '$headers.ce_type',
    });
    // no name: the component key; x-evt-id: key
    expect(topic(flow, 'logistics.labels')).toEqual({
      id: ['$key'],
      types: ['LabelPrinted'],
      type: 'fixed:LabelPrinted',
    });
    // in 3.x the message's own correlationId wins over its trait's
    expect(topic(flow, 'logistics.routes')).toEqual({
      id: ['$.parcel.parcelId'],
      types: ['RouteAssigned'],
      type: '$headers.ce_type',
    });
    // no type header; the payload's eventType field (an enum of three) is left to the conventions
    expect(topic(flow, 'logistics.deliveries')).toEqual({
      id: ['$.parcelId'],
      types: ['OutForDelivery', 'ParcelDelivered', 'DeliveryFailed'],
      type: null,
    });
  });

  it('answers a receive operation by its reply, by x-evt-answers, and reads x-evt-within and x-evt-timer', async () => {
    const flow = await read();
    expect(flow.reactions.map((r) => r.groups[0])).toEqual([
      'label-printer',
      'router',
      'courier-dispatch',
      'courier-dispatch-timers',
    ]);
    expect(reaction(flow, 'label-printer')).toMatchObject({
      on: ['ParcelRegistered'],
      answers: ['LabelPrinted'],
      withinMs: 30_000,
      timer: false,
    });
    // groupId enum from an operation trait; the reply a $ref to components.replies; the operation's own x-evt-within over the trait's
    expect(reaction(flow, 'router')).toMatchObject({
      on: ['LabelPrinted'],
      answers: ['RouteAssigned'],
      withinMs: 120_000,
    });
    expect(reaction(flow, 'courier-dispatch')).toMatchObject({
      on: ['RouteAssigned'],
      answers: ['OutForDelivery', 'DeliveryFailed'],
      withinMs: 15 * 60_000,
    });
    expect(reaction(flow, 'courier-dispatch-timers')).toMatchObject({
      on: ['OutForDelivery'],
      answers: ['ParcelDelivered', 'DeliveryFailed'],
      withinMs: 86_400_000,
      timer: true,
      followUp: false,
    });
  });

  it('skips an address with parameters and a consumer whose x-evt-answers is empty, with notes', async () => {
    const flow = await read();
    expect(flow.final).toEqual(['ParcelDelivered']);
    expect(flow.notes).toEqual([
      'parcel-delivery.json: channels.parcelScans: logistics.scans.{depot} has parameters (one topic per value): skipped',
      'parcel-delivery.json: operations.notifyCustomer receives ParcelDelivered, DeliveryFailed, x-evt-answers is empty: no reaction (a pure consumer)',
      'logistics.labels carries only LabelPrinted by the documents, which declare no type header: its records are read as LabelPrinted',
    ]);
  });

  it('gives the same topics and groups as the 2.6 documents', async () => {
    const v3flow = await read();
    const v2flow = await loadFlow(V2);
    const shape = (f: Flow) =>
      f.topics
        .map((t) => ({ name: t.name, id: t.idAt.map(formatIdLocation) }))
        .sort((a, b) => a.name.localeCompare(b.name));
    expect(shape(v3flow)).toEqual(shape(v2flow));
    expect(new Set(v2flow.reactions.map((r) => r.groups[0]))).toEqual(
      new Set(['label-printer', 'router', 'courier-dispatch']),
    );
  });
});

describe('traits', () => {
  const doc = (version: string) => ({
    asyncapi: version,
    info: { title: 'Router', version: '1' },
    channels: {
      'logistics.routes': {
        ...(version.startsWith('3')
          ? {
              address: 'logistics.routes',
              messages: { RouteAssigned: { $ref: '#/components/messages/RouteAssigned' } },
            }
          : {}),
        ...(version.startsWith('2') ? { subscribe: { message: { $ref: '#/components/messages/RouteAssigned' } } } : {}),
      },
    },
    components: {
      messageTraits: {
        subject: {
          correlationId: { location: '$message.header#/ce_subject' },
          headers: { properties: { ce_type: { type: 'string' } } },
        },
      },
      messages: {
        RouteAssigned: {
          name: 'RouteAssigned',
          traits: [{ $ref: '#/components/messageTraits/subject' }],
          correlationId: { location: '$message.payload#/parcel/parcelId' },
          headers: { properties: { ce_type: { const: 'RouteAssigned' } } },
        },
      },
    },
  });

  it('2.x merges each trait over the message (the trait wins); 3.x merges the message over its traits', () => {
    expect(topic(flowFromAsyncApi([{ doc: doc('2.6.0'), file: 'r.yaml' }]), 'logistics.routes')).toEqual({
      id: ['$headers.ce_subject'],
      types: ['RouteAssigned'],
      type: '$headers.ce_type',
    });
    expect(topic(flowFromAsyncApi([{ doc: doc('3.0.0'), file: 'r.yaml' }]), 'logistics.routes')).toEqual({
      id: ['$.parcel.parcelId'],
      types: ['RouteAssigned'],
      type: '$headers.ce_type',
    });
  });

  it('applies JSON Merge Patch: objects merge, null removes, anything else replaces', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, d: [1], e: 'x' }, { a: { c: null, f: 3 }, d: [2], e: { g: 1 } })).toEqual({
      a: { b: 1, f: 3 },
      d: [2],
      e: { g: 1 },
    });
    expect(mergePatch({ a: 1 }, 'x')).toBe('x');
  });

  it('takes a 2.x operation trait that removes a field (null) at its word', () => {
    const flow = flowFromAsyncApi([
      {
        file: 'svc.yaml',
        doc: v2({
          'logistics.parcels': {
            publish: {
              traits: [{ 'x-evt-within': null }],
              'x-evt-within': '5s',
              bindings: { kafka: { groupId: 'label-printer' } },
              message: msg('ParcelRegistered'),
            },
          },
          'logistics.labels': { subscribe: { message: msg('LabelPrinted') } },
        }),
      },
    ]);
    expect(reaction(flow, 'label-printer').withinMs).toBeNull();
  });
});

describe('groups, answers and the extensions', () => {
  it('names the group after the title when the receive operation has no groupId, with a note', () => {
    const flow = flowFromAsyncApi([
      {
        file: 'svc.yaml',
        doc: v2({
          'logistics.parcels': { publish: { message: msg('ParcelRegistered') } },
          'logistics.labels': { subscribe: { message: msg('LabelPrinted') } },
        }),
      },
    ]);
    expect(reaction(flow, 'label-printer').on).toEqual(['ParcelRegistered']);
    expect(flow.notes).toContain(
      "svc.yaml: channels['logistics.parcels'].publish names no Kafka groupId: its group is taken to be label-printer (the title, kebab-cased)",
    );
  });

  it('reads a groupId schema naming several groups as candidates, and one naming none as none', () => {
    const doc = (groupId: unknown) =>
      v2({
        'logistics.parcels': { publish: { bindings: { kafka: { groupId } }, message: msg('ParcelRegistered') } },
        'logistics.labels': { subscribe: { message: msg('LabelPrinted') } },
      });
    expect(
      flowFromAsyncApi([{ doc: doc({ type: 'string', enum: ['label-printer', 'label-printer-v2'] }), file: 's.yaml' }])
        .reactions[0].groups,
    ).toEqual(['label-printer', 'label-printer-v2']);
    const unnamed = flowFromAsyncApi([{ doc: doc({ type: 'string', pattern: '^label-' }), file: 's.yaml' }]);
    expect(unnamed.reactions[0].groups).toEqual(['label-printer']);
    expect(unnamed.notes[0]).toMatch(
      /has a groupId schema naming no group \(no const or enum\): its group is taken to be label-printer/,
    );
    expect(fails([{ doc: doc(42), file: 's.yaml' }])).toBe(
      "s.yaml: channels['logistics.parcels'].publish.bindings.kafka.groupId: expected a schema naming the group ({type: string, enum: [<group>]}) or a group id, got 42",
    );
  });

  it('reads x-evt-requires, x-evt-unless and x-evt-follow-up, and x-evt-answers over what the service sends', () => {
    const flow = flowFromAsyncApi([
      {
        file: 'billing.yaml',
        doc: {
          asyncapi: '3.1.0',
          info: { title: 'Billing', version: '1' },
          channels: {
            deliveries: {
              address: 'logistics.deliveries',
              messages: { DeliveryFailed: { name: 'DeliveryFailed' }, ParcelReturned: { name: 'ParcelReturned' } },
            },
            refunds: {
              address: 'billing.refunds',
              messages: { RefundIssued: { name: 'RefundIssued' }, RefundRefused: { name: 'RefundRefused' } },
            },
          },
          operations: {
            refund: {
              action: 'receive',
              channel: { $ref: '#/channels/deliveries' },
              messages: [{ $ref: '#/channels/deliveries/messages/DeliveryFailed' }],
              bindings: { kafka: { groupId: { const: 'billing' } } },
              'x-evt-requires': [['ParcelReturned', 'DeliveryFailed']],
              'x-evt-unless': 'RefundRefused',
              'x-evt-follow-up': true,
              'x-evt-answers': ['RefundIssued'],
            },
            issue: { action: 'send', channel: { $ref: '#/channels/refunds' } },
          },
        },
      },
    ]);
    expect(flow.reactions).toEqual([
      {
        groups: ['billing'],
        service: 'billing',
        on: ['DeliveryFailed'],
        requires: [['ParcelReturned', 'DeliveryFailed']],
        answers: ['RefundIssued'],
        unless: ['RefundRefused'],
        withinMs: null,
        timer: false,
        followUp: true,
      },
    ]);
  });

  it('notes a conventional type header whose const is not the type', () => {
    const flow = flowFromAsyncApi([
      {
        file: 'svc.yaml',
        doc: v2({
          'logistics.parcels': {
            subscribe: {
              message: msg('ParcelRegistered', {
                headers: { properties: { ce_type: { const: 'com.acme.parcel.registered.v1' } } },
              }),
            },
          },
        }),
      },
    ]);
    expect(topic(flow, 'logistics.parcels').type).toBeNull();
    expect(flow.notes).toEqual([
      'logistics.parcels: ParcelRegistered declares header ce_type as "com.acme.parcel.registered.v1", not ParcelRegistered: records will not name the type ParcelRegistered there',
    ]);
  });

  it('takes a payload type field whose const is the type for the type location', () => {
    const payload = (name: string) => ({
      type: 'object',
      allOf: [{ properties: { eventType: { const: name } } }],
      properties: { parcelId: { type: 'string' } },
    });
    const flow = flowFromAsyncApi([
      {
        file: 'svc.yaml',
        doc: v2({
          'logistics.parcels': {
            subscribe: {
              message: {
                oneOf: [
                  msg('ParcelRegistered', { payload: payload('ParcelRegistered') }),
                  msg('ParcelCancelled', { payload: payload('ParcelCancelled') }),
                ],
              },
            },
          },
        }),
      },
    ]);
    expect(topic(flow, 'logistics.parcels')).toEqual({
      id: [],
      types: ['ParcelRegistered', 'ParcelCancelled'],
      type: '$.eventType',
    });
  });

  it('merges several documents: a topic is the union of their types, a group on the same trigger one reaction', () => {
    const a = v2({
      'logistics.deliveries': {
        publish: { bindings: { kafka: { groupId: 'notifier' } }, message: msg('ParcelDelivered') },
      },
      'notify.sms': { subscribe: { message: msg('SmsSent') } },
    });
    const b = {
      ...v2({
        'logistics.deliveries': {
          publish: { bindings: { kafka: { groupId: 'notifier' } }, message: msg('ParcelDelivered') },
        },
        'notify.mail': { subscribe: { message: msg('MailSent') } },
      }),
      info: { title: 'Mailer', version: '1' },
    };
    const c = {
      ...v2({
        'logistics.deliveries': { subscribe: { message: { oneOf: [msg('OutForDelivery'), msg('ParcelDelivered')] } } },
      }),
      info: { title: 'Courier', version: '1' },
    };
    const flow = flowFromAsyncApi([
      { doc: a, file: 'a.yaml' },
      { doc: b, file: 'b.yaml' },
      { doc: c, file: 'c.yaml' },
    ]);
    expect(flow.name).toBe('asyncapi');
    expect(topic(flow, 'logistics.deliveries').types).toEqual(['ParcelDelivered', 'OutForDelivery']);
    expect(flow.reactions).toHaveLength(1);
    expect(reaction(flow, 'notifier').answers).toEqual(['SmsSent', 'MailSent']);
  });

  it('leaves out of reactions a type that is on no topic evt reads', () => {
    const flow = flowFromAsyncApi([
      {
        file: 'scanner.json',
        doc: {
          asyncapi: '3.0.0',
          info: { title: 'Scanner', version: '1' },
          channels: {
            parcels: { address: 'logistics.parcels', messages: { ParcelRegistered: { name: 'ParcelRegistered' } } },
            scans: { address: 'logistics.scans.{depot}', messages: { ParcelScanned: { name: 'ParcelScanned' } } },
          },
          operations: {
            scan: {
              action: 'receive',
              channel: { $ref: '#/channels/parcels' },
              bindings: { kafka: { groupId: 'scanner' } },
            },
            report: { action: 'send', channel: { $ref: '#/channels/scans' } },
          },
        },
      },
    ]);
    expect(flow.reactions).toEqual([]);
    expect(flow.notes).toEqual([
      'scanner.json: channels.scans: logistics.scans.{depot} has parameters (one topic per value): skipped',
      'logistics.parcels carries only ParcelRegistered by the documents, which declare no type header: its records are read as ParcelRegistered',
      'scanner: its reaction is left out: its answers are on no topic evt reads',
      'ParcelScanned: on no topic evt reads (skipped channels), left out of reactions and final types',
    ]);
  });

  it('kebab-cases titles', () => {
    expect(kebab('Parcel Delivery: Audit Log')).toBe('parcel-delivery-audit-log');
    expect(kebab('CourierDispatch')).toBe('courier-dispatch');
  });
});

describe('errors name the file and the JSON path', () => {
  it('a $ref to nothing', () => {
    const doc = v2(
      { parcels: { publish: { message: { $ref: '#/components/messages/Nope' } } } },
      { components: { messages: {} } },
    );
    expect(fails([{ doc, file: 'svc.yaml' }])).toBe(
      'svc.yaml: channels.parcels.publish.message.$ref: #/components/messages/Nope not found',
    );
  });

  it('a $ref to a file that is not there, or over the network', async () => {
    const file = path.join(FIXTURES, 'broken', 'missing-file.yaml');
    expect(fails([{ doc: await readDocument(file), file }])).toBe(
      `${file}: channels['logistics.parcels'].subscribe.message.$ref: ./shared/messages.yaml#/components/messages/ParcelRegistered: cannot read ${path.join(FIXTURES, 'broken', 'shared', 'messages.yaml')}: no such file`,
    );
    const remote = v2({
      parcels: { subscribe: { message: { $ref: 'https://schemas.example.com/parcel.yaml#/components/messages/P' } } },
    });
    expect(fails([{ doc: remote, file: 'svc.yaml' }])).toMatch(
      /^svc\.yaml: channels\.parcels\.subscribe\.message\.\$ref: https:\/\/schemas.example.com\/parcel\.yaml#\/components\/messages\/P: evt reads no document over the network/,
    );
  });

  it('a $ref cycle, in a document and across two files', async () => {
    const doc = v2(
      { parcels: { publish: { message: { $ref: '#/components/messages/A' } } } },
      { components: { messages: { A: { $ref: '#/components/messages/B' }, B: { $ref: '#/components/messages/A' } } } },
    );
    expect(fails([{ doc, file: 'svc.yaml' }])).toBe(
      'svc.yaml: channels.parcels.publish.message.$ref: $ref cycle: #/components/messages/A -> #/components/messages/B -> #/components/messages/A',
    );
    await expect(loadFlow(path.join(FIXTURES, 'broken', 'cycle-a.yaml'))).rejects.toThrow(
      `${path.join(FIXTURES, 'broken', 'cycle-a.yaml')}: channels['logistics.parcels'].publish.message.$ref: $ref cycle: ./cycle-b.yaml#/components/messages/Loop -> #/components/messages/Loop -> ./cycle-b.yaml#/components/messages/Loop`,
    );
  });

  it('an AsyncAPI version it does not read', () => {
    const doc = (asyncapi: unknown) => ({ ...v2({}), asyncapi });
    expect(fails([{ doc: doc('1.2.0'), file: 'old.yaml' }])).toBe(
      'old.yaml: asyncapi: version "1.2.0" is not read (AsyncAPI 2.0 to 2.6 and 3.0 to 3.1 are)',
    );
    expect(fails([{ doc: doc('4.0.0'), file: 'next.yaml' }])).toBe(
      'next.yaml: asyncapi: version "4.0.0" is not read (AsyncAPI 2.0 to 2.6 and 3.0 to 3.1 are)',
    );
    expect(fails([{ doc: doc(3), file: 'n.yaml' }])).toBe(
      'n.yaml: asyncapi: version 3 is not read (AsyncAPI 2.0 to 2.6 and 3.0 to 3.1 are)',
    );
    expect(fails([{ doc: { info: { title: 'x' } }, file: 'x.yaml' }])).toBe(
      'x.yaml: asyncapi: missing: not an AsyncAPI document (AsyncAPI 2.0 to 2.6 and 3.0 to 3.1 are read)',
    );
  });

  it('an evt flow file naming one document as a string: an import like a list of one', async () => {
    const file = path.join(FIXTURES, 'broken', 'single-import.yaml');
    // one document named as a string is an import, not a version
    const f = await loadFlow(file);
    expect(f.name).toBe('parcels');
    expect(f.final).toEqual(['ParcelDelivered', 'DeliveryFailed']);
    expect(f.topics.map((t) => t.name)).toContain('logistics.routes');
  });

  it('an operation without its channel, or with a channel that is not there', () => {
    const doc = (operation: Record<string, unknown>) => ({
      asyncapi: '3.0.0',
      info: { title: 'Router', version: '1' },
      channels: { labels: { address: 'logistics.labels' } },
      operations: { assignRoute: { action: 'receive', ...operation } },
    });
    expect(fails([{ doc: doc({}), file: 'router.json' }])).toBe(
      'router.json: operations.assignRoute.channel: missing: an operation names its channel ($ref: "#/channels/<name>")',
    );
    expect(fails([{ doc: doc({ channel: { $ref: '#/channels/routes' } }), file: 'router.json' }])).toBe(
      'router.json: operations.assignRoute.channel.$ref: #/channels/routes not found',
    );
    expect(
      fails([{ doc: doc({ action: 'consume', channel: { $ref: '#/channels/labels' } }), file: 'router.json' }]),
    ).toBe('router.json: operations.assignRoute.action: expected send or receive, got "consume"');
  });

  it('a message without a name, a bad correlationId (at the trait that has it), a bad extension', () => {
    expect(
      fails([{ doc: v2({ parcels: { subscribe: { message: { payload: { type: 'object' } } } } }), file: 'svc.yaml' }]),
    ).toBe(
      'svc.yaml: channels.parcels.subscribe.message: a message needs a name (name, messageId, a key under components.messages, or title)',
    );
    const traitDoc = v2(
      { parcels: { subscribe: { message: { $ref: '#/components/messages/P' } } } },
      {
        components: {
          messageTraits: { T: { correlationId: { location: 'ce_subject' } } },
          messages: { P: { traits: [{ $ref: '#/components/messageTraits/T' }] } },
        },
      },
    );
    expect(fails([{ doc: traitDoc, file: 'svc.yaml' }])).toMatch(
      /^svc\.yaml: components\.messageTraits\.T\.correlationId\.location: bad path "ce_subject"/,
    );
    const within = v2({ parcels: { publish: { 'x-evt-within': 'soon', message: msg('P') } } });
    expect(fails([{ doc: within, file: 'svc.yaml' }])).toBe(
      'svc.yaml: channels.parcels.publish.x-evt-within: expected a duration such as 500ms, 30s or 5m, got "soon"',
    );
    const answers = v2({
      parcels: { publish: { 'x-evt-answers': ['LabelPrintd'], message: msg('P') } },
      labels: { subscribe: { message: msg('LabelPrinted') } },
    });
    expect(fails([{ doc: answers, file: 'svc.yaml' }])).toBe(
      'svc.yaml: channels.parcels.publish.x-evt-answers: LabelPrintd: no message of the documents has this name',
    );
  });
});

describe('loadFlow', () => {
  it('loads a 3.0 document from its file', async () => {
    const flow = await loadFlow(V3);
    expect(flow.source).toBe(V3);
    expect(flow.reactions).toHaveLength(4);
  });

  it('loads a directory of 2.6 documents, the shared components file among them', async () => {
    const flow = await loadFlow(V2);
    expect(flow.source).toBe(V2);
    expect(flow.name).toBe('Parcel Delivery');
    expect(reaction(flow, 'router').answers).toEqual(['RouteAssigned']);
  });

  it('puts a prefix before every topic and group', async () => {
    const flow = await loadFlow(V2, { prefix: 'dev.' });
    expect(flow.topics.map((t) => t.name).every((n) => n.startsWith('dev.logistics.'))).toBe(true);
    expect(reaction(flow, 'dev.router').on).toEqual(['LabelPrinted']);
  });

  it('loads an evt flow file that names AsyncAPI documents and adds final types and a within', async () => {
    const file = path.join(FIXTURES, 'parcel-flow.yaml');
    const flow = await loadFlow(file);
    expect(flow.name).toBe('parcels');
    expect(flow.source).toBe(file);
    expect(flow.entity).toBe('parcel');
    expect(flow.final).toEqual(['ParcelDelivered', 'DeliveryFailed']);
    // the file describes the router alone; the other groups are the document's
    expect(reaction(flow, 'router')).toMatchObject({
      on: ['LabelPrinted'],
      answers: ['RouteAssigned'],
      withinMs: 90_000,
    });
    expect(reaction(flow, 'label-printer').withinMs).toBe(30_000);
    expect(flow.reactions).toHaveLength(4);
    expect(flowTopic(flow, 'logistics.deliveries')).toMatchObject({
      watch: ['reason'],
      types: ['OutForDelivery', 'ParcelDelivered', 'DeliveryFailed'],
    });
    expect(topic(flow, 'logistics.routes').id).toEqual(['$.parcel.parcelId']);
  });
});
