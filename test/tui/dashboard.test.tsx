// The dashboard's components with the fake source: every panel shows its data, the keys move the focus and
// the selection, filter, pause, open a trace or a drill-down and the help, and frames at 80x24 and larger
// sizes keep every panel border whole.

import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/app.js';
import { FakeSource } from '../../src/tui/fake-source.js';
import { KEYS } from '../../src/tui/keys.js';
import { FEED_CAPACITY, Ring, type Snapshot } from '../../src/tui/source.js';
import { snapshotText } from '../../src/tui/text-snapshot.js';
import { sceneOrderId, sceneSnapshot, sceneSource, sceneTrace } from './scene.js';
import { statusLine } from '../../src/tui/panels/status.js';
import { feedNeed } from '../../src/tui/panels/feed.js';

const AT = Date.parse('2026-11-22T10:00:00Z');
const WIDE = { columns: 150, rows: 40 };
const SMALL = { columns: 80, rows: 24 };
const KEY = { tab: '\t', down: '\x1b[B', up: '\x1b[A', enter: '\r', esc: '\x1b', backspace: '\x7f' };

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

async function until(test: () => boolean, what: () => string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The app on a fake source at a size, with helpers to press keys and wait for the screen. */
async function mount(size = WIDE, source: FakeSource = sceneSource(sceneSnapshot(AT))) {
  let quits = 0;
  const r = render(<App source={source} onQuit={() => quits++} size={size} />);
  mounted.push(r);
  const frame = () => r.lastFrame() ?? '';
  // ink arms its input handlers in an effect after the first frame
  await until(() => frame().includes(' evt '), frame);
  await new Promise((res) => setImmediate(res));
  return {
    source,
    frame,
    quits: () => quits,
    press: async (...keys: string[]) => {
      for (const k of keys) {
        const before = r.frames.length;
        r.stdin.write(k);
        // a key that changes nothing draws no frame: wait a little, not forever
        await until(
          () => r.frames.length > before,
          () => `no frame after ${JSON.stringify(k)}`,
          300,
        ).catch(() => undefined);
        await new Promise((res) => setImmediate(res));
      }
    },
    see: async (text: string) => {
      await until(
        () => frame().includes(text),
        () => `"${text}" not on screen:\n${frame()}`,
      );
    },
  };
}

/** The frame's lines, with the panels found by their corners. */
function checkBorders(frame: string, size: { columns: number; rows: number }, minPanels = 2): void {
  const lines = frame.split('\n');
  expect(lines).toHaveLength(size.rows - 1);
  // ink drops trailing spaces: panel rows end with a border, so they must be exactly the width
  for (const [i, line] of lines.entries()) {
    const width = [...line].length;
    if (/^[╭│╰]/.test(line)) expect(width, `line ${i} is ${width} wide: ${line}`).toBe(size.columns);
    else expect(width, `line ${i} is ${width} wide: ${line}`).toBeLessThanOrEqual(size.columns);
  }
  // every panel column: a top corner on some line has, below it, sides on each line until its bottom corner
  let panels = 0;
  for (const [y, line] of lines.entries()) {
    const chars = [...line];
    for (let x = 0; x < chars.length; x++) {
      if (chars[x] !== '╭') continue;
      panels++;
      const right = chars.indexOf('╮', x);
      expect(right, `panel at ${y},${x} has no top-right corner`).toBeGreaterThan(x);
      let yy = y + 1;
      for (; yy < lines.length && [...lines[yy]][x] === '│'; yy++)
        expect([...lines[yy]][right], `right side of the panel at ${y},${x}, line ${yy}`).toBe('│');
      expect([...lines[yy]][x], `bottom-left corner of the panel at ${y},${x}`).toBe('╰');
      expect([...lines[yy]][right], `bottom-right corner of the panel at ${y},${x}`).toBe('╯');
    }
  }
  expect(panels).toBeGreaterThanOrEqual(minPanels);
}

/** The rows inside the panel whose top border starts with `╭─ title` (its borders left out), in a frame of panels side by side. */
function panelRows(frame: string, title: string): string[] {
  const lines = frame.split('\n').map((l) => [...l]);
  for (const [y, chars] of lines.entries()) {
    const x = chars.join('').indexOf(`╭─ ${title}`);
    if (x < 0) continue;
    const left = [...chars.join('').slice(0, x)].length;
    const right = chars.indexOf('╮', left);
    const rows: string[] = [];
    for (let yy = y + 1; yy < lines.length && lines[yy][left] === '│'; yy++)
      rows.push(
        lines[yy]
          .slice(left + 1, right)
          .join('')
          .trimEnd(),
      );
    return rows;
  }
  return [];
}

/** The inner width of the panel whose top border starts with `╭─ title`. */
function panelWidth(frame: string, title: string): number {
  const line = frame.split('\n').find((l) => l.includes(`╭─ ${title}`))!;
  const from = line.indexOf(`╭─ ${title}`);
  return line.indexOf('╮', from) - from - 1;
}

describe('panels', () => {
  it('the status bar, the flow, services, topics and feed show the snapshot', async () => {
    const s = sceneSnapshot(AT);
    const { frame } = await mount(WIDE, sceneSource(s));
    const f = frame();
    // status bar
    expect(f.split('\n')[0]).toMatch(
      /^ evt {2}embedded 127\.0\.0\.1:9092 │ registry http:\/\/127\.0\.0\.1:8081 │ up 20s │ sim 20\/s, 400 sent │ inventory stopped, back in 15s +10:00:00$/,
    );
    // the flow: states, reasons, latency, the stuck list with what each waits for
    expect(f).toContain('completed 321');
    expect(f).toContain('rejected 31');
    expect(f).toContain('payment declined 17');
    expect(f).toContain('e2e p50 850ms p95 1.4s');
    expect(f).toContain('stuck 6 not final after 2.0s');
    expect(f).toMatch(new RegExp(`${sceneOrderId(380)} PLACED +5\\.0s  inventory: StockReserved or StockRes`));
    // services: inventory down with its lag, the orders service's dead letter
    expect(f).toMatch(/│inventory +DOWN +Empty +0 +77 +▁▁▁▂▅█ +0 +0 *│/);
    expect(f).toMatch(/│orders +up +Stable +1 +0 +▁▁▁▁▁▁ +20 +1 *│/);
    // topics: partitions, records, rate, last event type
    expect(f).toMatch(/│shop\.orders +3 +1\.2k +21 +[▆▇█]{5,} OrderCompleted/);
    expect(f).toMatch(/│shop\.inventory\.stock +1 +1\.3k +23 .*StockLevel/);
    // the feed ends with the newest event
    const newest = s.feed[s.feed.length - 1];
    const feedLines = f
      .split('\n')
      .filter((l) => l.includes('OrderCompleted') || l.includes('Order') || l.includes('Payment'));
    expect(
      feedLines.some((l) => l.includes(`${new Date(newest.at).toISOString().slice(11, 23)} ${newest.topic}`)),
    ).toBe(true);
  });

  it('an 80x24 frame and larger ones have whole borders, nothing wrapped or cut', async () => {
    for (const size of [
      SMALL,
      { columns: 100, rows: 30 },
      { columns: 120, rows: 40 },
      { columns: 200, rows: 60 },
      { columns: 60, rows: 16 },
    ]) {
      const { frame, press, see } = await mount(size);
      checkBorders(frame(), size);
      // with a trace open too
      await press('t');
      await see('waiting for StockReserved');
      checkBorders(frame(), size);
    }
  });

  it('columns size to their content: at 80x24, 120x40 and 200x50 no header or cell is cut while there is room', async () => {
    const topicNames = new Set(sceneSnapshot(AT).topics.map((t) => t.name));
    const eventTypes = new Set(sceneSnapshot(AT).feed.map((e) => e.eventType));
    const why =
      'waiting for StockReserved or StockReservationFailed from inventory: shop.inventory-service has not consumed OrderPlaced (shop.orders-1@120) yet: it is at offset 100 on shop.orders-1, lag 26; no member running (Empty)';
    for (const size of [SMALL, { columns: 120, rows: 40 }, { columns: 200, rows: 50 }]) {
      const { frame, press, see } = await mount(size);
      const at = `${size.columns}x${size.rows}`;
      const views: Record<string, string> = {};
      if (size === SMALL) {
        views.services = frame();
        await press(KEY.tab, KEY.tab);
        views.topics = frame();
        await press(KEY.tab);
        views.events = frame();
        await press(KEY.tab); // back to the flow
      } else views.main = frame();
      await press('t');
      await see('waiting for StockReserved');
      views.trace = frame();
      await press(KEY.esc, KEY.tab, KEY.enter); // services: the first group
      await see('╭─ group shop.orders-service');
      views.group = frame();
      await press(KEY.esc, KEY.tab, KEY.enter); // topics: the first topic
      await see('╭─ topic shop.basket.order-requests');
      views.topic = frame();
      for (const [view, f] of Object.entries(views)) {
        const where = `${at}, ${view}:\n${f}`;
        checkBorders(f, size);
        // an ellipsis only where a row runs into its panel's right border, and only in free text at a row's end
        for (const title of ['services', 'topics', 'group ', 'topic ', 'trace '])
          for (const row of panelRows(f, title)) expect(row, `${title} at ${where}`).not.toContain('…');
        for (const row of panelRows(f, 'flow shop'))
          if (row.includes('…')) expect(row.indexOf('…'), `flow at ${where}`).toBe(row.length - 1);
        // headers whole
        if (panelRows(f, 'services').length)
          expect(panelRows(f, 'services')[0], where).toMatch(
            /^GROUP +UP +STATE +MEM +LAG( +(LAG )?TREND)? +PROC\/S +DLQ *$/,
          );
        if (panelRows(f, 'topics').length)
          expect(panelRows(f, 'topics')[0], where).toMatch(
            /^TOPIC +(PARTS|PRT) +(RECORDS|RECS) +REC\/S( +TREND)? +LAST EVENT *$/,
          );
        for (const row of panelRows(f, 'topics')
          .slice(1)
          .filter((r) => r.trim()))
          expect(topicNames.has(row.split(' ')[0]), `${row} at ${where}`).toBe(true);
        // feed rows: time, order and event type whole; the topic too, unless the panel is narrower than the
        // feed needs (at 120 columns, next to the topics), when it is the column that gives way
        const events = panelRows(f, 'events');
        const feedFits = events.length > 0 && panelWidth(f, 'events') >= feedNeed(sceneSnapshot(AT).feed);
        for (const row of events.filter((r) => r.trim())) {
          const m = /^\d\d:\d\d:\d\d(?:\.\d{3})? (\S+) +(o-5eed42-\d{6}) (\S+)/.exec(row);
          expect(m, `${row} at ${where}`).not.toBeNull();
          expect(eventTypes.has(m![3]), `${row} at ${where}`).toBe(true);
          if (feedFits || size.columns !== 120) expect(topicNames.has(m![1]), `${row} at ${where}`).toBe(true);
          else
            expect(
              [...topicNames].some((t) => t === m![1] || (m![1].endsWith('…') && t.startsWith(m![1].slice(0, -1)))),
              `${row} at ${where}`,
            ).toBe(true);
        }
        for (const row of events)
          if (row.includes('…')) expect(feedFits, `a cut in a feed that had room, at ${where}`).toBe(false);
        // stuck orders: the id, state, age and the service waited for, whole
        for (const row of panelRows(f, 'flow shop').filter((r) => r.startsWith('o-')))
          expect(row, where).toMatch(/^o-5eed42-\d{6} PLACED +\d\.\ds {2}inventory: Stock/);
      }
      expect(panelRows(views.group, 'group ').find((r) => r.startsWith('TOPIC'))).toMatch(
        /^TOPIC +PART +COMMITTED +END +LAG *$/,
      );
      expect(panelRows(views.topic, 'topic ').find((r) => r.startsWith('PARTITION'))).toMatch(
        /^PARTITION +START +END +RECORDS *$/,
      );
      // the trace's sentences wrap: the "why" is there in full
      expect(panelRows(views.trace, 'trace ').join(' ').replace(/ +/g, ' ')).toContain(why);
      if (size !== SMALL) {
        // the wide layout: each row of panels fills the width, split by what the panels need
        const top = views.main.split('\n')[1];
        expect([...top]).toHaveLength(size.columns);
        expect(panelRows(views.main, 'services')[1]).toMatch(/^orders +up +Stable +1 +0 +▁+ +20 +1 *$/);
      }
    }
  });

  it('without a flow: no flow panel, the topics in its place, the feed across the bottom, whole borders', async () => {
    const s: Snapshot = { ...sceneSnapshot(AT), flow: null, simulation: null };
    for (const size of [WIDE, SMALL]) {
      const { frame, press } = await mount(size, sceneSource(s));
      expect(frame()).not.toContain('flow shop');
      expect(frame()).not.toContain('stuck');
      checkBorders(frame(), size);
      if (size === WIDE) {
        expect(frame().split('\n')[1]).toMatch(/^╭─ topics ─+ 8 ╮╭─ services ─+ 5 groups ╮$/);
        expect(frame()).toMatch(/╭─ events ─+ 40 ╮$/m);
      } else {
        // the groups on top, the topics and the feed below
        expect(frame().split('\n')[1]).toMatch(/^╭─ services /);
        await press(KEY.tab);
        expect(frame()).toMatch(/╭─ topics /);
      }
      // t with nothing selected says what to select, naming no stuck list
      await press('t');
      expect(frame()).toContain('select what to trace: an event in the feed');
    }
  });

  it('with no snapshot yet it says it is waiting', async () => {
    const { frame } = await mount(SMALL, sceneSource(null));
    expect(frame()).toContain('waiting for the first snapshot');
    checkBorders(frame(), SMALL, 1);
  });
});

describe('keys', () => {
  it('tab moves the focus; at 80x24 the lower panel follows it', async () => {
    const { frame, press } = await mount(SMALL);
    expect(frame()).toMatch(/╭─ services /);
    await press(KEY.tab); // services
    await press(KEY.tab); // topics
    expect(frame()).toMatch(/╭─ topics /);
    expect(frame()).toContain('inventory.reservati');
    await press(KEY.tab); // feed
    expect(frame()).toMatch(/╭─ events /);
    await press('\x1b[Z'); // shift-tab: back to topics
    expect(frame()).toMatch(/╭─ topics /);
  });

  it('keys that arrive together (fast typing, tmux send-keys) count one each; in the filter prompt they are text', async () => {
    const { frame, press, see } = await mount(SMALL);
    await press('\t\t');
    expect(frame()).toMatch(/╭─ topics /);
    await press('/', 'inv\r');
    await see('filter: inv ');
    expect(frame()).toMatch(/│shop\.inventory\.reserv/);
    expect(frame()).not.toMatch(/│shop\.orders {2}/);
  });

  it('j/k move the selection and enter traces the selected stuck order; esc closes the trace', async () => {
    const { frame, press, see, source } = await mount(SMALL);
    await press('j', 'j', 'k', KEY.enter);
    await see(`trace ${sceneOrderId(381)}`);
    expect(source.traced).toEqual([sceneOrderId(381)]);
    await see('verdict: PLACED, waiting for');
    expect(frame()).toContain('waiting for StockReserved or StockReservationFailed from inventory');
    expect(frame()).toContain('OrderPlaced');
    await press(KEY.esc);
    expect(frame()).not.toContain(`trace ${sceneOrderId(381)}`);
    expect(frame()).toMatch(/╭─ services /);
  });

  it('t traces the oldest stuck order from any panel; enter on a feed event traces its order', async () => {
    const s = sceneSnapshot(AT);
    const { press, see, source } = await mount(WIDE, sceneSource(s));
    await press(KEY.tab, 't');
    await see(`trace ${sceneOrderId(380)}`);
    await press(KEY.esc, KEY.tab, KEY.tab, KEY.up, KEY.enter); // the feed, one event above the newest
    const picked = s.feed[s.feed.length - 2].entityId!;
    await see(`trace ${picked}`);
    expect(source.traced).toEqual([sceneOrderId(380), picked]);
  });

  it('a failed trace says why in the panel', async () => {
    const source = sceneSource(sceneSnapshot(AT), async () => {
      throw new Error('cluster unreachable: connect ECONNREFUSED 127.0.0.1:9092\nmore');
    });
    const { frame, press, see } = await mount(WIDE, source);
    await press('t');
    await see('trace failed: cluster unreachable: connect ECONNREFUSED 127.0.0.1:9092');
    expect(frame()).not.toContain('more');
  });

  it('enter on a group shows its partitions, on a topic its offsets', async () => {
    const { frame, press, see } = await mount(WIDE);
    await press(KEY.tab, 'j', KEY.enter); // services: inventory
    await see('group shop.inventory-service');
    expect(frame()).toMatch(/orders +0 +100 +126 +26/);
    await press(KEY.esc, KEY.tab, 'G', KEY.enter); // topics: the last one
    await see('topic shop.dlq.orders');
    expect(frame()).toMatch(/ +2 +0 +402 +402/);
  });

  it('/ filters the stuck list, the feed, groups and topics; esc clears it', async () => {
    const { frame, press, see } = await mount(WIDE);
    await press('/', ...'000383');
    await see('filter: 000383▏');
    await press(KEY.enter);
    await see('filter: 000383 ');
    const f = frame();
    expect(f).toContain(sceneOrderId(383));
    expect(f).not.toContain(sceneOrderId(382));
    expect(f).toContain('no event matches the filter');
    expect(f).toContain('no group matches the filter');
    await press(
      '/',
      KEY.backspace,
      KEY.backspace,
      KEY.backspace,
      KEY.backspace,
      KEY.backspace,
      KEY.backspace,
      ...'inventory',
      KEY.enter,
    );
    await see('filter: inventory ');
    expect(frame()).toMatch(/│inventory +DOWN/);
    expect(frame()).not.toMatch(/│payments +up/);
    await press(KEY.esc);
    await until(() => !frame().includes('filter:'), frame);
    expect(frame()).toMatch(/│payments +up/);
  });

  it('p pauses the feed: new events are counted, not shown, until p again', async () => {
    const s = sceneSnapshot(AT, { events: 10 });
    const source = sceneSource(s);
    const { frame, press, see } = await mount(WIDE, source);
    await press('p');
    await see('PAUSED');
    // the same scene with 4 more events
    const later = sceneSnapshot(AT, { events: 14 });
    source.push(later);
    await see('paused, 4 new');
    const hidden = later.feed[13];
    const at = (e: (typeof later.feed)[number]) => `${new Date(e.at).toISOString().slice(11, 23)} ${e.topic}`;
    expect(frame()).not.toContain(at(hidden));
    expect(frame()).toContain(at(later.feed[9]));
    await press('p');
    await see(at(hidden));
    expect(frame()).not.toContain('PAUSED');
  });

  it('at 80 columns the status bar keeps PAUSED, the filter and the fault, and the footer every hint', async () => {
    const { frame, press, see } = await mount(SMALL);
    const footer = () => frame().split('\n').at(-1)!;
    expect(footer()).toBe(' tab panel  j/k move  enter open  t trace  / filter  p pause  ? help  q quit');
    await press('p', '/', ...'ord', KEY.enter);
    await see('filter: ord');
    const status = frame().split('\n')[0];
    // the brokers, the uptime and then the simulation's counts give way; the fault is cut last
    expect(status).toBe(' evt  embedded │ PAUSED │ filter: ord │ inventory stopped, back in 15… 10:00:00');
    expect([...status].length).toBeLessThanOrEqual(80);
  });

  it('the status bar shows the registry; on narrower terminals it gives way after the uptime, the counts and the brokers, never the clock', () => {
    const s = sceneSnapshot(AT);
    const bar = (width: number) =>
      statusLine(s, { width, filter: '', paused: false })
        .map((seg) => seg.text)
        .join('');
    expect(bar(150)).toMatch(
      /^ evt {2}embedded 127\.0\.0\.1:9092 │ registry http:\/\/127\.0\.0\.1:8081 │ up 20s │ sim 20\/s, 400 sent │ inventory stopped, back in 15s +10:00:00 $/,
    );
    expect(bar(110)).toMatch(
      /^ evt {2}embedded 127\.0\.0\.1:9092 │ registry http:\/\/127\.0\.0\.1:8081 │ inventory stopped, back in 15s +10:00:00 $/,
    );
    // the brokers go before the registry (what another terminal's evt tail needs, with --brokers from the demo's help)
    expect(bar(95)).toMatch(
      /^ evt {2}embedded │ registry http:\/\/127\.0\.0\.1:8081 │ inventory stopped, back in 15s +10:00:00 $/,
    );
    // and what was dropped on the way comes back where it fits
    expect(bar(80)).toBe(' evt  embedded 127.0.0.1:9092 │ inventory stopped, back in 15s         10:00:00 ');
    for (const w of [150, 110, 95, 80, 60]) expect(bar(w).length, `at ${w}`).toBe(w);
  });

  it('p pauses the feed in event-time order: what came after the pause is counted, wherever its time puts it', async () => {
    const s = sceneSnapshot(AT, { events: 10 });
    // the feed is by time, so the last row is not the last one read: seq 10 sits before seq 9
    const [a, b] = s.feed.slice(-2);
    s.feed.splice(-2, 2, { ...b, seq: 9 }, { ...a, seq: 10, at: b.at + 1 });
    const source = sceneSource(s);
    const { press, see } = await mount(WIDE, source);
    await press('p');
    await see('PAUSED');
    const later = { ...s, feed: [...s.feed, { ...s.feed[9], seq: 11, at: s.feed[9].at + 5 }] };
    source.push(later);
    await see('paused, 1 new');
  });

  it('? lists every key; esc closes the help; q quits', async () => {
    const { frame, press, see, quits } = await mount(WIDE);
    await press('?');
    await see('Keys');
    for (const k of KEYS) expect(frame()).toContain(k.what);
    // how to read the same cluster from elsewhere: the registry too (the demo's values are Avro)
    expect(frame()).toContain(
      'From another terminal: evt --brokers 127.0.0.1:9092 --registry http://127.0.0.1:8081 tail <topic> -f',
    );
    await press(KEY.esc);
    expect(frame()).not.toContain('Keys');
    expect(quits()).toBe(0);
    await press('q');
    expect(quits()).toBe(1);
  });

  it('new snapshots redraw the panels; unmounting unsubscribes', async () => {
    const source = sceneSource(sceneSnapshot(AT));
    const r = render(<App source={source} onQuit={() => {}} size={WIDE} />);
    await until(
      () => (r.lastFrame() ?? '').includes('completed 321'),
      () => r.lastFrame() ?? '',
    );
    const next = sceneSnapshot(AT + 5000, { stuck: 0 });
    next.flow!.states.find((x) => x.state === 'COMPLETED')!.count = 400;
    source.push(next);
    await until(
      () => (r.lastFrame() ?? '').includes('completed 400'),
      () => r.lastFrame() ?? '',
    );
    expect(r.lastFrame()).toContain('stuck none');
    expect(source.subscribers).toBe(1);
    r.unmount();
    expect(source.subscribers).toBe(0);
  });
});

describe('terminal size', () => {
  it('follows a resize of the terminal: compact at 80x24, two columns at 150x40', async () => {
    class Screen extends EventEmitter {
      columns = 80;
      rows = 24;
      isTTY = false;
      last = '';
      write = (s: string) => {
        this.last = s;
        return true;
      };
    }
    const stdout = new Screen();
    const stdin = Object.assign(new EventEmitter(), {
      isTTY: true,
      setEncoding() {},
      setRawMode() {},
      resume() {},
      pause() {},
      ref() {},
      unref() {},
      read: () => null,
    });
    const app = inkRender(<App source={sceneSource(sceneSnapshot(AT))} onQuit={() => {}} />, {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      debug: true,
      patchConsole: false,
    });
    mounted.push(app);
    await until(
      () => stdout.last.includes(' evt '),
      () => JSON.stringify(stdout.last),
    );
    expect(stdout.last.split('\n')[1]).toMatch(/^╭─ flow shop ─+ orders since 09:59:40 ╮$/);
    expect([...stdout.last.split('\n')[1]]).toHaveLength(80);
    stdout.columns = 150;
    stdout.rows = 40;
    stdout.emit('resize');
    await until(
      () => stdout.last.split('\n')[1]?.includes('services'),
      () => stdout.last,
    );
    expect(stdout.last.split('\n')[1]).toMatch(/^╭─ flow shop ─+ orders since 09:59:40 ╮╭─ services ─+ 5 groups ╮$/);
    expect([...stdout.last.split('\n')[1]]).toHaveLength(150);
  });
});

describe('without a terminal', () => {
  it('a snapshot prints as text, every panel in full', () => {
    const s = sceneSnapshot(AT, { stuck: 12 });
    const lines = snapshotText(s, { width: 120, events: 5 });
    const text = lines.join('\n');
    expect(lines[0]).toBe(
      'evt dashboard: embedded (127.0.0.1:9092) at 2026-11-22T10:00:00.000Z; registry http://127.0.0.1:8081; simulation sending, 400 sent, inventory stopped, back in 15s',
    );
    // all 12 stuck orders, not a screenful
    for (let i = 0; i < 12; i++) expect(text).toContain(sceneOrderId(380 + i));
    expect(text).toMatch(/inventory +DOWN +Empty +0 +77/);
    expect(text).toMatch(/shop\.dlq\.orders +3 +1\.5k/);
    expect(lines.filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l))).toHaveLength(5);
    expect(text).not.toMatch(/\x1b\[/);
  });
});

describe('the text header', () => {
  it('names the brokers once when they are the cluster name, and beside a name of another kind', () => {
    const s = sceneSnapshot(AT);
    const byAddress = { ...s, cluster: { ...s.cluster, name: '127.0.0.1:29700', brokers: ['127.0.0.1:29700'] } };
    expect(snapshotText(byAddress, { width: 120, events: 0 })[0]).toMatch(
      /^evt dashboard: 127\.0\.0\.1:29700 at 2026-11-22T10:00:00\.000Z;/,
    );
    const byProfile = { ...s, cluster: { ...s.cluster, name: 'prod', brokers: ['b1:9092', 'b2:9092'] } };
    expect(snapshotText(byProfile, { width: 120, events: 0 })[0]).toMatch(
      /^evt dashboard: prod \(b1:9092,b2:9092\) at /,
    );
  });
});

describe('ring buffers', () => {
  it('keep the newest items, oldest first, never more than their capacity', () => {
    const ring = new Ring<number>(FEED_CAPACITY);
    for (let i = 0; i < FEED_CAPACITY * 3 + 7; i++) ring.push(i);
    const items = ring.toArray();
    expect(items).toHaveLength(FEED_CAPACITY);
    expect(items[0]).toBe(FEED_CAPACITY * 2 + 7);
    expect(items[items.length - 1]).toBe(FEED_CAPACITY * 3 + 6);
    const small = new Ring<string>(3);
    small.push('a');
    small.push('b');
    expect(small.toArray()).toEqual(['a', 'b']);
  });

  it('the scene trace is built by the real timeline and verdict code', () => {
    const t = sceneTrace(sceneOrderId(1), AT);
    expect(t.events.map((e) => e.eventType)).toEqual([
      'OrderRequested',
      'OrderPlaced',
      'PaymentAuthorized',
      'FraudCheckPassed',
    ]);
    expect(t.verdict.status).toBe('waiting');
    expect(t.events[1].causedBy).toBe(1);
  });
});

export type { Snapshot };
