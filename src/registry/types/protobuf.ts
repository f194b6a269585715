// Protobuf schemas of the registry: .proto text or a base64 FileDescriptorProto (src/common/protobuf-schema.ts
// parses both with protobufjs), imports given as references by file name. Compatibility follows the rules of
// Confluent's protobuf-provider (its diff/SchemaDiff): fields are matched by number; a number whose field
// changed kind (scalar, message, map), scalar group (the wire-compatible groups of the Protobuf guide) or
// message type, a removed message type, a changed package, a required field added or removed, a oneof member
// removed or fields newly made mutually exclusive are incompatible; added or removed optional fields, renames,
// new messages and every enum change are not.

import protobuf from 'protobufjs';
import { parseProtobufSchema, ProtobufSchemaError, type ProtobufSchema } from '../../common/protobuf-schema.js';
import { invalidSchema } from '../errors.js';
import type { ParsedSchema, SchemaProvider } from './provider.js';

export interface ParsedProtobuf extends ParsedSchema {
  schema: ProtobufSchema;
  /** the full names of the main file's messages, nested ones too */
  local: Set<string>;
}

// Confluent's incompatible differences and how it words them (%1 the new schema, %2 the old one)
const DESCRIPTIONS = {
  PACKAGE_CHANGED: "The package at '{path}' in the %1 schema does not match the package in the %2 schema",
  MESSAGE_REMOVED: "The %1 schema is missing a MESSAGE type at path '{path}' in the %2 schema",
  FIELD_KIND_CHANGED: "The type of a field at path '{path}' in the %1 schema does not match the %2 schema",
  FIELD_SCALAR_KIND_CHANGED:
    "The kind of a SCALAR field at path '{path}' in the %1 schema does not match its kind in the %2 schema",
  FIELD_NAMED_TYPE_CHANGED:
    "The type of a MESSAGE field at path '{path}' in the %1 schema does not match its type in the %2 schema",
  FIELD_NUMERIC_LABEL_CHANGED:
    "The label for a NUMERIC field at path '{path}' in the %1 schema does not match its label in the %2 schema",
  REQUIRED_FIELD_ADDED: "A required field  at path '{path}' in the %1 schema is missing in the %2 schema",
  REQUIRED_FIELD_REMOVED: "The %1 schema is missing a required field at path: '{path}' in the %2 schema",
  ONEOF_FIELD_REMOVED: "The %1 schema is missing a oneof field at path '{path}' in the %2 schema",
  MULTIPLE_FIELDS_MOVED_TO_ONEOF:
    "Multiple fields in the oneof at path '{path}' in the %1 schema are outside a oneof in the %2 schema",
  FIELD_MOVED_TO_EXISTING_ONEOF:
    "A field in the oneof at path '{path}' in the %1 schema is outside an existing oneof in the %2 schema",
} as const;
type Incompatibility = keyof typeof DESCRIPTIONS;

function message(type: Incompatibility, path: string): string {
  const description = DESCRIPTIONS[type].replace('{path}', path).replace('%1', 'new').replace('%2', 'old');
  return `{errorType:"${type}", description:"${description}"}`;
}

// the scalar groups whose values read as one another (Protobuf's "Updating a message type")
const SCALAR_GROUPS: Record<string, string> = {
  int32: 'number',
  int64: 'number',
  uint32: 'number',
  uint64: 'number',
  bool: 'number',
  sint32: 'signed',
  sint64: 'signed',
  string: 'bytes',
  bytes: 'bytes',
  fixed32: 'fixed32',
  sfixed32: 'fixed32',
  fixed64: 'fixed64',
  sfixed64: 'fixed64',
  float: 'float',
  double: 'double',
};

class Diff {
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly original: ParsedProtobuf,
    private readonly update: ParsedProtobuf,
  ) {}

  add(type: Incompatibility, path: string): void {
    this.problems.push(message(type, path));
  }

  file(): void {
    const [o, u] = [this.original.schema, this.update.schema];
    if (o.package !== u.package) this.add('PACKAGE_CHANGED', '#/');
    this.types(o.messages, u.messages, '#');
  }

  /** Messages matched by name (moving or reordering them is compatible: the message index is per schema id). */
  types(original: protobuf.Type[], update: protobuf.Type[], path: string): void {
    const byName = new Map(update.map((t) => [t.name, t]));
    for (const o of original) {
      const u = byName.get(o.name);
      if (!u) this.add('MESSAGE_REMOVED', `${path}/${o.name}`);
      else this.message(o, u, `${path}/${o.name}`);
    }
  }

  message(o: protobuf.Type, u: protobuf.Type, path: string): void {
    const key = `${o.fullName}\u0000${u.fullName}`;
    if (this.seen.has(key)) return; // recursive types: compared once
    this.seen.add(key);
    const oneofOf = (t: protobuf.Type) =>
      new Map(t.fieldsArray.filter((f) => f.partOf).map((f) => [f.id, f.partOf!.name] as const));
    const [oOneof, uOneof] = [oneofOf(o), oneofOf(u)];
    const oById = new Map(o.fieldsArray.map((f) => [f.id, f]));
    const uById = new Map(u.fieldsArray.map((f) => [f.id, f]));

    // fields that were independent (top-level, or in different oneofs) and are now one oneof's members
    for (const oneof of u.oneofsArray) {
      const groups = new Set<string>();
      let movedIn = 0;
      for (const f of oneof.fieldsArray) {
        if (oOneof.has(f.id)) groups.add(`oneof:${oOneof.get(f.id)}`);
        else if (oById.has(f.id)) {
          groups.add(`field:${f.id}`);
          movedIn++;
        }
      }
      if (groups.size > 1)
        this.add(
          movedIn > 1 ? 'MULTIPLE_FIELDS_MOVED_TO_ONEOF' : 'FIELD_MOVED_TO_EXISTING_ONEOF',
          `${path}/${oneof.name}`,
        );
    }
    // a oneof removed with all its members is a removal like any other (compatible)
    const deleted = new Set(
      o.oneofsArray
        .filter((one) => !u.oneofs?.[one.name] && !one.fieldsArray.some((f) => uById.has(f.id)))
        .map((one) => one.name),
    );
    for (const [id, of] of [...oById].sort((a, b) => a[0] - b[0])) {
      const uf = uById.get(id);
      const oneof = oOneof.get(id);
      if (!uf) {
        if (oneof !== undefined) {
          if (!deleted.has(oneof)) this.add('ONEOF_FIELD_REMOVED', `${path}/${oneof}/${id}`);
        } else if (of.required) this.add('REQUIRED_FIELD_REMOVED', `${path}/${id}`);
        continue;
      }
      const at = uOneof.has(id) ? `${path}/${uOneof.get(id)}/${id}` : `${path}/${id}`;
      this.field(of, uf, at);
    }
    for (const [id, uf] of uById) {
      if (!oById.has(id) && !uOneof.has(id) && uf.required) this.add('REQUIRED_FIELD_ADDED', `${path}/${id}`);
    }
    const nested = (t: protobuf.Type) => t.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
    this.types(nested(o), nested(u), path);
  }

  field(o: protobuf.Field, u: protobuf.Field, path: string): void {
    if (o instanceof protobuf.MapField !== u instanceof protobuf.MapField) return this.add('FIELD_KIND_CHANGED', path);
    if (o instanceof protobuf.MapField && u instanceof protobuf.MapField) {
      if (SCALAR_GROUPS[o.keyType] !== SCALAR_GROUPS[u.keyType]) this.add('FIELD_SCALAR_KIND_CHANGED', path);
    }
    const kind = (f: protobuf.Field) => (f.resolvedType instanceof protobuf.Type ? 'message' : 'scalar');
    if (kind(o) !== kind(u)) return this.add('FIELD_KIND_CHANGED', path);
    if (kind(o) === 'scalar') {
      // an enum is read as an int32
      const group = (f: protobuf.Field) => (f.resolvedType instanceof protobuf.Enum ? 'number' : SCALAR_GROUPS[f.type]);
      if (group(o) !== group(u)) return this.add('FIELD_SCALAR_KIND_CHANGED', path);
      const numeric = group(o) !== 'bytes';
      if (numeric && o.rule !== undefined && u.rule !== undefined && o.rule !== u.rule)
        this.add('FIELD_NUMERIC_LABEL_CHANGED', path);
      return;
    }
    const [ot, ut] = [o.resolvedType as protobuf.Type, u.resolvedType as protobuf.Type];
    const localName = (t: protobuf.Type, side: ProtobufSchema) =>
      side.package && t.fullName.startsWith(`.${side.package}.`)
        ? t.fullName.slice(side.package.length + 2)
        : t.fullName.slice(1);
    if (localName(ot, this.original.schema) !== localName(ut, this.update.schema))
      return this.add('FIELD_NAMED_TYPE_CHANGED', path);
    // a type of the file itself is compared where it is defined; an imported one here
    if (!this.original.local.has(ot.fullName) || !this.update.local.has(ut.fullName)) {
      const before = this.problems.length;
      this.message(ot, ut, `#/${localName(ot, this.original.schema)}`);
      if (this.problems.length > before) this.add('FIELD_NAMED_TYPE_CHANGED', path);
    }
  }
}

/** What identifies a file: its package, imports and types with resolved type names (not comments, layout or form). */
function describe(schema: ProtobufSchema): unknown {
  const type = (t: protobuf.Type): unknown => ({
    name: t.name,
    fields: t.fieldsArray.map((f) => [
      f.id,
      f.name,
      f.rule ?? '',
      f.resolvedType ? f.resolvedType.fullName : f.type,
      f instanceof protobuf.MapField ? f.keyType : '',
      f.partOf?.name ?? '',
    ]),
    nested: t.nestedArray.map((n) =>
      n instanceof protobuf.Type ? type(n) : n instanceof protobuf.Enum ? { enum: n.name, values: n.values } : n.name,
    ),
  });
  return {
    package: schema.package,
    imports: [...schema.imports].sort(),
    messages: schema.messages.map(type),
    enums: schema.enums.map((e) => ({ enum: e.name, values: e.values })),
  };
}

function localNames(schema: ProtobufSchema): Set<string> {
  const names = new Set<string>();
  const walk = (t: protobuf.Type) => {
    names.add(t.fullName);
    for (const n of t.nestedArray) if (n instanceof protobuf.Type) walk(n);
  };
  schema.messages.forEach(walk);
  return names;
}

export const protobufProvider: SchemaProvider<ParsedProtobuf> = {
  parse(text, references) {
    let schema: ProtobufSchema;
    try {
      schema = parseProtobufSchema(text, references);
    } catch (err) {
      if (err instanceof ProtobufSchemaError) throw invalidSchema(err.message);
      throw invalidSchema(`not a Protobuf schema: ${(err as Error).message}`);
    }
    return { schema, local: localNames(schema), canonical: JSON.stringify(describe(schema)) };
  },
  backward(previous, candidate) {
    const diff = new Diff(previous, candidate);
    diff.file();
    return diff.problems;
  },
};
