// Column widths from content (columns.ts) and the wide layout's split by need (layout.ts): the rules that
// keep cells whole while there is room, and say what gives way first when there is not.

import { describe, expect, it } from 'vitest';
import { columnWidths, headerCells, joinCells, naturalWidth, wrap, type Column } from '../../src/tui/columns.js';
import { layoutFor, split } from '../../src/tui/layout.js';

const COLS: Column[] = [
  { header: 'NAME', max: 30, min: 6 },
  { header: ['RECORDS', 'RECS'], align: 'right' },
  { header: 'TREND', flex: true, max: 20 },
  { header: 'LAST', min: 4, giveWay: 1 },
];
const rows = [
  ['inventory.reservations', '1.2k', '', 'StockReservationFailed'],
  ['orders', '30', '', 'OrderPlaced'],
];

describe('column widths', () => {
  it('size to the content, the trend taking the room left up to its cap', () => {
    expect(columnWidths(COLS, rows, 120)).toEqual([22, 7, 20, 22]);
    expect(naturalWidth(COLS, rows)).toBe(22 + 4 + 5 + 22 + 3); // the shortest header where the cells are narrower
    expect(naturalWidth(COLS, rows, true)).toBe(naturalWidth(COLS, rows));
  });

  it('when short of room: a header longer than its cells first, then the trend, then the last column, then the widest', () => {
    // 22 + 7 + 5 + 22 + 3 = 59 wanted
    expect(columnWidths(COLS, rows, 57)).toEqual([22, 5, 5, 22]); // RECORDS -> RECS: nothing cut
    expect(headerCells(COLS, [22, 4, 5, 22])).toBe(`${'NAME'.padEnd(22)} RECS ${'TREND'} ${'LAST'.padEnd(22)}`);
    expect(columnWidths(COLS, rows, 55)).toEqual([22, 4, 0, 22]); // and the trend, short of 6 for itself and its space
    expect(columnWidths(COLS, rows, 45)).toEqual([22, 4, 0, 17]); // the trend is left out, then LAST gives way
    expect(columnWidths(COLS, rows, 30)).toEqual([20, 4, 0, 4]); // LAST at its floor, then the name
    expect(joinCells(rows[0], COLS, [20, 4, 0, 4])).toBe('inventory.reservati… 1.2k Sto…');
  });

  it('wraps text at spaces, keeping the spacing inside a line, with a hanging indent', () => {
    expect(wrap('  waiting for A or B from inventory: the group has not consumed it', 30, '    ')).toEqual([
      '  waiting for A or B from',
      '    inventory: the group has',
      '    not consumed it',
    ]);
    expect(wrap('  1  09:59:55   +0 ms  short', 80)).toEqual(['  1  09:59:55   +0 ms  short']);
    expect(wrap('x'.repeat(12), 10)).toEqual(['xxxxxxxxx…']);
  });
});

describe('the wide layout', () => {
  it('splits each row by what its panels need', () => {
    // both fit: each its need, the rest shared
    expect(split(200, 90, 60)).toBe(90 + 25);
    // one fits in half: it gets its need, the other the rest
    expect(split(120, 90, 52)).toBe(68);
    expect(split(120, 50, 90)).toBe(50);
    // neither fits in half, one does without an optional column
    expect(split(120, 64, 84, 58)).toBe(58);
    // nor then, but one fits in 55%: it stays whole
    expect(split(120, 63, 84, 62)).toBe(63);
    // else halves; never less than 30% each
    expect(split(120, 100, 100)).toBe(60);
    expect(split(120, 110, 10)).toBe(84);
    const wide = layoutFor(120, 40, { flow: 88, services: 50, topics: 61, topicsLeast: 55, feed: 80 });
    expect([wide.mode, wide.left, wide.bottomLeft]).toEqual(['wide', 68, 57]);
    expect(layoutFor(80, 24, { flow: 88, services: 50, topics: 61, topicsLeast: 55, feed: 80 }).mode).toBe('compact');
    // without a flow the topics take the flow's place in the top row
    expect(layoutFor(120, 40, { flow: 0, services: 50, topics: 61, topicsLeast: 55, feed: 80 }).left).toBe(65);
  });
});
