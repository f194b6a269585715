// The codec's view of a Protobuf schema (parsed by src/common/protobuf-schema.ts, which the registry shares):
// messages by full name and by Confluent's message-index path, and the schema's problems as CodecErrors
// naming what was being read. Loaded only when a Protobuf schema is met (protobufjs comes with it).

import {
  ProtobufSchemaError,
  indexesOfMessage,
  messageAtIndexes,
  parseProtobufFile,
  parseProtobufSchema,
} from '../common/protobuf-schema.js';
import type protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import { CodecError } from './value-codec.js';

export interface ProtobufSchema {
  root: protobuf.Root;
  /** the file's top-level messages, full names (no leading dot) in order */
  topLevel: string[];
  /** the full name of the message at this index path, or null */
  messageAt(path: readonly number[]): string | null;
  /** the index path of a message of the file by its full name, or short within the file's package; or null */
  pathOf(name: string): number[] | null;
}

const bare = (fullName: string) => fullName.replace(/^\./, '');

/** A message of the file and its nested messages, in the order Confluent's index array counts them. */
interface MessageNode {
  name: string;
  nested: MessageNode[];
}

/**
 * The message tree of a base64 FileDescriptorProto, or null for .proto text. A descriptor lists a map field's
 * entry type among the nested messages (Python and Java count it: `Holder.Inner` declared after a map is
 * [0, 1]), which protobufjs' reflection drops; the index paths of such a file are taken from here.
 */
function descriptorTree(text: string): MessageNode[] | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return null;
  const file = descriptor.FileDescriptorProto.decode(Buffer.from(trimmed, 'base64')) as descriptor.IFileDescriptorProto;
  const walk = (m: descriptor.IDescriptorProto, prefix: string): MessageNode => {
    const name = `${prefix}${String(m.name)}`;
    return { name, nested: (m.nestedType ?? []).map((n) => walk(n, `${name}.`)) };
  };
  const prefix = file.package ? `${String(file.package)}.` : '';
  return (file.messageType ?? []).map((m) => walk(m, prefix));
}

/** messageAt and pathOf over a message tree. */
function treeLookups(tree: MessageNode[]): Pick<ProtobufSchema, 'messageAt' | 'pathOf'> {
  const paths = new Map<string, number[]>();
  const visit = (nodes: MessageNode[], prefix: number[]) =>
    nodes.forEach((n, i) => {
      paths.set(n.name, [...prefix, i]);
      visit(n.nested, [...prefix, i]);
    });
  visit(tree, []);
  return {
    messageAt: (path) => {
      let nodes = tree;
      let node: MessageNode | undefined;
      for (const i of path) {
        node = nodes[i];
        if (!node) return null;
        nodes = node.nested;
      }
      return node?.name ?? null;
    },
    pathOf: (name) => paths.get(bare(name)) ?? null,
  };
}

function problem(err: unknown, what: string): unknown {
  return err instanceof ProtobufSchemaError
    ? new CodecError(`${what} is not a valid Protobuf schema: ${err.message}`)
    : err;
}

/** The schema `main` with the texts of its imports (import name -> schema string, transitively). */
export function buildProtobufSchema(
  main: string,
  imports: ReadonlyMap<string, string>,
  what = 'the schema',
): ProtobufSchema {
  let schema;
  try {
    schema = parseProtobufSchema(
      main,
      [...imports].map(([name, text]) => ({ name, schema: text })),
    );
  } catch (err) {
    throw problem(err, what);
  }
  const pathOf = (name: string): number[] | null =>
    indexesOfMessage(schema, name) ??
    (schema.package ? indexesOfMessage(schema, `${schema.package}.${bare(name)}`) : undefined) ??
    null;
  const topLevel = schema.messages.map((t) => bare(t.fullName));
  const tree = descriptorTree(main);
  if (tree) {
    const lookups = treeLookups(tree);
    const short = (name: string) => (schema.package ? lookups.pathOf(`${schema.package}.${bare(name)}`) : null);
    return { root: schema.root, topLevel, messageAt: lookups.messageAt, pathOf: (n) => lookups.pathOf(n) ?? short(n) };
  }
  return {
    root: schema.root,
    topLevel,
    messageAt: (path) => {
      const t = messageAtIndexes(schema, [...path]);
      return t ? bare(t.fullName) : null;
    },
    pathOf,
  };
}

/** The imports of a schema string (.proto text or descriptor), as written. */
export function importsOf(text: string, what: string): string[] {
  try {
    return parseProtobufFile(text, what).imports;
  } catch (err) {
    throw problem(err, what);
  }
}
