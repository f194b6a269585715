// The dashboard's modules, and every module they import, never load kafkajs (the client stays swappable
// behind src/client/) nor, outside the screen itself, ink and react (a printed snapshot must start fast).

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every module `entry` loads, statically or with import(), following relative paths; bare package names. */
function closure(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /(?:^|\n)\s*(?:import|export)\s(?!type\b)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g,
    )) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('.')) {
        packages.set(
          spec.split('/')[0] === spec || !spec.startsWith('@') ? spec.split('/')[0] : spec,
          path.relative(ROOT, file),
        );
        continue;
      }
      const base = path.resolve(path.dirname(file), spec.replace(/\.js$/, ''));
      const found = ['.ts', '.tsx'].map((ext) => base + ext).find((f) => fs.existsSync(f));
      if (found) visit(found);
    }
  };
  visit(path.join(ROOT, entry));
  return { files, packages };
}

describe('what the dashboard loads', () => {
  it('no module of the screen or the live source loads kafkajs', () => {
    for (const entry of ['src/tui/run.ts', 'src/tui/app.tsx', 'src/tui/live/live-source.ts']) {
      const { files, packages } = closure(entry);
      expect(files.size, entry).toBeGreaterThan(5);
      expect(packages.get('kafkajs'), `${entry} reaches kafkajs through ${packages.get('kafkajs')}`).toBeUndefined();
    }
  });

  it('the live source and the text snapshot load neither ink nor react', () => {
    for (const entry of ['src/tui/live/live-source.ts', 'src/tui/text-snapshot.ts']) {
      const { packages } = closure(entry);
      for (const heavy of ['ink', 'react'])
        expect(packages.get(heavy), `${entry} reaches ${heavy} through ${packages.get(heavy)}`).toBeUndefined();
    }
    // the screen does load them: the check above can see a package import
    expect(closure('src/tui/app.tsx').packages.has('ink')).toBe(true);
  });

  it('the terminal runner loads react only after choosing its production build', () => {
    // a static import (or JSX) would load react's development build before NODE_ENV is set
    const text = fs.readFileSync(path.join(ROOT, 'src/tui/run.ts'), 'utf8');
    expect(text).not.toMatch(/^import (?!type\b).*from '(react|ink)[/']/m);
    const setAt = text.indexOf("process.env.NODE_ENV ??= 'production'");
    expect(setAt).toBeGreaterThan(0);
    expect(text.indexOf("import('react')")).toBeGreaterThan(setAt);
  });
});
