// The human format written from a payload's bytes (canonical JSON pretty-printed without a parse) prints
// exactly what the general path prints: formatHuman of the envelope auto decodes.

import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../../src/client/records.js';
import { createValueCodec } from '../../../src/codec/create-codec.js';
import { toEnvelope } from '../../../src/codec/envelope.js';
import { formatHuman } from '../../../src/cli/record-format.js';
import { LineFormatter } from '../../../src/cli/tail/line-format.js';
import { byteTarget } from '../../helpers/byte-target.js';
import { canonical, foreign, lookAlikes, notCanonical } from '../../helpers/json-samples.js';

const auto = await createValueCodec('auto');

const target = () => byteTarget(1024);

describe('LineFormatter, human format', () => {
  it.each([false, true])('writes what formatHuman of the decoded envelope gives (colour %s)', (color) => {
    const records: ConsumedRecord[] = [...canonical, ...notCanonical, ...foreign, ...lookAlikes, 'plain', '[]'].map(
      (text, i) => ({
        topic: 'orders',
        partition: i % 3,
        offset: i,
        timestamp: 1_700_000_000_000 + i,
        key: i % 2 ? Buffer.from(`k-${i}`) : null,
        headers: i % 4 === 0 ? [{ key: 'ce_type', value: Buffer.from('OrderPlaced') }] : [],
        value: Buffer.from(text),
      }),
    );
    const formatter = new LineFormatter({ kind: 'human', color }, auto, undefined);
    const out = target();
    for (const r of records) expect(formatter.write(r, out)).toBe(true);
    const expected = records.map((r) => formatHuman(toEnvelope(r, auto), { color }) + '\n').join('');
    expect(out.buf.toString('utf8', 0, out.pos)).toBe(expected);
    // and the canonical ones did print as JSON over several lines
    expect(expected).toContain('{\n    "nested": {\n      "deep": [');
  });
});
