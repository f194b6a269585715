// One Kafka client at run time, evt's own: kafkajs is the reference client the broker must serve, in tests
// only. No file evt runs imports it, and an installation without dev dependencies does not have it.

import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|tsx|js|mjs)$/.test(e.name) ? [rel] : [];
  });
}

it('nothing under src/, commands/ or bin/ imports kafkajs', () => {
  const importers = ['src', 'commands', 'bin'].flatMap(sources).filter((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    return /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]kafkajs['"/]/.test(text);
  });
  expect(importers).toEqual([]);
});

it('kafkajs is a dev dependency only', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.dependencies?.kafkajs).toBeUndefined();
  expect(pkg.devDependencies?.kafkajs).toBeDefined();
});
