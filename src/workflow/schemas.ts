// Where the workflow's Avro schemas live on disk: schemas/ of the package ("files" ships it next to dist/).

import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { TOPICS, type TopicName } from './catalogue.js';

/** The schemas/ directory of the package. */
export function schemasDir(): string {
  return path.join(packageRoot(), 'schemas');
}

/** The path of a topic's value schema. */
export function schemaFile(topic: TopicName): string {
  return path.join(schemasDir(), TOPICS[topic].schemaFile);
}

/** The schema text of a topic, as registered under `<topic>-value`. */
export function readSchema(topic: TopicName): string {
  return fs.readFileSync(schemaFile(topic), 'utf8');
}
