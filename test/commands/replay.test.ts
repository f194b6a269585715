// `evt replay <view> --view-file FILE` as a user runs it (in process, against a real broker): a view file
// that cannot work is refused when it is loaded, before anything is read (exit 2, its file and line); a view
// whose code throws on every event stops with exit 1 and the first error, its batch committed with the
// errors, so that the view's rows and offsets stay as one transaction left them; a view that rejects some
// events goes on, records each error with its position once, and says how many on stderr (exit 0).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evt, sandbox, type Sandbox } from '../helpers/admin.js';
import { startBrokerWithClients, type BrokerWithClients } from '../helpers/broker.js';
import { lines } from '../helpers/produce-tail.js';

let bed: BrokerWithClients;
let sb: Sandbox;
const TOPIC = 'counts';
const EVENTS = 10;

beforeAll(async () => {
  bed = await startBrokerWithClients({ inMemory: true });
  await bed.admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
  await bed.producer.send({
    topic: TOPIC,
    messages: Array.from({ length: EVENTS }, (_, n) => ({ key: `k-${n}`, value: JSON.stringify({ n }) })),
  });
  sb = sandbox();
});
afterAll(async () => {
  await bed?.close();
  if (sb) fs.rmSync(path.dirname(sb.cwd), { recursive: true, force: true });
});

/**
 * Writes a code view over the topic to `<name>.mjs` in the sandbox (`apply` from its line 6) and runs
 * `evt replay <name> --view-file <name>.mjs --db <db>`.
 */
function replay(name: string, apply: string, db = 'views.db') {
  fs.writeFileSync(
    path.join(sb.cwd, `${name}.mjs`),
    `export default {\n  name: '${name}',\n  topics: ['${TOPIC}'],\n  key: 'id',\n  columns: { id: 'TEXT', n: 'INTEGER' },\n${apply}\n};\n`,
  );
  return evt(['--brokers', bed.broker.bootstrap, 'replay', name, '--view-file', `${name}.mjs`, '--db', db], { sb });
}

const query = async (sql: string) => {
  const r = await evt(['--json', 'view', 'query', sql, '--db', 'views.db'], { sb });
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as { rows: Record<string, unknown>[] }).rows;
};

describe('evt replay --view-file', () => {
  it('a view whose code throws on every event stops with exit 1 and the first error, position once', async () => {
    const r = await replay(
      'v-broken',
      '  apply(event, view) {\n    view.upsert({ id: event.key, n: event.value.count.n });\n  },',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      `evt: view v-broken: ${TOPIC}-0@0: v-broken.mjs:7: TypeError: Cannot read properties of undefined (reading 'n'); ` +
        `its code threw on all ${EVENTS} events of the batch, now in its errors table (evt view show v-broken): ` +
        'fix the view file and replay with --rebuild',
    ]);
    // the batch is committed as any other: its errors and the offset after it, in one transaction
    const errors = await query("SELECT offset, error FROM _evt_errors WHERE view = 'v-broken' ORDER BY offset");
    expect(errors).toHaveLength(EVENTS);
    expect(errors[3]).toEqual({
      offset: 3,
      error: "v-broken.mjs:7: TypeError: Cannot read properties of undefined (reading 'n')",
    });
    expect(await query("SELECT next_offset FROM _evt_offsets WHERE view = 'v-broken'")).toEqual([
      { next_offset: EVENTS },
    ]);
  });

  it('a view that throws on some events goes on, stores each error with its position once, and counts them', async () => {
    const r = await replay(
      'v-odd',
      "  apply(event, view) {\n    if (event.offset % 2 === 1) throw new Error('odd offset');\n    view.upsert({ id: event.key, n: event.value.n });\n  },",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^v-odd: ${EVENTS} events applied in .*, 5 to the errors table; views\\.db\\n$`),
    );
    expect(lines(r.stderr)).toEqual([
      `evt replay v-odd: 5 of ${EVENTS} events went to the errors table, the first ${TOPIC}-0@1: v-odd.mjs:7: odd offset (evt view show v-odd)`,
    ]);
    const errors = await query(
      "SELECT topic, partition, offset, error FROM _evt_errors WHERE view = 'v-odd' ORDER BY offset",
    );
    expect(errors).toEqual(
      [1, 3, 5, 7, 9].map((offset) => ({ topic: TOPIC, partition: 0, offset, error: 'v-odd.mjs:7: odd offset' })),
    );
    expect(await query('SELECT id FROM "v-odd" ORDER BY n')).toEqual([0, 2, 4, 6, 8].map((n) => ({ id: `k-${n}` })));
  });

  it('an async apply is refused when the file is loaded: exit 2, its file and line, nothing created', async () => {
    const r = await replay(
      'v-async',
      '  async apply(event, view) {\n    view.upsert({ id: event.key });\n  },',
      'async.db',
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'evt: v-async.mjs:6: apply is async; it must be synchronous (it runs inside a SQLite transaction)\n',
    );
    expect(fs.existsSync(path.join(sb.cwd, 'async.db'))).toBe(false);
  });

  it('a syntax error: exit 2, file:line:column and the message', async () => {
    const r = await replay('v-syntax', '  apply(event, view) {\n    view.upsert({ id: event.key n: 1 });\n  },');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("evt: v-syntax.mjs:7:33: SyntaxError: Unexpected identifier 'n'\n");
  });
});
