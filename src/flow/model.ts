// A flow: what an event system is expected to do, so that evt can judge it. Per topic, where the entity id
// lives and which event types it carries; which consumer group reacts to which type with which answer (and
// within how long); which types are final. Trace, the stuck list, the entity index and the dashboard read a
// system only through its flow, the bundled order workflow included (flows/shop.json).
//
// This module holds the model and evt's own flow file format (JSON, or YAML), checked field by field with
// errors that name the file and the field. AsyncAPI documents are read by asyncapi.ts into the same model.

import { formatDuration, parseDurationText } from '../common/time.js';
import { formatPath, parsePath, parseRecordPath, PathError, type JsonPath, type RecordPath } from './json-path.js';

/** Where the entity id lives in a record of a topic: `$key`, `$headers.<name>` or a value path `$.a.b`. */
export type IdLocation = RecordPath;

/** Where the event type lives, when the conventions (conventions.ts) would not find it. */
export type TypeLocation =
  | Exclude<RecordPath, { from: 'key' }>
  | { from: 'topic'; text: string }
  | { from: 'fixed'; text: string; type: string };

export interface FlowTopic {
  name: string;
  /** where the id is, in order of preference; empty: anywhere (key, any header, any value field) */
  idAt: IdLocation[];
  /** the event types the topic carries (empty: not declared) */
  types: string[];
  /** null: by the conventions */
  typeAt: TypeLocation | null;
  /** a dead-letter topic: its records are failed records of other topics */
  deadLetter: boolean;
  /** value fields whose changes the timeline shows (e.g. state, reason) */
  watch: string[];
  /** 'registry': its values are in the schema registry's wire format, and a record that is not is garbage, not an event */
  values: 'registry' | null;
  /**
   * Where the entity's other events name the keys of this topic's records (`$.lines[*].sku` for stock levels
   * keyed by sku): trace reads only those keys' partitions. Empty: not keyed by anything the entity names.
   */
  keys: JsonPath[];
}

/** A consumer group's expected reaction: on a trigger type, one of the answer types. */
export interface Reaction {
  /** the consumer groups that react (usually one; an inferred flow may name candidates) */
  groups: string[];
  /** what to call it in verdicts (default: the group) */
  service: string;
  /** any of these triggers it (the latest in the timeline is the trigger) */
  on: string[];
  /** and all of these must be present, each inner list meaning "one of" (a join) */
  requires: string[][];
  /** any of these fulfils it */
  answers: string[];
  /** not expected once any of these happened */
  unless: string[];
  /** the answer usually comes within this (null: not known) */
  withinMs: number | null;
  /** the answer comes from a timer of the group's after the trigger, not from consuming it */
  timer: boolean;
  /** still owed after the entity is final (a compensation, a capture); else dropped when final */
  followUp: boolean;
}

export interface Flow {
  name: string;
  /** what an id names ("order", "parcel"), for messages */
  entity: string;
  /** where the flow came from: a file, "bundled:shop", "inferred" */
  source: string;
  topics: FlowTopic[];
  reactions: Reaction[];
  /** event types after which the entity is done */
  final: string[];
  /** the state an event type puts the entity in (the dashboard's funnel); empty: the latest type is the state */
  states: Record<string, string>;
  /** the state of an entity none of whose events maps to one (e.g. REQUESTED) */
  initialState: string | null;
  /** where the reason of an outcome is, per event type (OrderRejected -> $.reason) */
  reasons: Record<string, JsonPath>;
  /** put before every topic name and group id of the file (environments such as `dev.`; the demo's `shop.`) */
  prefix: string;
  /** what inference or the file says about itself, shown by `evt flow show` */
  notes: string[];
}

export class FlowError extends Error {
  override name = 'FlowError';
}

export function flowTopic(flow: Flow, topic: string): FlowTopic | undefined {
  return flow.topics.find((t) => t.name === topic);
}

/** The state an entity is in after these event types (in timeline order). */
export function stateAfter(flow: Flow, types: readonly string[]): string | null {
  const mapped = Object.keys(flow.states).length > 0;
  for (let i = types.length - 1; i >= 0; i--) {
    if (!mapped) return types[i];
    const s = flow.states[types[i]];
    if (s) return s;
  }
  return flow.initialState;
}

export function isFinalType(flow: Flow, type: string): boolean {
  return flow.final.includes(type);
}

/**
 * The event types a flow has rules for: what its reactions react to, wait for or answer with, and its final
 * types. An entity none of whose events is one of them is not one the flow judges (a sku's stock levels,
 * in the order workflow, carry the sku where the order id would be).
 */
export function judgedTypes(flow: Flow): Set<string> {
  return new Set([...flow.final, ...flow.reactions.flatMap((r) => [...r.on, ...r.answers, ...r.requires.flat()])]);
}

/** The groups a flow names, in order of first mention, each with the service name it is given. */
export function flowGroups(flow: Flow): { group: string; service: string }[] {
  const out = new Map<string, string>();
  for (const r of flow.reactions)
    for (const g of r.groups) if (!out.has(g)) out.set(g, r.groups.length === 1 ? r.service : g);
  return [...out].map(([group, service]) => ({ group, service }));
}

/** `$key`, `$headers.<name>`, a value path, or AsyncAPI's `$message.header#/<name>` / `$message.payload#/a/b`. */
export function parseIdLocation(text: string): IdLocation {
  const t = text.trim();
  const expr = runtimeExpression(t);
  if (expr) {
    if (expr.where === 'header')
      return { from: 'header', text: `$headers.${expr.pointer.slice(1)}`, name: expr.pointer.slice(1) };
    const path = toPath(expr.pointer, text);
    return { from: 'value', text: path.text, path };
  }
  try {
    return parseRecordPath(t);
  } catch (err) {
    throw new FlowError(
      `${(err as PathError).message} (an id lives at $key, $headers.<name> or a value path like $.parcel.id)`,
    );
  }
}

/** An id location, or `topic` (the topic's name is the type) or `fixed:<type>`. */
export function parseTypeLocation(text: string): TypeLocation {
  const t = text.trim();
  if (t === 'topic') return { from: 'topic', text: t };
  if (t.startsWith('fixed:')) return { from: 'fixed', text: t, type: t.slice('fixed:'.length).trim() };
  const l = parseIdLocation(t);
  if (l.from === 'key')
    throw new FlowError(
      `"${text}": the key holds no event type; use $headers.<name>, a value path, topic or fixed:<type>`,
    );
  return l;
}

export function formatIdLocation(l: IdLocation | TypeLocation): string {
  return l.from === 'value' ? formatPath(l.path.steps) : l.text;
}

/** AsyncAPI's `$message.header#/name` and `$message.payload#/a/b`. */
export function runtimeExpression(text: string): { where: 'header' | 'payload'; pointer: string } | null {
  const m = /^\$message\.(header|payload)#(\/.*)$/.exec(text.trim());
  return m ? { where: m[1] as 'header' | 'payload', pointer: m[2] } : null;
}

function toPath(text: string, whole: string): JsonPath {
  try {
    return parsePath(text);
  } catch (err) {
    // the path error quotes the path; an AsyncAPI expression around it is quoted as well
    const message = (err as PathError).message;
    throw new FlowError(whole === text ? message : `"${whole}": ${message}`);
  }
}

// ------------------------------------------------------------------------------------------ evt flow files

/** An empty flow to build on. */
export function emptyFlow(name: string, source: string): Flow {
  return {
    name,
    entity: 'entity',
    source,
    topics: [],
    reactions: [],
    final: [],
    states: {},
    initialState: null,
    reasons: {},
    prefix: '',
    notes: [],
  };
}

type Json = Record<string, unknown>;

/** A field-by-field reader of the file's JSON that names the field when something is wrong. */
class Reader {
  constructor(readonly file: string) {}

  fail(where: string, what: string): never {
    throw new FlowError(`${this.file}: ${where}: ${what}`);
  }

  object(v: unknown, where: string): Json {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(where, `expected an object, got ${kind(v)}`);
    return v as Json;
  }

  string(v: unknown, where: string): string {
    if (typeof v !== 'string' || !v.trim()) this.fail(where, `expected a non-empty string, got ${kind(v)}`);
    return v.trim();
  }

  strings(v: unknown, where: string): string[] {
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [this.string(v, where)];
    if (!Array.isArray(v)) this.fail(where, `expected a string or a list of strings, got ${kind(v)}`);
    return v.map((x, i) => this.string(x, `${where}[${i}]`));
  }

  bool(v: unknown, where: string): boolean {
    if (v === undefined) return false;
    if (typeof v !== 'boolean') this.fail(where, `expected true or false, got ${kind(v)}`);
    return v;
  }

  duration(v: unknown, where: string): number | null {
    if (v === undefined || v === null) return null;
    const ms = typeof v === 'number' ? v : typeof v === 'string' ? parseDurationText(v) : null;
    if (ms === null || !Number.isFinite(ms) || ms < 0)
      this.fail(where, `expected a duration such as 500ms, 30s or 5m, got ${JSON.stringify(v)}`);
    return ms;
  }

  known(o: Json, where: string, fields: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!fields.includes(k) && !k.startsWith('x-') && k !== '$schema' && k !== '$comment')
        this.fail(`${where}.${k}`, `unknown field (known: ${fields.join(', ')})`);
  }
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

const FILE_FIELDS = [
  'flow',
  'entity',
  'description',
  'prefix',
  'asyncapi',
  'topics',
  'reactions',
  'final',
  'states',
  'initialState',
  'reasons',
  'notes',
] as const;
const TOPIC_FIELDS = ['id', 'types', 'type', 'deadLetter', 'watch', 'values', 'keys', 'description'] as const;
const REACTION_FIELDS = [
  'group',
  'groups',
  'service',
  'on',
  'requires',
  'answers',
  'unless',
  'within',
  'timer',
  'followUp',
  'description',
] as const;

/**
 * An evt flow file's content (already parsed from JSON or YAML) as a flow. `base` is what its `asyncapi`
 * documents gave (the file adds to it and overrides it topic by topic). `prefix`, when given, replaces the
 * file's own prefix.
 */
export function flowFromFile(doc: unknown, file: string, base: Flow | null, prefix?: string): Flow {
  const r = new Reader(file);
  const o = r.object(doc, '(the file)');
  r.known(o, '(the file)', FILE_FIELDS);
  const flow: Flow = base ? structuredClone(base) : emptyFlow('', file);
  flow.source = file;
  flow.name =
    o.flow !== undefined
      ? r.string(o.flow, 'flow')
      : flow.name || file.replace(/^.*\//, '').replace(/\.(json|ya?ml)$/, '');
  if (o.entity !== undefined) flow.entity = r.string(o.entity, 'entity');
  const filePrefix =
    o.prefix !== undefined ? (typeof o.prefix === 'string' ? o.prefix : r.fail('prefix', 'expected a string')) : '';
  flow.prefix = prefix ?? filePrefix;
  const topicName = (name: string) => flow.prefix + name;

  if (o.topics !== undefined) {
    const topics = r.object(o.topics, 'topics');
    for (const [name, spec] of Object.entries(topics)) {
      const where = `topics.${name}`;
      const t = spec === null ? {} : r.object(spec, where);
      r.known(t, where, TOPIC_FIELDS);
      const topic: FlowTopic = {
        name: topicName(name),
        idAt: r
          .strings(t.id, `${where}.id`)
          .map((l, i) => located(() => parseIdLocation(l), r, `${where}.id${Array.isArray(t.id) ? `[${i}]` : ''}`)),
        types: r.strings(t.types, `${where}.types`),
        typeAt:
          t.type !== undefined
            ? located(() => parseTypeLocation(r.string(t.type, `${where}.type`)), r, `${where}.type`)
            : null,
        deadLetter: r.bool(t.deadLetter, `${where}.deadLetter`),
        watch: r.strings(t.watch, `${where}.watch`),
        values:
          t.values === undefined
            ? null
            : t.values === 'registry'
              ? 'registry'
              : r.fail(
                  `${where}.values`,
                  `expected "registry" (values in the schema registry's wire format), got ${kind(t.values)}`,
                ),
        keys: r
          .strings(t.keys, `${where}.keys`)
          .map((k, i) => located(() => toPath(k, k), r, `${where}.keys${Array.isArray(t.keys) ? `[${i}]` : ''}`)),
      };
      const existing = flow.topics.findIndex((x) => x.name === topic.name);
      if (existing >= 0) {
        // over an AsyncAPI channel: what the file says wins, what it leaves out is kept
        const before = flow.topics[existing];
        flow.topics[existing] = {
          ...before,
          idAt: topic.idAt.length ? topic.idAt : before.idAt,
          types: topic.types.length ? topic.types : before.types,
          typeAt: topic.typeAt ?? before.typeAt,
          deadLetter: topic.deadLetter || before.deadLetter,
          watch: topic.watch.length ? topic.watch : before.watch,
          values: topic.values ?? before.values,
          keys: topic.keys.length ? topic.keys : before.keys,
        };
      } else flow.topics.push(topic);
    }
  }

  if (o.reactions !== undefined) {
    const list: unknown[] = Array.isArray(o.reactions)
      ? o.reactions
      : r.fail('reactions', `expected a list, got ${kind(o.reactions)}`);
    const fromFile = list.map((spec, i) => reactionFrom(r, spec, `reactions[${i}]`, flow.prefix));
    // a group the file describes is described by the file alone
    const described = new Set(fromFile.flatMap((x) => x.groups));
    flow.reactions = [...flow.reactions.filter((x) => !x.groups.some((g) => described.has(g))), ...fromFile];
  }
  if (o.final !== undefined) flow.final = r.strings(o.final, 'final');
  if (o.states !== undefined) {
    const states = r.object(o.states, 'states');
    flow.states = Object.fromEntries(Object.entries(states).map(([type, s]) => [type, r.string(s, `states.${type}`)]));
  }
  if (o.initialState !== undefined) flow.initialState = r.string(o.initialState, 'initialState');
  if (o.reasons !== undefined) {
    const reasons = r.object(o.reasons, 'reasons');
    flow.reasons = Object.fromEntries(
      Object.entries(reasons).map(([type, p]) => [
        type,
        located(() => toPath(r.string(p, `reasons.${type}`), String(p)), r, `reasons.${type}`),
      ]),
    );
  }
  if (o.notes !== undefined) flow.notes = r.strings(o.notes, 'notes');
  validate(flow, file);
  return flow;
}

function located<T>(parse: () => T, r: Reader, where: string): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof FlowError && !err.message.startsWith(r.file)) r.fail(where, err.message);
    throw err;
  }
}

function reactionFrom(r: Reader, spec: unknown, where: string, prefix: string): Reaction {
  const o = r.object(spec, where);
  r.known(o, where, REACTION_FIELDS);
  const named = [...r.strings(o.group, `${where}.group`), ...r.strings(o.groups, `${where}.groups`)];
  if (named.length === 0) r.fail(where, 'names no consumer group (group: <id>)');
  const groups = named.map((g) => prefix + g);
  const on = r.strings(o.on, `${where}.on`);
  if (on.length === 0) r.fail(`${where}.on`, 'names no event type that triggers the reaction');
  const answers = r.strings(o.answers, `${where}.answers`);
  if (answers.length === 0) r.fail(`${where}.answers`, 'names no event type that answers it');
  let requires: string[][] = [];
  if (o.requires !== undefined) {
    const list: unknown[] = Array.isArray(o.requires)
      ? o.requires
      : r.fail(
          `${where}.requires`,
          `expected a list (an entry may itself be a list meaning "one of"), got ${kind(o.requires)}`,
        );
    requires = list.map((x, i) => r.strings(x, `${where}.requires[${i}]`));
  }
  return {
    groups,
    service: o.service !== undefined ? r.string(o.service, `${where}.service`) : named[0],
    on,
    requires,
    answers,
    unless: r.strings(o.unless, `${where}.unless`),
    withinMs: r.duration(o.within, `${where}.within`),
    timer: r.bool(o.timer, `${where}.timer`),
    followUp: r.bool(o.followUp, `${where}.followUp`),
  };
}

/** What no flow may be: a reaction's types unknown to every topic that declares types, and the like. */
function validate(flow: Flow, file: string): void {
  const declared = new Set(flow.topics.flatMap((t) => t.types));
  if (declared.size === 0) return;
  const unknown = (types: readonly string[]) => types.filter((t) => !declared.has(t));
  const problems: string[] = [];
  flow.reactions.forEach((x, i) => {
    const bad = [...unknown(x.on), ...unknown(x.answers), ...unknown(x.requires.flat()), ...unknown(x.unless)];
    if (bad.length)
      problems.push(`reactions[${i}] (${x.service}) names ${[...new Set(bad)].join(', ')}, which no topic declares`);
  });
  const badFinal = unknown(flow.final);
  if (badFinal.length) problems.push(`final names ${badFinal.join(', ')}, which no topic declares`);
  if (problems.length)
    throw new FlowError(`${file}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
}

/** A flow as an evt flow file (what `evt flow infer` writes and `evt flow show --format json` prints). */
export function flowToFile(flow: Flow): Record<string, unknown> {
  const strip = (name: string) => (flow.prefix && name.startsWith(flow.prefix) ? name.slice(flow.prefix.length) : name);
  const one = <T>(list: T[]) => (list.length === 1 ? list[0] : list);
  const out: Record<string, unknown> = { flow: flow.name, entity: flow.entity };
  if (flow.prefix) out.prefix = flow.prefix;
  out.topics = Object.fromEntries(
    flow.topics.map((t) => {
      const spec: Record<string, unknown> = {};
      if (t.idAt.length) spec.id = one(t.idAt.map(formatIdLocation));
      if (t.types.length) spec.types = t.types;
      if (t.typeAt) spec.type = formatIdLocation(t.typeAt);
      if (t.deadLetter) spec.deadLetter = true;
      if (t.watch.length) spec.watch = t.watch;
      if (t.values) spec.values = t.values;
      if (t.keys.length) spec.keys = one(t.keys.map((k) => k.text));
      return [strip(t.name), spec];
    }),
  );
  out.reactions = flow.reactions.map((x) => {
    const groups = x.groups.map(strip);
    const spec: Record<string, unknown> = groups.length === 1 ? { group: groups[0] } : { groups };
    if (x.service !== groups[0]) spec.service = x.service;
    spec.on = one(x.on);
    if (x.requires.length) spec.requires = x.requires.map(one);
    spec.answers = one(x.answers);
    if (x.unless.length) spec.unless = x.unless;
    if (x.withinMs !== null) spec.within = formatDuration(x.withinMs, 'exact');
    if (x.timer) spec.timer = true;
    if (x.followUp) spec.followUp = true;
    return spec;
  });
  out.final = flow.final;
  if (Object.keys(flow.states).length) out.states = flow.states;
  if (flow.initialState) out.initialState = flow.initialState;
  if (Object.keys(flow.reasons).length)
    out.reasons = Object.fromEntries(Object.entries(flow.reasons).map(([t, p]) => [t, p.text]));
  if (flow.notes.length) out.notes = flow.notes;
  return out;
}

/** JSON as people write flow files: two-space indents, what fits on a line (and nests little) on one line. */
export function flowJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const one = inlineJson(value);
  if (indent.length + one.length <= 100 && depth(value) <= 2) return one;
  const inner = indent + '  ';
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + flowJson(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${flowJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

function inlineJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(inlineJson).join(', ')}]`;
  const entries = Object.entries(v);
  return entries.length ? `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inlineJson(x)}`).join(', ')} }` : '{}';
}

function depth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const inner = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...inner.map(depth));
}
