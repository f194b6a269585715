// --schema files: a .proto with the files it imports (read from beside it, each before its importer;
// well-known google/protobuf files are not read), and what is wrong with them named.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProtoFiles } from '../../src/codec/schema-files.js';
import { tempDir } from '../helpers/broker.js';
import { copyProtoFixtures } from '../helpers/protobuf.js';

describe('readProtoFiles', () => {
  it('reads the imports beside the file, not the well-known ones', () => {
    const dir = tempDir('evt-proto-files-');
    copyProtoFixtures(dir);
    const files = readProtoFiles(path.join(dir, 'order.proto'));
    expect([...files.imports.keys()]).toEqual(['common.proto']);
    expect(files.imports.get('common.proto')).toBe(fs.readFileSync(path.join(dir, 'common.proto'), 'utf8'));
  });

  it('names an import that is not there, and a file that is not', () => {
    const dir = tempDir('evt-proto-files-');
    fs.copyFileSync(new URL('../fixtures/protobuf/order.proto', import.meta.url), path.join(dir, 'order.proto'));
    expect(() => readProtoFiles(path.join(dir, 'order.proto'))).toThrow(
      /imports "common\.proto", which is not beside it/,
    );
    expect(() => readProtoFiles(path.join(dir, 'nope.proto'))).toThrow(
      /cannot read Protobuf schema .*nope\.proto: no such file/,
    );
  });
});
