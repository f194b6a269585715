// `evt broker` on a data dir it cannot use: one line naming the real cause, exit code 1, nothing written.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../helpers/broker.js';
import { runInProcess } from '../helpers/cli.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';

let disk: Tmpfs | null = null;
afterEach(() => {
  disk?.unmount();
  disk = null;
});

const broker = (dataDir: string) => runInProcess(['broker', '--port', '0', '--data-dir', dataDir]);

it('a data dir that is a file', async () => {
  const file = path.join(tempDir(), 'data');
  fs.writeFileSync(file, 'not a directory\n');
  const r = await broker(file);
  expect(r.stderr).toBe(`evt: data dir ${file} is a file, not a directory\n`);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(fs.readFileSync(file, 'utf8')).toBe('not a directory\n');
});

it('a data dir below a file', async () => {
  const file = path.join(tempDir(), 'data');
  fs.writeFileSync(file, '');
  const r = await broker(path.join(file, 'evt'));
  expect(r.stderr).toBe(`evt: cannot create data dir ${file}/evt: ${file} is a file, not a directory\n`);
  expect(r.code).toBe(1);
});

it('a data dir on a read-only file system, existing or to be created', async (ctx) => {
  disk = mountTmpfs('1m');
  if (!disk) return ctx.skip();
  const existing = path.join(disk.dir, 'data');
  fs.mkdirSync(existing);
  disk.remountReadOnly();

  const r = await broker(existing);
  expect(r.stderr).toBe(`evt: data dir ${existing} is not writable: read-only file system (EROFS)\n`);
  expect(r.code).toBe(1);
  expect(fs.readdirSync(existing)).toEqual([]);

  const missing = path.join(disk.dir, 'new', 'data');
  const r2 = await broker(missing);
  expect(r2.stderr).toBe(`evt: cannot create data dir ${missing}: read-only file system (EROFS)\n`);
  expect(r2.code).toBe(1);
});

it('a data dir on a full disk', async (ctx) => {
  disk = mountTmpfs('1m');
  if (!disk) return ctx.skip();
  const dataDir = path.join(disk.dir, 'data');
  fs.mkdirSync(dataDir);
  disk.fillUpTo(path.join(disk.dir, 'filler'), 0);
  const r = await broker(dataDir);
  expect(r.stderr).toBe(`evt: data dir ${dataDir}: cannot use ${dataDir}/.lock: no space left on device (ENOSPC)\n`);
  expect(r.code).toBe(1);
  expect(fs.readdirSync(dataDir)).toEqual([]); // no empty lock left behind
});
