// A Protobuf schema as a schema registry holds it: the text of one .proto file, or (what Confluent's Python
// and Go serializers send) a base64 serialized FileDescriptorProto, plus the files it imports, each given by
// its import name. Both forms are parsed with protobufjs into one resolved Root; the main file's own messages
// are listed in declaration order, because Confluent's wire format names a message by its index path there
// (messageTree, messageAtIndexes, indexesOfMessage).
// Shared by the registry (validation, compatibility) and the codec (encoding, decoding).

import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import { declaredMessages, type DeclaredMessage } from './proto-declarations.js';

/** One imported file: its import name (`google/protobuf/timestamp.proto`) and its schema text (either form). */
export interface ProtobufImport {
  name: string;
  schema: string;
}

/** A message of the main file and the messages nested in it, in the order Confluent's message-index array counts them. */
export interface MessageNode {
  /** full name, no leading dot (`acme.shop.Order.Item`) */
  name: string;
  nested: MessageNode[];
}

export interface ProtobufSchema {
  /** every type of the file and its imports, resolved */
  root: protobuf.Root;
  /** the main file's package ('' when none) */
  package: string;
  /** the main file's imports, by name */
  imports: string[];
  /** the main file's top-level messages, in declaration order (Confluent's message index 0, 1, ...) */
  messages: protobuf.Type[];
  /** the main file's messages as the message-index array counts them (map entry types included) */
  messageTree: MessageNode[];
  /** the main file's top-level enums, in declaration order */
  enums: protobuf.Enum[];
  /** the main file's definitions alone (unresolved, as protobufjs JSON): what identifies the file */
  json: protobuf.INamespace;
}

export class ProtobufSchemaError extends Error {
  override name = 'ProtobufSchemaError';
}

interface ParsedFile {
  package: string;
  imports: string[];
  json: protobuf.INamespace;
  /** the file's top-level message names (relative to the package), in order */
  messageNames: string[];
  enumNames: string[];
  messageTree: MessageNode[];
}

/**
 * Whether a registry's Protobuf schema is a base64 serialized FileDescriptorProto rather than .proto text: the
 * first has no blanks, a .proto file always has some.
 */
export function isSerializedDescriptor(text: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text.trim());
}

/** A full name without protobufjs' leading dot (`.acme.shop.Order` -> `acme.shop.Order`). */
export const bareName = (fullName: string): string => fullName.replace(/^\./, '');

/**
 * The message tree of .proto text: its declarations in file order with map entry types in their places, as
 * protoc's descriptor lists them (proto-declarations.ts), provided they name the same messages as protobufjs'
 * parse. Should they not (syntax the token scan does not follow), protobufjs' reflection alone: right but for
 * a message nested after a map field, which it counts one place early, as it has no entry types.
 */
function textMessageTree(text: string, types: protobuf.Type[]): MessageNode[] {
  const reflected = reflectedMessageTree(types);
  const declared = declaredMessages(text);
  return sameMessages(declared, reflected) ? asMessageNodes(declared) : reflected;
}

function asMessageNodes(declared: DeclaredMessage[]): MessageNode[] {
  return declared.map((d) => ({ name: d.name, nested: asMessageNodes(d.nested) }));
}

function reflectedMessageTree(types: protobuf.Type[]): MessageNode[] {
  return types.map((t) => ({
    name: bareName(t.fullName),
    nested: reflectedMessageTree(t.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type)),
  }));
}

/** Whether `declared`, map entries left out, is `reflected`: the same names in the same order, all the way down. */
function sameMessages(declared: DeclaredMessage[], reflected: MessageNode[]): boolean {
  const messages = declared.filter((d) => !d.mapEntry);
  return (
    messages.length === reflected.length &&
    messages.every((d, i) => d.name === reflected[i].name && sameMessages(d.nested, reflected[i].nested))
  );
}

/** The message tree of a FileDescriptorProto: its nested types as it lists them, map entry types included. */
function descriptorMessageTree(file: descriptor.IFileDescriptorProto): MessageNode[] {
  const walk = (m: descriptor.IDescriptorProto, prefix: string): MessageNode => {
    const name = `${prefix}${String(m.name)}`;
    return { name, nested: (m.nestedType ?? []).map((n) => walk(n, `${name}.`)) };
  };
  const prefix = file.package ? `${String(file.package)}.` : '';
  return (file.messageType ?? []).map((m) => walk(m, prefix));
}

function topLevel(root: protobuf.Root, pkg: string, kind: typeof protobuf.Type | typeof protobuf.Enum): string[] {
  const ns = pkg ? root.lookup(pkg) : root;
  if (!(ns instanceof protobuf.Namespace)) return [];
  return ns.nestedArray.filter((n) => n instanceof kind).map((n) => n.name);
}

/** Parses one file (either form) on its own; types are resolved later, with its imports. */
export function parseProtobufFile(text: string, what = 'schema'): ParsedFile {
  const trimmed = text.trim();
  if (isSerializedDescriptor(trimmed)) {
    let file: descriptor.IFileDescriptorProto;
    try {
      file = descriptor.FileDescriptorProto.decode(Buffer.from(trimmed, 'base64')) as descriptor.IFileDescriptorProto;
    } catch (err) {
      throw new ProtobufSchemaError(
        `${what} is neither .proto text nor a serialized FileDescriptorProto: ${(err as Error).message}`,
      );
    }
    // type by type, not Root.fromDescriptor: that resolves at once, and the imports are not there yet
    const root = new protobuf.Root();
    const edition = file.syntax || 'proto2';
    try {
      const ns = file.package ? root.define(file.package) : root;
      for (const m of file.messageType ?? []) ns.add(protobuf.Type.fromDescriptor(m, edition));
      for (const e of file.enumType ?? []) ns.add(protobuf.Enum.fromDescriptor(e, edition));
    } catch (err) {
      throw new ProtobufSchemaError(`${what}: ${(err as Error).message}`);
    }
    const pkg = file.package ?? '';
    return {
      package: pkg,
      imports: Array.isArray(file.dependency) ? (file.dependency as unknown[]).map(String) : [],
      json: root.toJSON(),
      messageNames: topLevel(root, pkg, protobuf.Type),
      enumNames: topLevel(root, pkg, protobuf.Enum),
      messageTree: descriptorMessageTree(file),
    };
  }
  let parsed: protobuf.IParserResult;
  const root = new protobuf.Root();
  try {
    parsed = protobuf.parse(text, root, { keepCase: true });
  } catch (err) {
    // protobufjs names the line: "illegal token 'x' (line 3)"
    throw new ProtobufSchemaError(`${what}: ${(err as Error).message}`);
  }
  const pkg = parsed.package ?? '';
  const messageNames = topLevel(root, pkg, protobuf.Type);
  const ns = (pkg ? root.lookup(pkg) : root) as protobuf.Namespace;
  return {
    package: pkg,
    imports: [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])],
    json: root.toJSON(),
    messageNames,
    enumNames: topLevel(root, pkg, protobuf.Enum),
    messageTree: textMessageTree(
      text,
      messageNames.map((n) => ns.get(n) as protobuf.Type),
    ),
  };
}

/** Google's well-known types that protobufjs bundles: an import of one needs no reference. */
function wellKnown(name: string): protobuf.INamespace | undefined {
  return protobuf.common.get(name) ?? undefined;
}

/**
 * Parses a schema with its imports (given by import name, transitively: an import's own imports too) into a
 * resolved Root. Throws ProtobufSchemaError naming the problem (the parser's line when it has one, an import
 * with no schema, a type that resolves to nothing).
 */
export function parseProtobufSchema(text: string, imports: ProtobufImport[] = []): ProtobufSchema {
  const byName = new Map(imports.map((i) => [i.name, i.schema]));
  const main = parseProtobufFile(text);
  const root = new protobuf.Root();
  const added = new Set<string>();
  const add = (file: ParsedFile, chain: string[]) => {
    for (const name of file.imports) {
      if (added.has(name)) continue;
      if (chain.includes(name)) throw new ProtobufSchemaError(`import cycle: ${[...chain, name].join(' -> ')}`);
      added.add(name);
      const schema = byName.get(name);
      if (schema !== undefined) add(parseProtobufFile(schema, `import ${name}`), [...chain, name]);
      else {
        const known = wellKnown(name);
        if (!known) throw new ProtobufSchemaError(`import "${name}" has no reference (name it in the references)`);
        if (known.nested) root.addJSON(known.nested);
      }
    }
    try {
      if (file.json.nested) root.addJSON(file.json.nested);
    } catch (err) {
      throw new ProtobufSchemaError((err as Error).message);
    }
  };
  add(main, []);
  try {
    root.resolveAll();
  } catch (err) {
    throw new ProtobufSchemaError((err as Error).message);
  }
  const ns = main.package ? root.lookup(main.package) : root;
  const messages = main.messageNames.map((n) => (ns as protobuf.Namespace).get(n) as protobuf.Type);
  const enums = main.enumNames.map((n) => (ns as protobuf.Namespace).get(n) as protobuf.Enum);
  return {
    root,
    package: main.package,
    imports: main.imports,
    messages,
    messageTree: main.messageTree,
    enums,
    json: main.json,
  };
}

/** The full name of the message at a Confluent message-index path ([0] the first top-level message, [1, 0] the second's first nested one). */
export function messageAtIndexes(schema: ProtobufSchema, indexes: readonly number[]): string | undefined {
  let nodes = schema.messageTree;
  let found: MessageNode | undefined;
  for (const i of indexes) {
    found = nodes[i];
    if (!found) return undefined;
    nodes = found.nested;
  }
  return found?.name;
}

/** The message-index path of a message of the main file, by full name (`acme.shop.Order`, leading dot optional). */
export function indexesOfMessage(schema: ProtobufSchema, fullName: string): number[] | undefined {
  const want = bareName(fullName);
  const walk = (nodes: MessageNode[], path: number[]): number[] | undefined => {
    for (const [i, node] of nodes.entries()) {
      if (node.name === want) return [...path, i];
      const deeper = walk(node.nested, [...path, i]);
      if (deeper) return deeper;
    }
    return undefined;
  };
  return walk(schema.messageTree, []);
}
