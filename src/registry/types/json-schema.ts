// JSON Schemas of the registry: validated with Ajv (src/common/json-schema.ts), `$ref`s to other subjects given
// as references by the name the `$ref` uses. Compatibility follows Confluent's json-schema-provider diff under
// its default (strict) policy: the two schemas are walked side by side ($refs followed) and each difference is
// compatible or not. An object's content model decides about properties: a property added to an open model
// (additionalProperties absent or true) is incompatible (old data may hold anything under that name), added to
// a closed one (additionalProperties false) it is compatible unless required without a default; a property
// removed from a closed model is incompatible, from an open one compatible. A changed type, a narrowed enum,
// tighter ranges or lengths, a newly required property are incompatible; the opposite changes are not.

import { compileJsonSchema, JsonSchemaError } from '../../common/json-schema.js';
import { invalidSchema } from '../errors.js';
import type { ParsedSchema, SchemaProvider } from './provider.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Node = boolean | { [key: string]: Json };

export interface ParsedJsonSchema extends ParsedSchema {
  schema: Node;
  references: Map<string, Node>;
}

/** Sorted keys, no blanks: the same schema whatever its layout. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const isObject = (v: unknown): v is { [key: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);

type Kind =
  | 'empty'
  | 'false'
  | 'combined'
  | 'enum'
  | 'const'
  | 'object'
  | 'array'
  | 'string'
  | 'number'
  | 'boolean'
  | 'null'
  | 'not';
const COMBINERS = ['allOf', 'anyOf', 'oneOf'] as const;

/** The schema class Confluent's loader (everit) would build for a node. */
function kindOf(n: Node): Kind {
  if (n === true) return 'empty';
  if (n === false) return 'false';
  if (Array.isArray(n.type) && n.type.length > 1) return 'combined';
  if (COMBINERS.some((c) => Array.isArray(n[c])) && n.type === undefined) return 'combined';
  if (n.enum !== undefined) return 'enum';
  if (n.const !== undefined) return 'const';
  const type = Array.isArray(n.type) ? n.type[0] : n.type;
  if (type === 'object' || (type === undefined && (n.properties !== undefined || n.additionalProperties !== undefined)))
    return 'object';
  if (type === 'array' || (type === undefined && n.items !== undefined)) return 'array';
  if (type === 'string' || (type === undefined && (n.maxLength !== undefined || n.pattern !== undefined)))
    return 'string';
  if (
    type === 'number' ||
    type === 'integer' ||
    (type === undefined && (n.minimum !== undefined || n.maximum !== undefined))
  )
    return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'null') return 'null';
  if (n.not !== undefined) return 'not';
  return 'empty';
}

/** The subschemas and criterion of a combined node (a type array is an anyOf of its types). */
function combined(n: { [key: string]: Json }): { criterion: string; subs: Node[] } {
  if (Array.isArray(n.type)) {
    const rest = { ...n };
    delete rest.type;
    return { criterion: 'anyOf', subs: n.type.map((t) => ({ ...rest, type: t })) };
  }
  const criterion = COMBINERS.find((c) => Array.isArray(n[c]))!;
  return { criterion, subs: n[criterion] as Node[] };
}

// the differences Confluent's strict policy accepts; any other is incompatible
const COMPATIBLE = new Set([
  'SCHEMA_REMOVED',
  'TYPE_EXTENDED',
  'MAX_LENGTH_INCREASED',
  'MAX_LENGTH_REMOVED',
  'MIN_LENGTH_DECREASED',
  'MIN_LENGTH_REMOVED',
  'PATTERN_REMOVED',
  'MAXIMUM_INCREASED',
  'MAXIMUM_REMOVED',
  'MINIMUM_DECREASED',
  'MINIMUM_REMOVED',
  'EXCLUSIVE_MAXIMUM_INCREASED',
  'EXCLUSIVE_MAXIMUM_REMOVED',
  'EXCLUSIVE_MINIMUM_DECREASED',
  'EXCLUSIVE_MINIMUM_REMOVED',
  'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED',
  'REQUIRED_ATTRIBUTE_REMOVED',
  'MAX_PROPERTIES_INCREASED',
  'MAX_PROPERTIES_REMOVED',
  'MIN_PROPERTIES_DECREASED',
  'MIN_PROPERTIES_REMOVED',
  'ADDITIONAL_PROPERTIES_ADDED',
  'ADDITIONAL_PROPERTIES_EXTENDED',
  'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'MAX_ITEMS_INCREASED',
  'MAX_ITEMS_REMOVED',
  'MIN_ITEMS_DECREASED',
  'MIN_ITEMS_REMOVED',
  'UNIQUE_ITEMS_REMOVED',
  'ENUM_ARRAY_EXTENDED',
  'COMBINED_TYPE_EXTENDED',
  'PRODUCT_TYPE_NARROWED',
  'SUM_TYPE_EXTENDED',
]);

function describe(type: string, path: string): string {
  let text: string;
  if (type === 'TYPE_CHANGED' || type === 'TYPE_NARROWED')
    text = `A type at path '${path}' is different between the new schema and the old schema`;
  else if (/_ADDED$|_REMOVED$/.test(type) && !type.includes('PROPERTY') && !type.includes('ATTRIBUTE'))
    text = `The keyword at path '${path}' in the new schema is not present in the old schema`;
  else if (/_INCREASED$|_EXTENDED$/.test(type))
    text = `The value at path '${path}' in the new schema is more than its value in the old schema`;
  else if (/_DECREASED$|_NARROWED$/.test(type))
    text = `The value at path '${path}' in the new schema is less than its value in the old schema`;
  else if (type.startsWith('PROPERTY_') || type.startsWith('REQUIRED_'))
    text = `The property at path '${path}' is ${type.toLowerCase().replace(/_/g, ' ')} (new schema against the old schema)`;
  else text = `The value at path '${path}' is different between the new and old schema`;
  return `{errorType:"${type}", description:"${text}"}`;
}

class Diff {
  readonly differences: { type: string; path: string }[] = [];
  private readonly onStack = new Set<string>();

  constructor(
    private readonly original: ParsedJsonSchema,
    private readonly update: ParsedJsonSchema,
  ) {}

  get problems(): string[] {
    return this.differences.filter((d) => !COMPATIBLE.has(d.type)).map((d) => describe(d.type, d.path));
  }

  private add(type: string, path: string): void {
    this.differences.push({ type, path });
  }

  /** Follows `$ref`s: `#/...` in the same document, `name` or `name#/...` in a reference. */
  private deref(n: Node, side: ParsedJsonSchema, doc: Node, depth = 0): { node: Node; doc: Node } {
    if (n === true || n === false || typeof n.$ref !== 'string' || depth > 32) return { node: n, doc };
    const [base, fragment = ''] = n.$ref.split('#');
    const target = base === '' ? doc : side.references.get(base);
    if (target === undefined) return { node: true, doc }; // validated by Ajv already: an id Ajv resolved itself
    let node: Json = target;
    for (const part of fragment.split('/').filter(Boolean)) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : null;
    }
    const next = typeof node === 'boolean' || isObject(node) ? node : true;
    return this.deref(next, side, target, depth + 1);
  }

  /** Is a subtree compatible on its own? (for unions: which update branch matches an original one) */
  private fits(o: Node, u: Node, od: Node, ud: Node): boolean {
    const sub = new Diff(this.original, this.update);
    sub.compare(o, u, '#', od, ud);
    return sub.problems.length === 0;
  }

  compare(o0: Node | undefined, u0: Node | undefined, path: string, od0: Node, ud0: Node): void {
    if (o0 === undefined && u0 === undefined) return;
    if (o0 === undefined) return this.add('SCHEMA_ADDED', path);
    if (u0 === undefined) return this.add('SCHEMA_REMOVED', path);
    const { node: o, doc: od } = this.deref(o0, this.original, od0);
    const { node: u, doc: ud } = this.deref(u0, this.update, ud0);
    const key = `${path}\u0000${canonicalJson(o)}\u0000${canonicalJson(u)}`;
    if (this.onStack.has(key)) return; // a recursive schema: assumed compatible where it repeats
    this.onStack.add(key);
    try {
      this.types(o, u, path, od, ud);
    } finally {
      this.onStack.delete(key);
    }
  }

  private types(o: Node, u: Node, path: string, od: Node, ud: Node): void {
    const [ok, uk] = [kindOf(o), kindOf(u)];
    if (ok !== 'combined' && uk === 'combined') {
      const { criterion, subs } = combined(u as { [key: string]: Json });
      if (subs.length === 1 && this.fits(o, subs[0], od, ud)) return this.compare(o, subs[0], path, od, ud);
      if (criterion !== 'allOf' && subs.some((s) => this.fits(o, s, od, ud)))
        return this.add('SUM_TYPE_EXTENDED', path);
    } else if (ok === 'combined' && uk !== 'combined') {
      const { criterion, subs } = combined(o as { [key: string]: Json });
      if (subs.length === 1 && this.fits(subs[0], u, od, ud)) return this.compare(subs[0], u, path, od, ud);
      if (criterion === 'allOf' && subs.some((s) => this.fits(s, u, od, ud)))
        return this.add('PRODUCT_TYPE_NARROWED', path);
    }
    if (ok !== uk) {
      if (ok === 'false' || uk === 'empty') return;
      return this.add('TYPE_CHANGED', path);
    }
    if (o === true || o === false || u === true || u === false) return;
    switch (ok) {
      case 'string':
        this.limit(o.maxLength, u.maxLength, 'MAX_LENGTH', +1, `${path}/maxLength`);
        this.limit(o.minLength, u.minLength, 'MIN_LENGTH', -1, `${path}/minLength`);
        if (o.pattern !== u.pattern)
          this.add(
            o.pattern === undefined ? 'PATTERN_ADDED' : u.pattern === undefined ? 'PATTERN_REMOVED' : 'PATTERN_CHANGED',
            `${path}/pattern`,
          );
        return;
      case 'number':
        this.limit(o.maximum, u.maximum, 'MAXIMUM', +1, `${path}/maximum`);
        this.limit(o.minimum, u.minimum, 'MINIMUM', -1, `${path}/minimum`);
        this.limit(o.exclusiveMaximum, u.exclusiveMaximum, 'EXCLUSIVE_MAXIMUM', +1, `${path}/exclusiveMaximum`);
        this.limit(o.exclusiveMinimum, u.exclusiveMinimum, 'EXCLUSIVE_MINIMUM', -1, `${path}/exclusiveMinimum`);
        if (o.type !== u.type) this.add(o.type === 'integer' ? 'TYPE_EXTENDED' : 'TYPE_NARROWED', path);
        return;
      case 'enum': {
        const [oe, ue] = [(o.enum as Json[]).map(canonicalJson), (u.enum as Json[]).map(canonicalJson)];
        if (oe.length === ue.length && oe.every((v) => ue.includes(v))) return;
        if (oe.every((v) => ue.includes(v))) return this.add('ENUM_ARRAY_EXTENDED', `${path}/enum`);
        return this.add(ue.every((v) => oe.includes(v)) ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED', `${path}/enum`);
      }
      case 'const':
        if (canonicalJson(o.const) !== canonicalJson(u.const)) this.add('CONST_CHANGED', `${path}/const`);
        return;
      case 'object':
        return this.object(o, u, path, od, ud);
      case 'array':
        this.limit(o.maxItems, u.maxItems, 'MAX_ITEMS', +1, `${path}/maxItems`);
        this.limit(o.minItems, u.minItems, 'MIN_ITEMS', -1, `${path}/minItems`);
        if (!!o.uniqueItems !== !!u.uniqueItems)
          this.add(o.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', `${path}/uniqueItems`);
        if (!Array.isArray(o.items) && !Array.isArray(u.items))
          this.compare(o.items as Node | undefined, u.items as Node | undefined, `${path}/items`, od, ud);
        return;
      case 'combined':
        return this.combinedDiff(o, u, path, od, ud);
      default:
        return;
    }
  }

  /** A bound: `direction` +1 when a larger value accepts more (maximum), -1 when a smaller one does (minimum). */
  private limit(o: Json | undefined, u: Json | undefined, name: string, direction: 1 | -1, path: string): void {
    if (typeof o !== 'number' && typeof u !== 'number') return;
    if (typeof o !== 'number') return this.add(`${name}_ADDED`, path);
    if (typeof u !== 'number') return this.add(`${name}_REMOVED`, path);
    if (o === u) return;
    const looser = direction > 0 ? u > o : u < o;
    const words = direction > 0 ? ['INCREASED', 'DECREASED'] : ['DECREASED', 'INCREASED'];
    this.add(`${name}_${looser ? words[0] : words[1]}`, path);
  }

  private object(o: { [key: string]: Json }, u: { [key: string]: Json }, path: string, od: Node, ud: Node): void {
    const props = (n: { [key: string]: Json }) =>
      isObject(n.properties) ? (n.properties as Record<string, Node>) : {};
    const required = (n: { [key: string]: Json }) => new Set(Array.isArray(n.required) ? n.required.map(String) : []);
    const [op, up, or, ur] = [props(o), props(u), required(o), required(u)];
    const hasDefault = (n: Node | undefined) => isObject(n) && n.default !== undefined;
    for (const name of Object.keys(op)) {
      if (!(name in up)) continue;
      if (or.has(name) && !ur.has(name)) this.add('REQUIRED_ATTRIBUTE_REMOVED', `${path}/required/${name}`);
      if (!or.has(name) && ur.has(name))
        this.add(
          hasDefault(up[name]) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED',
          `${path}/required/${name}`,
        );
    }
    // open: additionalProperties absent or true (and no patternProperties); a schema there makes it partly open
    const open = (n: { [key: string]: Json }) =>
      (n.additionalProperties === undefined || n.additionalProperties === true) && !isObject(n.patternProperties);
    const partial = (n: { [key: string]: Json }, name: string): Node | undefined => {
      if (isObject(n.patternProperties))
        for (const [pattern, s] of Object.entries(n.patternProperties))
          if (new RegExp(pattern, 'u').test(name)) return s as Node;
      return isObject(n.additionalProperties) ? n.additionalProperties : undefined;
    };
    for (const name of new Set([...Object.keys(op), ...Object.keys(up)])) {
      const at = `${path}/properties/${name}`;
      if (!(name in up)) {
        if (open(u)) this.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', at);
        else {
          const covering = partial(u, name);
          if (covering !== undefined)
            this.add(
              this.fits(op[name], covering, od, ud)
                ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
                : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
              at,
            );
          else
            this.add(
              op[name] === false
                ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
                : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
              at,
            );
        }
      } else if (!(name in op)) {
        if (open(o)) {
          if (up[name] === true || (isObject(up[name]) && Object.keys(up[name]).length === 0))
            this.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', at);
          else if (ur.has(name))
            this.add(
              hasDefault(up[name])
                ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL'
                : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
              at,
            );
          else this.add('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', at);
        } else {
          const covering = partial(o, name);
          if (covering !== undefined)
            this.add(
              this.fits(covering, up[name], od, ud)
                ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
                : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
              at,
            );
          if (ur.has(name))
            this.add(
              hasDefault(up[name])
                ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
                : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
              at,
            );
          else this.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', at);
        }
      } else this.compare(op[name], up[name], at, od, ud);
    }
    const permits = (n: { [key: string]: Json }) => n.additionalProperties !== false;
    const apAt = `${path}/additionalProperties`;
    if (permits(o) !== permits(u))
      this.add(permits(u) ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED', apAt);
    else if (!isObject(o.additionalProperties) && isObject(u.additionalProperties))
      this.add('ADDITIONAL_PROPERTIES_NARROWED', apAt);
    else if (isObject(o.additionalProperties) && !isObject(u.additionalProperties))
      this.add('ADDITIONAL_PROPERTIES_EXTENDED', apAt);
    else if (isObject(o.additionalProperties) && isObject(u.additionalProperties))
      this.compare(o.additionalProperties, u.additionalProperties, apAt, od, ud);
    this.limit(o.maxProperties, u.maxProperties, 'MAX_PROPERTIES', +1, `${path}/maxProperties`);
    this.limit(o.minProperties, u.minProperties, 'MIN_PROPERTIES', -1, `${path}/minProperties`);
  }

  private combinedDiff(o: { [key: string]: Json }, u: { [key: string]: Json }, path: string, od: Node, ud: Node): void {
    const [oc, uc] = [combined(o), combined(u)];
    if (oc.criterion !== uc.criterion) {
      const single = (c: { subs: Node[] }) => c.subs.length === 1;
      const extended =
        uc.criterion === 'anyOf' ||
        (single(oc) && single(uc)) ||
        (single(oc) && uc.criterion === 'oneOf') ||
        (single(uc) && oc.criterion === 'allOf');
      if (!extended) return this.add('COMBINED_TYPE_CHANGED', path);
      this.add('COMBINED_TYPE_EXTENDED', path);
    }
    if (oc.subs.length < uc.subs.length)
      this.add(uc.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED', path);
    if (oc.subs.length > uc.subs.length)
      this.add(oc.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED', path);
    // each original branch needs a compatible branch of its own in the update (a greedy matching)
    const free = uc.subs.map((_, i) => i);
    let matched = 0;
    for (const s of oc.subs) {
      const i = free.findIndex((j) => this.fits(s, uc.subs[j], od, ud));
      if (i >= 0) {
        free.splice(i, 1);
        matched++;
      }
    }
    if (matched < Math.min(oc.subs.length, uc.subs.length)) this.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED', path);
  }
}

/** Keywords whose values are data, not schemas: left as they are when a draft-04 schema is rewritten. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);

/**
 * A draft-04 schema's bounds in the form of later drafts, which the diff compares: draft-04 writes an exclusive
 * bound as `maximum: 10, exclusiveMaximum: true`, draft-06 on as `exclusiveMaximum: 10` (as Ajv's json-schema-
 * migrate rewrites them).
 */
function withLaterBounds(node: Json): Json {
  if (Array.isArray(node)) return node.map(withLaterBounds);
  if (!isObject(node)) return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) out[key] = DATA_KEYWORDS.has(key) ? value : withLaterBounds(value);
  for (const [bound, exclusive] of [
    ['maximum', 'exclusiveMaximum'],
    ['minimum', 'exclusiveMinimum'],
  ] as const) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive] === true && typeof out[bound] === 'number') {
      out[exclusive] = out[bound];
      delete out[bound];
    } else delete out[exclusive];
  }
  return out;
}

const isDraft04 = (n: unknown) => isObject(n) && typeof n.$schema === 'string' && n.$schema.includes('draft-04');

export const jsonSchemaProvider: SchemaProvider<ParsedJsonSchema> = {
  parse(text, references) {
    try {
      const compiled = compileJsonSchema(text, references);
      // the referenced schemas are compiled with the main schema's draft (one Ajv), and read with it here
      const comparable = isDraft04(compiled.schema)
        ? (n: unknown) => withLaterBounds(n as Json) as Node
        : (n: unknown) => n as Node;
      return {
        schema: comparable(compiled.schema),
        references: new Map([...compiled.references].map(([name, n]) => [name, comparable(n)])),
        canonical: canonicalJson(compiled.schema),
      };
    } catch (err) {
      if (err instanceof JsonSchemaError) throw invalidSchema(err.message);
      throw err;
    }
  },
  backward(previous, candidate) {
    const diff = new Diff(previous, candidate);
    diff.compare(previous.schema, candidate.schema, '#', previous.schema, candidate.schema);
    return diff.problems;
  },
};
