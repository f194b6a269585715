// Producer ids never repeat across restarts: a block's bound is stored before any id of it is handed out.

import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ProducerIdAllocator } from '../../src/broker/producer-ids.js';
import { tempDir } from '../helpers/broker.js';

it('hands out no id whose block could not be stored, and stores it when it can', () => {
  const dir = path.join(tempDir(), 'not-yet');
  const file = path.join(dir, 'producer-ids.json');
  const ids = new ProducerIdAllocator(file);
  expect(() => ids.allocate()).toThrow(/ENOENT/);
  expect(() => ids.allocate()).toThrow(/ENOENT/); // still nothing handed out past what is stored
  fs.mkdirSync(dir);
  expect(ids.allocate()).toBe(1);
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ nextBlock: 1001 });
  // a restart goes on after the stored block
  expect(new ProducerIdAllocator(file).allocate()).toBe(1001);
});
