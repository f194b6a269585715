// evt's flow files (JSON and YAML): what they say, the errors that name the file and the field, the prefix,
// the way back to a file, and the bundled workflow's flow (flows/shop.json) kept equal to the one built from
// the catalogue.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFlow } from '../../src/flow/load.js';
import {
  FlowError,
  flowFromFile,
  flowGroups,
  flowJson,
  flowToFile,
  judgedTypes,
  stateAfter,
} from '../../src/flow/model.js';
import { flowMermaid, flowText } from '../../src/flow/render.js';
import { detectWorkflow, workflowFlow } from '../../src/workflow/flow.js';
import { workflowNames } from '../../src/workflow/names.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-flow-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

const PARCELS = {
  flow: 'parcels',
  entity: 'parcel',
  prefix: 'logistics.',
  topics: {
    parcels: { id: '$key', types: ['ParcelRegistered'] },
    routes: { id: ['$.parcel.parcelId', '$headers.ce_subject'], types: ['RouteAssigned'], type: '$headers.ce_type' },
    'labels.DLT': { deadLetter: true },
    deliveries: { id: '$.shipment.parcel_id', types: ['ParcelDelivered'] },
  },
  reactions: [
    { group: 'router', on: 'ParcelRegistered', answers: 'RouteAssigned', within: '30s' },
    {
      group: 'courier',
      service: 'couriers',
      on: ['RouteAssigned'],
      requires: [['RouteAssigned']],
      answers: ['ParcelDelivered'],
      timer: true,
      followUp: true,
    },
  ],
  final: ['ParcelDelivered'],
  reasons: { ParcelDelivered: '$.signedBy' },
};

describe('evt flow files', () => {
  it('reads topics, id and type locations, reactions, final types, with the prefix on topics and groups', () => {
    const f = flowFromFile(PARCELS, 'p.json', null);
    expect(f.name).toBe('parcels');
    expect(f.topics.map((t) => t.name)).toEqual([
      'logistics.parcels',
      'logistics.routes',
      'logistics.labels.DLT',
      'logistics.deliveries',
    ]);
    expect(f.topics[1].idAt.map((l) => l.text)).toEqual(['$.parcel.parcelId', '$headers.ce_subject']);
    expect(f.topics[1].typeAt).toMatchObject({ from: 'header', name: 'ce_type' });
    expect(f.topics[2].deadLetter).toBe(true);
    expect(f.reactions[0]).toEqual({
      groups: ['logistics.router'],
      service: 'router',
      on: ['ParcelRegistered'],
      requires: [],
      answers: ['RouteAssigned'],
      unless: [],
      withinMs: 30_000,
      timer: false,
      followUp: false,
    });
    expect(f.reactions[1]).toMatchObject({
      groups: ['logistics.courier'],
      service: 'couriers',
      timer: true,
      followUp: true,
      requires: [['RouteAssigned']],
    });
    expect(flowGroups(f)).toEqual([
      { group: 'logistics.router', service: 'router' },
      { group: 'logistics.courier', service: 'couriers' },
    ]);
    expect([...judgedTypes(f)].sort()).toEqual(['ParcelDelivered', 'ParcelRegistered', 'RouteAssigned']);
    // keys: where the entity's events name the keys of a topic keyed by something else
    const joined = flowFromFile(
      { ...PARCELS, topics: { ...PARCELS.topics, depots: { id: '$headers.ce_subject', keys: '$.route.depots[*]' } } },
      'p.json',
      null,
    );
    expect(joined.topics.find((t) => t.name === 'logistics.depots')!.keys.map((k) => k.text)).toEqual([
      '$.route.depots[*]',
    ]);
    expect(f.topics[0].keys).toEqual([]);
    // --prefix replaces the file's own
    expect(flowFromFile(PARCELS, 'p.json', null, 'dev.').topics[0].name).toBe('dev.parcels');
  });

  it('names the file and the field of every mistake', () => {
    const bad = (patch: Record<string, unknown>) => () => flowFromFile({ ...PARCELS, ...patch }, 'p.json', null);
    expect(bad({ topics: { parcels: { id: 'parcelId' } } })).toThrow(
      'p.json: topics.parcels.id: bad path "parcelId": a path starts with $',
    );
    expect(bad({ reactions: [{ on: 'ParcelRegistered', answers: 'RouteAssigned' }] })).toThrow(
      'p.json: reactions[0]: names no consumer group (group: <id>)',
    );
    expect(
      bad({ reactions: [{ group: 'g', on: 'ParcelRegistered', answers: 'RouteAssigned', within: 'soon' }] }),
    ).toThrow('p.json: reactions[0].within: expected a duration such as 500ms, 30s or 5m, got "soon"');
    expect(bad({ reactions: [{ group: 'g', on: 'Nope', answers: 'RouteAssigned' }] })).toThrow(
      'p.json: reactions[0] (g) names Nope, which no topic declares',
    );
    expect(bad({ topics: { parcels: { id: '$key', typo: 1 } } })).toThrow(
      'p.json: topics.parcels.typo: unknown field (known: id, types, type, deadLetter, watch, values, keys, description)',
    );
    expect(bad({ topics: { parcels: { id: '$key', keys: ['$.depot', 'depot'] } } })).toThrow(
      'p.json: topics.parcels.keys[1]: bad path "depot": a path starts with $ (the value)',
    );
    expect(bad({ final: 'Nope' })).toThrow('final names Nope, which no topic declares');
    expect(bad({ topics: { parcels: { type: '$key' } } })).toThrow('the key holds no event type');
    expect(() => flowFromFile([], 'p.json', null)).toThrow(FlowError);
  });

  it('loads JSON and YAML files; a YAML error says the line', async () => {
    const yaml = write(
      'parcels.yaml',
      `flow: parcels\nentity: parcel\ntopics:\n  parcels:\n    id: $key\n    types: [ParcelRegistered, ParcelDelivered]\nreactions:\n  - group: courier\n    on: ParcelRegistered\n    answers: ParcelDelivered\n    within: 5m\nfinal: [ParcelDelivered]\n`,
    );
    const f = await loadFlow(yaml);
    expect(f).toMatchObject({ name: 'parcels', entity: 'parcel', final: ['ParcelDelivered'], source: yaml });
    expect(f.reactions[0].withinMs).toBe(300_000);
    const json = write('parcels.json', JSON.stringify(PARCELS));
    expect((await loadFlow(json)).topics).toHaveLength(4);
    const broken = write('broken.yaml', 'flow: x\ntopics:\n  a: [unclosed\n');
    await expect(loadFlow(broken)).rejects.toThrow(/broken\.yaml:\d+:\d+ is not YAML/);
    await expect(loadFlow(write('broken.json', '{"flow":'))).rejects.toThrow('broken.json is not JSON');
    await expect(loadFlow(path.join(dir, 'nope.json'))).rejects.toThrow(
      'flow ' + path.join(dir, 'nope.json') + ' not found',
    );
  });

  it('goes back to a file that reads as the same flow', () => {
    const f = flowFromFile(PARCELS, 'p.json', null);
    const again = flowFromFile(JSON.parse(flowJson(flowToFile(f))), 'p.json', null);
    expect(again).toEqual(f);
  });

  it('shows a flow as text and as a Mermaid flowchart', () => {
    const f = flowFromFile(PARCELS, 'p.json', null);
    const text = flowText(f).join('\n');
    expect(text).toMatch(
      /logistics\.routes +id at \$\.parcel\.parcelId or \$headers\.ce_subject; type at \$headers\.ce_type; RouteAssigned/,
    );
    expect(text).toContain(
      'ParcelRegistered -> router (group logistics.router) on consuming it -> RouteAssigned within 30s',
    );
    expect(text).toContain('final: ParcelDelivered');
    const mermaid = flowMermaid(f);
    expect(mermaid[0]).toBe('flowchart LR');
    expect(mermaid).toContain('  t0["ParcelRegistered"]');
    expect(mermaid).toContain('  t2(["ParcelDelivered"])');
    expect(mermaid).toContain('  t0 -->|"router, 30s"| t1');
  });
});

describe('the bundled workflow as a flow', () => {
  it('flows/shop.json is the flow built from the catalogue', async () => {
    const file = await loadFlow('shop');
    const built = workflowFlow();
    expect({ ...file, source: 'x', notes: [] }).toEqual({ ...built, source: 'x', notes: [] });
  });

  it('its states and final types follow the orders state machine', () => {
    const shop = workflowFlow();
    expect(stateAfter(shop, ['OrderRequested', 'OrderPlaced', 'StockReserved'])).toBe('PLACED');
    expect(stateAfter(shop, ['OrderRequested'])).toBe('REQUESTED');
    expect(shop.final).toEqual(['OrderRejected', 'OrderCompleted', 'OrderCancelled']);
    expect(flowGroups(shop).map((g) => g.group)).toEqual([
      'shop.orders-service',
      'shop.inventory-service',
      'shop.payments-service',
      'shop.fraud-service',
      'shop.shipping-service',
    ]);
  });

  it('is found on a cluster by its topics, under the default prefix, without one (older data) or another', () => {
    const topics = (prefix: string) =>
      workflowFlow(workflowNames(prefix))
        .topics.filter((t) => !t.deadLetter)
        .map((t) => t.name);
    expect(detectWorkflow([...topics('shop.'), 'other'])).toEqual({ prefix: 'shop.' });
    expect(detectWorkflow(topics(''))).toEqual({ prefix: '' });
    expect(detectWorkflow(topics('acme.'))).toEqual({ prefix: 'acme.' });
    expect(detectWorkflow(['orders', 'payments'])).toBeNull();
    expect(workflowFlow(workflowNames('')).reactions[0].groups).toEqual(['evt-workflow-orders']);
  });
});
