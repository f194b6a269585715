// A Protobuf schema as the registry holds it, made usable: a protobufjs Root with the file and everything it
// imports, and the file's messages in order, which is what Confluent's message-index array counts.
//
// A schema string is either .proto text (what evt and Confluent's Java tools register) or a base64
// FileDescriptorProto (what confluent-kafka-python registers). Imports come as the texts of the schema's
// references, by import name; well-known types (google/protobuf/*.proto) not given are protobufjs' own.
// Field names are kept as written in the .proto (keepCase), as Confluent's and Python's JSON printers with
// preserving_proto_field_name show them.

import { createRequire } from 'node:module';
import type protobufjs from 'protobufjs';
import type descriptorExt from 'protobufjs/ext/descriptor.js';
import { CodecError } from './value-codec.js';

// protobufjs is loaded on the first Protobuf schema, not with evt: most commands never see one
const require = createRequire(import.meta.url);
let pb: typeof protobufjs | undefined;
let desc: typeof descriptorExt | undefined;
export const loadProtobuf = (): typeof protobufjs => (pb ??= require('protobufjs') as typeof protobufjs);
const loadDescriptor = (): typeof descriptorExt =>
  (desc ??= require('protobufjs/ext/descriptor.js') as typeof descriptorExt);

const PARSE_OPTIONS = { keepCase: true, alternateCommentMode: true };

export interface ProtobufSchema {
  root: protobufjs.Root;
  /** the file's package ("" for none) */
  package: string;
  /** the full name (no leading dot) of the message at this index path, or null */
  messageAt(path: readonly number[]): string | null;
  /** the index path of a message of the file by its full or short name, or null */
  pathOf(name: string): number[] | null;
  /** the file's top-level messages, full names in order */
  topLevel: string[];
}

/** A node of the file's message tree: its full name and its nested messages in order. */
interface MessageNode {
  name: string;
  nested: MessageNode[];
}

/** Whether a schema string is a base64 FileDescriptorProto rather than .proto text. */
export function isDescriptorText(schema: string): boolean {
  return !/[;{}"]/.test(schema) && /^[A-Za-z0-9+/=\s]+$/.test(schema);
}

function decodeFile(schema: string, what: string): descriptorExt.IFileDescriptorProto {
  try {
    return loadDescriptor().FileDescriptorProto.decode(
      Buffer.from(schema.replace(/\s+/g, ''), 'base64'),
    ) as descriptorExt.IFileDescriptorProto;
  } catch (err) {
    throw new CodecError(
      `${what} is not a valid Protobuf schema (base64 FileDescriptorProto): ${(err as Error).message}`,
    );
  }
}

function treeFromDescriptor(file: descriptorExt.IFileDescriptorProto): MessageNode[] {
  const walk = (m: descriptorExt.IDescriptorProto, prefix: string): MessageNode => {
    const name = `${prefix}${m.name ?? ''}`;
    return { name, nested: (m.nestedType ?? []).map((n) => walk(n, `${name}.`)) };
  };
  const prefix = file.package ? `${file.package}.` : '';
  return (file.messageType ?? []).map((m) => walk(m, prefix));
}

function treeFromText(ns: protobufjs.NamespaceBase, pbjs: typeof protobufjs): MessageNode[] {
  // nestedArray keeps declaration order; enums and services are not counted by the index array. (Map fields'
  // entry types, which protoc adds as nested messages, are not in protobufjs' tree: a message declaring a map
  // before a nested message has that nested message one place later in Confluent's count.)
  return ns.nestedArray
    .filter((n): n is protobufjs.Type => n instanceof pbjs.Type)
    .map((t) => ({ name: t.fullName.replace(/^\./, ''), nested: treeFromText(t, pbjs) }));
}

function parseText(text: string, root: protobufjs.Root, what: string): protobufjs.IParserResult {
  try {
    return loadProtobuf().parse(text, root, PARSE_OPTIONS);
  } catch (err) {
    throw new CodecError(`${what} is not a valid Protobuf schema: ${(err as Error).message}`);
  }
}

/** The imports of a schema string (.proto text or descriptor), as written. */
export function importsOf(schema: string, what: string): string[] {
  if (isDescriptorText(schema)) return (decodeFile(schema, what).dependency as string[] | null | undefined) ?? [];
  const parsed = parseText(schema, new (loadProtobuf().Root)(), what);
  return [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])];
}

const isWellKnown = (name: string) => name.startsWith('google/protobuf/');

/** The well-known files (protobufjs' own) that `files` import and do not give. */
function wellKnownNeeded(files: Iterable<string>, given: ReadonlyMap<string, string>, what: string): string[] {
  const out = new Set<string>();
  for (const text of files)
    for (const name of importsOf(text, what)) if (isWellKnown(name) && !given.has(name)) out.add(name);
  return [...out];
}

function wellKnownJson(name: string): protobufjs.INamespace {
  const json = loadProtobuf().common.get(name);
  if (!json) throw new CodecError(`the well-known Protobuf file ${name} is not known to evt: give it as a reference`);
  return json;
}

/**
 * The schema of `main` with the texts of its imports (`references`: import name -> schema string, the
 * references of references included).
 */
export function buildProtobufSchema(
  main: string,
  references: ReadonlyMap<string, string>,
  what = 'the schema',
): ProtobufSchema {
  const pbjs = loadProtobuf();
  const all = [main, ...references.values()];
  const wellKnown = wellKnownNeeded(all, references, what);
  let root: protobufjs.Root;
  let tree: MessageNode[];
  let pkg: string;
  try {
    if (all.every((s) => !isDescriptorText(s))) {
      root = new pbjs.Root();
      for (const name of wellKnown) root.addJSON(wellKnownJson(name).nested ?? {});
      for (const [name, text] of references) parseText(text, root, `${what}: reference ${name}`);
      const own = parseText(main, new pbjs.Root(), what);
      pkg = own.package ?? '';
      tree = treeFromText((pkg ? own.root.lookup(pkg) : own.root) as protobufjs.NamespaceBase, pbjs);
      parseText(main, root, what);
      root.resolveAll();
    } else {
      loadDescriptor();
      const files: descriptorExt.IFileDescriptorProto[] = [];
      // text among descriptors: converted through a root of its own (with the well-known files it needs)
      const texts = [...references].filter(([, s]) => !isDescriptorText(s));
      if (texts.length > 0) {
        const textRoot = new pbjs.Root();
        for (const name of wellKnown) textRoot.addJSON(wellKnownJson(name).nested ?? {});
        for (const [name, text] of texts) parseText(text, textRoot, `${what}: reference ${name}`);
        files.push(...((textRoot.resolveAll() as protobufjs.Root).toDescriptor('proto3').file ?? []));
      } else {
        for (const name of wellKnown)
          files.push(...(pbjs.Root.fromJSON(wellKnownJson(name)).toDescriptor('proto3').file ?? []));
      }
      for (const [name, s] of references)
        if (isDescriptorText(s)) files.push(decodeFile(s, `${what}: reference ${name}`));
      const file = isDescriptorText(main) ? decodeFile(main, what) : null;
      if (!file) throw new CodecError(`${what}: .proto text importing descriptor-form references is not supported`);
      files.push(file);
      pkg = file.package ?? '';
      tree = treeFromDescriptor(file);
      root = pbjs.Root.fromDescriptor({ file: files }, { keepCase: true });
    }
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError(`${what} is not a usable Protobuf schema: ${(err as Error).message}`);
  }
  return schemaOf(root, pkg, tree);
}

function schemaOf(root: protobufjs.Root, pkg: string, tree: MessageNode[]): ProtobufSchema {
  const paths = new Map<string, number[]>();
  const visit = (nodes: MessageNode[], prefix: number[]) =>
    nodes.forEach((n, i) => {
      paths.set(n.name, [...prefix, i]);
      visit(n.nested, [...prefix, i]);
    });
  visit(tree, []);
  return {
    root,
    package: pkg,
    topLevel: tree.map((n) => n.name),
    messageAt(path) {
      let nodes = tree;
      let node: MessageNode | undefined;
      for (const i of path) {
        node = nodes[i];
        if (!node) return null;
        nodes = node.nested;
      }
      return node?.name ?? null;
    },
    pathOf(name) {
      const bare = name.replace(/^\./, '');
      return paths.get(bare) ?? (pkg ? paths.get(`${pkg}.${bare}`) : undefined) ?? null;
    },
  };
}
