// Where the workflow's Avro schemas live on disk, found from this module's own location so it works both
// from the sources (vitest) and from the compiled dist/ tree, and in an installed package ("files" ships
// schemas/ next to dist/).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOPICS, type TopicName } from './catalogue.js';

/** The schemas/ directory of the package. */
export function schemasDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'schemas');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the schemas/ directory of evt');
    dir = parent;
  }
}

/** The path of a topic's value schema. */
export function schemaFile(topic: TopicName): string {
  return path.join(schemasDir(), TOPICS[topic].schemaFile);
}

/** The schema text of a topic, as registered under `<topic>-value`. */
export function readSchema(topic: TopicName): string {
  return fs.readFileSync(schemaFile(topic), 'utf8');
}
