// .proto text from a FileDescriptorProto, for people: the base64 descriptor confluent-kafka-python registers is
// what a registry holds, and `evt schema get` shows it as the file it was compiled from. protoc reads the text
// back to the same descriptor (test/common/proto-print.test.ts compiles, prints and compiles again): the same
// messages, fields, numbers, labels, defaults, oneofs, maps, groups, enums, reserved ranges, extensions,
// services and standard options, and nested types in the same order, so message indexes are unchanged.
// Custom options are not shown: protobufjs' descriptor types drop the extensions they are made of. No library
// prints .proto (protobufjs-cli's proto target comes with jsdoc and a code generator), hence this module.

import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import { isSerializedDescriptor } from './protobuf-schema.js';

type File = Omit<descriptor.IFileDescriptorProto, 'dependency' | 'publicDependency' | 'weakDependency'> & {
  dependency?: string[] | null;
  publicDependency?: number[] | null;
  weakDependency?: number[] | null;
};
type Message = descriptor.IDescriptorProto;
type Field = descriptor.IFieldDescriptorProto;
// fields protobufjs' runtime descriptor types have and its type declarations lag behind on
type Enum = descriptor.IEnumDescriptorProto & {
  reservedRange?: { start?: number | null; end?: number | null }[] | null;
  reservedName?: string[] | null;
};
type ExtensionRange = { start?: number | null; end?: number | null; options?: object | null };

/** An options message of descriptor.proto (`FileOptions`, `FieldOptions`, ...) as protobufjs reflects it. */
const optionsType = (name: string) => (descriptor as unknown as Record<string, protobuf.Type>)[name];

/** FieldDescriptorProto.Type's scalar names (11 message, 14 enum and 10 group are named by their type) */
const SCALARS: Record<number, string> = {
  1: 'double',
  2: 'float',
  3: 'int64',
  4: 'uint64',
  5: 'int32',
  6: 'fixed64',
  7: 'fixed32',
  8: 'bool',
  9: 'string',
  12: 'bytes',
  13: 'uint32',
  15: 'sfixed32',
  16: 'sfixed64',
  17: 'sint32',
  18: 'sint64',
};
const TYPE_GROUP = 10;
const TYPE_STRING = 9;
const TYPE_BYTES = 12;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;
/** 2^29 - 1: an extension or reserved range that ends here is written `to max` */
const MAX_FIELD_NUMBER = 536870911;

/**
 * The .proto text of a registry's Protobuf schema registered as a base64 FileDescriptorProto; undefined for
 * one registered as .proto text (it is shown as it is) and for an edition file (`edition = "2023"`).
 */
export function printProto(schema: string): string | undefined {
  if (!isSerializedDescriptor(schema)) return undefined;
  // as a plain object: only the fields the descriptor sets (a decoded message answers defaults for the rest,
  // such as oneof_index 0 for every field)
  const decoded = descriptor.FileDescriptorProto.decode(Buffer.from(schema.trim(), 'base64'));
  const file = descriptor.FileDescriptorProto.toObject(decoded) as File;
  if (file.syntax === 'editions') return undefined;
  return new Printer(file).print();
}

class Printer {
  private readonly lines: string[] = [];
  private readonly proto3: boolean;

  constructor(private readonly file: File) {
    this.proto3 = file.syntax === 'proto3';
  }

  print(): string {
    const f = this.file;
    this.line(0, `syntax = "${this.proto3 ? 'proto3' : 'proto2'}";`);
    if (f.package) this.line(0, `package ${f.package};`);
    const publicDeps = new Set(f.publicDependency ?? []);
    const weakDeps = new Set(f.weakDependency ?? []);
    if (f.dependency?.length) this.lines.push('');
    for (const [i, dep] of (f.dependency ?? []).entries()) {
      const kind = publicDeps.has(i) ? 'public ' : weakDeps.has(i) ? 'weak ' : '';
      this.line(0, `import ${kind}${quote(dep)};`);
    }
    const options = optionLines(optionsType('FileOptions'), f.options);
    if (options.length) this.lines.push('');
    for (const o of options) this.line(0, `option ${o};`);
    for (const m of f.messageType ?? []) this.message(m, 0);
    for (const e of f.enumType ?? []) this.enum(e, 0);
    this.extensions(f.extension ?? [], [], 0);
    for (const s of f.service ?? []) {
      this.lines.push('');
      this.line(0, `service ${s.name} {`);
      for (const o of optionLines(optionsType('ServiceOptions'), s.options)) this.line(1, `option ${o};`);
      for (const m of s.method ?? []) {
        const input = `${m.clientStreaming ? 'stream ' : ''}${typeName(m.inputType)}`;
        const output = `${m.serverStreaming ? 'stream ' : ''}${typeName(m.outputType)}`;
        const methodOptions = optionLines(optionsType('MethodOptions'), m.options);
        if (!methodOptions.length) this.line(1, `rpc ${m.name} (${input}) returns (${output});`);
        else {
          this.line(1, `rpc ${m.name} (${input}) returns (${output}) {`);
          for (const o of methodOptions) this.line(2, `option ${o};`);
          this.line(1, '}');
        }
      }
      this.line(0, '}');
    }
    return this.lines.join('\n') + '\n';
  }

  private line(depth: number, text: string): void {
    this.lines.push('  '.repeat(depth) + text);
  }

  /**
   * A message, its fields and nested types interleaved so that protoc lists the nested types in the same order
   * again: a map's entry type and a group's type are made where their field is declared, so each such field is
   * printed after the nested messages that came before its type.
   */
  private message(m: Message, depth: number, asGroup?: { label: string; number: number }): void {
    if (depth === 0) this.lines.push('');
    const head = asGroup ? `${asGroup.label}group ${m.name} = ${asGroup.number}` : `message ${m.name}`;
    this.line(depth, `${head} {`);
    const inner = depth + 1;
    for (const o of optionLines(optionsType('MessageOptions'), m.options)) this.line(inner, `option ${o};`);
    const nested = m.nestedType ?? [];
    // the nested types that fields make (map entries, groups, extension groups): printed with their fields
    const madeByField = new Set<string>();
    for (const n of nested) if (n.options?.mapEntry) madeByField.add(n.name!);
    const fields = m.field ?? [];
    for (const f of [...fields, ...(m.extension ?? [])])
      if (f.type === TYPE_GROUP) madeByField.add(simpleName(f.typeName));
    let nextNested = 0;
    /**
     * Prints the nested messages declared before the type `name` that a field makes, and skips that one; with
     * no name, the rest (the types fields make are printed with their fields)
     */
    const nestedUpTo = (name: string | undefined) => {
      for (; nextNested < nested.length; nextNested++) {
        const n = nested[nextNested];
        if (name !== undefined && n.name === name) {
          nextNested++;
          return;
        }
        if (madeByField.has(n.name!)) {
          if (name !== undefined) return; // made by a later field: it comes with that field
          continue;
        }
        this.message(n, inner);
      }
    };
    const oneofs = m.oneofDecl ?? [];
    const printedOneofs = new Set<number>();
    for (const f of fields) {
      const made = this.madeType(m, f);
      if (made) nestedUpTo(made.name ?? undefined);
      const oneof = f.oneofIndex ?? undefined;
      if (oneof !== undefined && !f.proto3Optional) {
        if (printedOneofs.has(oneof)) continue;
        printedOneofs.add(oneof);
        this.line(inner, `oneof ${oneofs[oneof].name} {`);
        for (const o of optionLines(optionsType('OneofOptions'), oneofs[oneof].options))
          this.line(inner + 1, `option ${o};`);
        for (const member of fields.filter((x) => x.oneofIndex === oneof && !x.proto3Optional)) {
          const memberMade = this.madeType(m, member);
          if (memberMade) nestedUpTo(memberMade.name ?? undefined);
          this.field(m, member, inner + 1, true);
        }
        this.line(inner, '}');
        continue;
      }
      this.field(m, f, inner, false);
    }
    nestedUpTo(undefined);
    for (const e of m.enumType ?? []) this.enum(e, inner);
    this.extensions(m.extension ?? [], nested, inner);
    for (const r of (m.extensionRange ?? []) as ExtensionRange[]) {
      const options = optionLines(optionsType('ExtensionRangeOptions'), r.options);
      this.line(inner, `extensions ${range(r.start!, r.end! - 1)}${options.length ? ` [${options.join(', ')}]` : ''};`);
    }
    if (m.reservedRange?.length)
      this.line(inner, `reserved ${m.reservedRange.map((r) => range(r.start!, r.end! - 1)).join(', ')};`);
    if (m.reservedName?.length) this.line(inner, `reserved ${m.reservedName.map(quote).join(', ')};`);
    this.line(depth, '}');
  }

  /** The nested type a field makes (a map's entry, a group), if any. */
  private madeType(m: Message, f: Field): Message | undefined {
    if (f.type !== TYPE_GROUP && !f.typeName) return undefined;
    const name = simpleName(f.typeName);
    const n = (m.nestedType ?? []).find((x) => x.name === name);
    return n && (n.options?.mapEntry || f.type === TYPE_GROUP) ? n : undefined;
  }

  private field(m: Message, f: Field, depth: number, inOneof: boolean): void {
    const made = this.madeType(m, f);
    if (made?.options?.mapEntry) {
      const [key, value] = [made.field![0], made.field![1]];
      this.line(
        depth,
        `map<${this.typeOf(key)}, ${this.typeOf(value)}> ${f.name} = ${f.number}${this.fieldOptions(f)};`,
      );
      return;
    }
    const label = inOneof ? '' : this.label(f);
    if (made) {
      this.message(made, depth, { label, number: f.number! });
      return;
    }
    this.line(depth, `${label}${this.typeOf(f)} ${f.name} = ${f.number}${this.fieldOptions(f)};`);
  }

  private label(f: Field): string {
    if (f.label === LABEL_REPEATED) return 'repeated ';
    if (f.label === LABEL_REQUIRED) return 'required ';
    if (this.proto3) return f.proto3Optional ? 'optional ' : '';
    return f.label === LABEL_OPTIONAL ? 'optional ' : '';
  }

  private typeOf(f: Field): string {
    return SCALARS[f.type!] ?? typeName(f.typeName);
  }

  private fieldOptions(f: Field): string {
    const options: string[] = [];
    if (f.defaultValue != null) options.push(`default = ${defaultLiteral(f)}`);
    if (f.jsonName && f.jsonName !== jsonNameOf(f.name!)) options.push(`json_name = ${quote(f.jsonName)}`);
    options.push(...optionLines(optionsType('FieldOptions'), f.options));
    return options.length ? ` [${options.join(', ')}]` : '';
  }

  private enum(e: Enum, depth: number): void {
    if (depth === 0) this.lines.push('');
    this.line(depth, `enum ${e.name} {`);
    for (const o of optionLines(optionsType('EnumOptions'), e.options)) this.line(depth + 1, `option ${o};`);
    for (const v of e.value ?? []) {
      const options = optionLines(optionsType('EnumValueOptions'), v.options);
      this.line(depth + 1, `${v.name} = ${v.number}${options.length ? ` [${options.join(', ')}]` : ''};`);
    }
    if (e.reservedRange?.length)
      this.line(depth + 1, `reserved ${e.reservedRange.map((r) => range(r.start!, r.end!)).join(', ')};`);
    if (e.reservedName?.length) this.line(depth + 1, `reserved ${e.reservedName.map(quote).join(', ')};`);
    this.line(depth, '}');
  }

  /** Extension fields, one `extend` block per extended message, in order of first appearance. */
  private extensions(fields: Field[], nested: Message[], depth: number): void {
    const byExtendee = new Map<string, Field[]>();
    for (const f of fields) byExtendee.set(f.extendee!, [...(byExtendee.get(f.extendee!) ?? []), f]);
    for (const [extendee, members] of byExtendee) {
      if (depth === 0) this.lines.push('');
      this.line(depth, `extend ${typeName(extendee)} {`);
      for (const f of members) {
        const group = f.type === TYPE_GROUP ? nested.find((n) => n.name === simpleName(f.typeName)) : undefined;
        if (group) this.message(group, depth + 1, { label: this.label(f), number: f.number! });
        else this.line(depth + 1, `${this.label(f)}${this.typeOf(f)} ${f.name} = ${f.number}${this.fieldOptions(f)};`);
      }
      this.line(depth, '}');
    }
  }
}

/** A fully qualified type name as the descriptor has it (`.acme.shop.Order`), written absolute. */
function typeName(name: string | null | undefined): string {
  return name ?? '';
}

/** The last part of a type name: `.legacy.Search.Result` -> `Result`. */
function simpleName(name: string | null | undefined): string {
  return typeName(name).split('.').pop()!;
}

function range(start: number, end: number): string {
  if (start === end) return String(start);
  return `${start} to ${end >= MAX_FIELD_NUMBER ? 'max' : end}`;
}

/** protoc's default json_name: lowerCamelCase of the field name (ToJsonName in its descriptor.cc). */
function jsonNameOf(name: string): string {
  return name.replace(/_+([a-z0-9]?)/gi, (_, c: string) => c.toUpperCase());
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** A default value as the descriptor keeps it (text, bytes C-escaped already), written back as a literal. */
function defaultLiteral(f: Field): string {
  const v = f.defaultValue!;
  if (f.type === TYPE_STRING) return quote(v);
  if (f.type === TYPE_BYTES) return `"${v}"`; // C-escaped by protoc already
  return v; // a number, inf, nan, true, false or an enum value's name, as written
}

/**
 * The standard options set in an options message, as `name = value` (custom options are extensions, which
 * protobufjs' descriptor types do not keep). Editions' `features` are left out: edition files are not printed.
 */
function optionLines(type: protobuf.Type, options: object | null | undefined): string[] {
  if (!options) return [];
  const out: string[] = [];
  for (const field of type.fieldsArray) {
    const value = (options as Record<string, unknown>)[field.name];
    field.resolve();
    if (value === undefined || value === null) continue;
    if (field.name === 'uninterpretedOption' || field.name === 'features' || field.name === 'mapEntry') continue;
    if (field.repeated || field.resolvedType instanceof protobuf.Type) continue;
    const name = field.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const enumType = field.resolvedType instanceof protobuf.Enum ? field.resolvedType : null;
    // what is left is a number, a boolean or a string
    const scalar = value as number | boolean | string;
    const literal = enumType
      ? (enumType.valuesById[scalar as number] ?? String(scalar))
      : typeof scalar === 'string'
        ? quote(scalar)
        : String(scalar);
    out.push(`${name} = ${literal}`);
  }
  return out;
}
