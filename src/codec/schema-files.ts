// Schema files given on the command line (--schema order.proto, --schema order.json) with the files they
// import: a .proto's imports are looked up beside it, as protoc does with -I <its directory>;
// google/protobuf/*.proto are the well-known types evt knows and are not read.

import fs from 'node:fs';
import path from 'node:path';
import { importsOf } from './protobuf-schema.js';
import { CodecError } from './value-codec.js';
import { whyUnreadable } from '../common/read-failure.js';

export interface SchemaFiles {
  /** the text of the file given */
  main: string;
  /** the imported files by import name, each before the files that import it */
  imports: Map<string, string>;
}

export function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CodecError(`cannot read ${what} ${file}: ${whyUnreadable(err)}`);
  }
}

/** A .proto file and, transitively, what it imports. */
export function readProtoFiles(file: string): SchemaFiles {
  const main = readText(file, 'Protobuf schema');
  const dir = path.dirname(file);
  const imports = new Map<string, string>();
  const visit = (text: string, what: string, chain: string[]) => {
    for (const name of importsOf(text, what)) {
      if (name.startsWith('google/protobuf/') || imports.has(name)) continue;
      if (chain.includes(name)) throw new CodecError(`${file}: import cycle ${[...chain, name].join(' -> ')}`);
      const found = path.resolve(dir, name);
      if (!fs.existsSync(found))
        throw new CodecError(`${what} imports "${name}", which is not beside it (no ${found})`);
      const imported = readText(found, 'Protobuf schema');
      visit(imported, found, [...chain, name]);
      imports.set(name, imported);
    }
  };
  visit(main, file, []);
  return { main, imports };
}
