// AsyncAPI documents (2.0-2.6 and 3.0-3.1, already parsed from JSON or YAML) as a flow. Each document is usually
// one application (a service); the documents of a system are read together into one flow: a channel is a Kafka
// topic, its messages are event types, a message's correlationId says where the entity id lives, a receive
// operation's Kafka `groupId` names the consumer group that reacts, and what that application sends (or its
// operation's `reply`) is what answers it. AsyncAPI has no causation edge besides `reply` (see
// ../shared/docs/reference/tracing-anchors.md, section 3), so evt extensions say what it cannot: `x-evt-answers`,
// `x-evt-within`, `x-evt-timer`, `x-evt-follow-up`, `x-evt-requires`, `x-evt-unless` on an operation,
// `x-evt-final` and `x-evt-id` on a message, `x-evt-entity` in `info`.
//
// A small reader for exactly these parts, not @asyncapi/parser (which pulls in Spectral, ajv and node-fetch):
// `$ref`s are resolved within a document and to files beside it (never over the network), through references
// on the way (`#/channels/parcels/messages/X` where the channel is itself a `$ref`), with cycles reported; traits
// are applied as the spec says for each version. Everything else (servers but their protocol, payload schemas
// but a type field's const, parameters, security, tags) is not read.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { parseDurationText } from '../common/time.js';
import { TYPE_FIELDS, TYPE_HEADERS } from './conventions.js';
import { formatPath } from './json-path.js';
import {
  emptyFlow,
  FlowError,
  parseIdLocation,
  type Flow,
  type FlowTopic,
  type IdLocation,
  type Reaction,
  type TypeLocation,
} from './model.js';

type Json = Record<string, unknown>;
type Seg = string | number;

/** A document: the ones given, and the files their `$ref`s name (read once each). */
interface Doc {
  /** as given or as named relative to the referring file: what errors say */
  file: string;
  abs: string;
  root: unknown;
}

/** A value in a document, with where it is (for `$ref`s relative to it and for errors). */
interface Node {
  v: unknown;
  doc: Doc;
  at: Seg[];
}

/** An event type as a message declares it. */
interface Message {
  type: string;
  idAt: IdLocation[];
  typeAt: TypeLocation | null;
  /** a conventional type header whose const is not the type (noted: records will not carry the type there) */
  mismatch: string | null;
}

interface Channel {
  /** null: not a topic evt can read (an address with parameters, or none) */
  topic: string | null;
  messages: Message[];
}

/** What a receive operation says beyond its messages: its group and evt's extensions. */
interface OperationFacts {
  groups: string[] | null;
  /** the groupId schema names no group (only a type or a pattern) */
  groupUnnamed: boolean;
  answers: string[] | null;
  withinMs: number | null;
  timer: boolean;
  followUp: boolean;
  requires: string[][];
  unless: string[];
  /** types named by the extensions, with where, checked once every document is read */
  named: { types: string[]; file: string; where: string }[];
}

interface Operation {
  action: 'send' | 'receive';
  messages: Message[];
  /** 3.x reply: the messages that answer a received one (null: no reply naming messages) */
  reply: Message[] | null;
  facts: OperationFacts;
  /** the file and path of the operation: "channels['logistics.parcels'].publish", "operations.printLabel" */
  file: string;
  where: string;
}

/** The versions read; anything else is refused rather than half understood. */
const VERSION = /^(2\.[0-6]|3\.[01])\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const VERSIONS_READ = 'AsyncAPI 2.0 to 2.6 and 3.0 to 3.1';

/** Message fields read (traits may hold all of them); payload is read apart, traits cannot hold it. */
const MESSAGE_FIELDS = new Set(['name', 'messageId', 'title', 'correlationId', 'headers', 'bindings']);
const OPERATION_FIELDS = new Set(['bindings']);

/**
 * AsyncAPI documents as one flow: channels by topic (the union of their types), reactions by consumer group.
 * Throws FlowError naming the file and the JSON path of what is wrong.
 */
export function flowFromAsyncApi(docs: { doc: unknown; file: string }[]): Flow {
  return new AsyncApiReader(docs).read();
}

class AsyncApiReader {
  private readonly docs = new Map<string, Doc>();
  private readonly given: Doc[];
  private readonly topics = new Map<string, FlowTopic>();
  /** per topic, the message whose header gave its type location (for the conflict note) */
  private readonly typeAtFrom = new Map<string, string>();
  private readonly mismatchNoted = new Set<string>();
  private readonly channels = new Map<string, Channel>();
  private readonly messages = new Map<string, Message>();
  private readonly knownTypes = new Set<string>();
  /** types whose payload schema has a conventional type field (the conventions read it) */
  private readonly payloadTyped = new Set<string>();
  private readonly final: string[] = [];
  private readonly notes: string[] = [];
  /** the version of the document being read (files it refers to are read as that version) */
  private v3 = false;

  constructor(given: { doc: unknown; file: string }[]) {
    this.given = given.map(({ doc, file }) => {
      const d: Doc = { file, abs: path.resolve(file), root: doc };
      this.docs.set(d.abs, d);
      return d;
    });
  }

  read(): Flow {
    const apps: { doc: Doc; title: string; entity: string | null; operations: Operation[] }[] = [];
    for (const doc of this.given) {
      const root = doc.root;
      if (!isObject(root))
        throw new FlowError(`${doc.file}: expected an AsyncAPI document (an object), got ${kind(root)}`);
      if (root.asyncapi === undefined) {
        // a file of shared components beside the documents (common.yaml), read when a $ref names it
        if (
          root.components !== undefined &&
          root.channels === undefined &&
          root.operations === undefined &&
          this.given.length > 1
        )
          continue;
        throw new FlowError(`${doc.file}: asyncapi: missing: not an AsyncAPI document (${VERSIONS_READ} are read)`);
      }
      const version = root.asyncapi;
      if (
        typeof version === 'string' &&
        !/^\d/.test(version.trim()) &&
        ['flow', 'topics', 'reactions', 'final'].some((k) => k in root)
      )
        throw new FlowError(
          `${doc.file}: asyncapi: ${JSON.stringify(version)} is read as an AsyncAPI version; in an evt flow file, name the documents as a list (asyncapi: [${version}])`,
        );
      if (typeof version !== 'string' || !VERSION.test(version.trim()))
        throw new FlowError(
          `${doc.file}: asyncapi: version ${JSON.stringify(version)} is not read (${VERSIONS_READ} are)`,
        );
      this.v3 = version.startsWith('3.');
      const top: Node = { v: root, doc, at: [] };
      const info = this.resolve(child(top, 'info'));
      const title =
        isObject(info.v) && typeof info.v.title === 'string' && info.v.title.trim()
          ? info.v.title.trim()
          : path.basename(doc.file).replace(/\.(json|ya?ml)$/i, '');
      let entity: string | null = null;
      if (isObject(info.v) && info.v['x-evt-entity'] !== undefined) entity = this.text(child(info, 'x-evt-entity'));
      this.noteServers(top, title);
      const operations = this.v3 ? this.readV3(top) : this.readV2(top);
      apps.push({ doc, title, entity, operations });
    }
    if (apps.length === 0)
      throw new FlowError(
        `${this.given.map((d) => d.file).join(', ') || '(no documents)'}: no AsyncAPI document (${VERSIONS_READ} are read)`,
      );

    const flow = emptyFlow(flowName(apps.map((a) => a.title)), apps.length === 1 ? apps[0].doc.file : 'asyncapi');
    const entities = [...new Set(apps.map((a) => a.entity).filter((e): e is string => e !== null))];
    if (entities.length) flow.entity = entities[0];
    if (entities.length > 1)
      this.notes.push(`the documents name several entities (${entities.join(', ')}): ${entities[0]} is taken`);

    const named: OperationFacts['named'] = [];
    for (const app of apps) {
      const reactions = this.reactionsOf(app.title, app.doc, app.operations);
      for (const r of reactions) addReaction(flow.reactions, r);
      for (const op of app.operations) named.push(...op.facts.named);
    }
    for (const n of named) {
      const unknown = n.types.filter((t) => !this.knownTypes.has(t));
      if (unknown.length)
        throw new FlowError(`${n.file}: ${n.where}: ${unknown.join(', ')}: no message of the documents has this name`);
    }

    flow.topics = [...this.topics.values()];
    this.typeSingleTypeTopics(flow.topics);
    flow.final = this.final;
    this.keepDeclared(flow);
    flow.notes = this.notes;
    return flow;
  }

  // ------------------------------------------------------------------------------------------- 2.x

  /**
   * 2.x describes operations from the application's point of view, inverted from what the words suggest:
   * `publish` is what *others* publish to the application, so the application receives (consumes) it;
   * `subscribe` is what others subscribe to, so the application sends (produces) it. A consumer's `publish`
   * operation is where its Kafka `groupId` binding sits.
   */
  private readV2(top: Node): Operation[] {
    const channels = this.resolve(child(top, 'channels'));
    if (channels.v === undefined) return [];
    const entries = this.objectEntries(channels, 'expected an object of channels by name');
    const out: Operation[] = [];
    for (const [name, node] of entries) {
      const resolved = this.resolve(node);
      const channel = this.readChannel(node, name);
      for (const verb of ['publish', 'subscribe'] as const) {
        const opNode = this.resolve(child(resolved, verb));
        if (opNode.v === undefined) continue;
        this.object(opNode, 'expected an operation object');
        const messages = this.messageList(child(opNode, 'message'));
        if (channel.topic) this.addToTopic(channel.topic, messages);
        out.push({
          action: verb === 'publish' ? 'receive' : 'send',
          messages,
          reply: null,
          facts: this.operationFacts(opNode),
          file: opNode.doc.file,
          where: fmt(opNode.at),
        });
      }
    }
    return out;
  }

  /** A 2.x operation's `message`: one message, or `oneOf` several. */
  private messageList(node: Node): Message[] {
    const r = this.resolve(node);
    if (r.v === undefined) return [];
    const o = this.object(r, 'expected a message object');
    if (o.oneOf !== undefined) {
      const list = this.resolve(child(r, 'oneOf'));
      if (!Array.isArray(list.v)) this.fail(list, [], `expected a list of messages, got ${kind(list.v)}`);
      return list.v.flatMap((_, i) => this.messageList(child(list, i)));
    }
    return [this.readMessage(r)];
  }

  // ------------------------------------------------------------------------------------------- 3.x

  private readV3(top: Node): Operation[] {
    const channels = this.resolve(child(top, 'channels'));
    if (channels.v !== undefined)
      for (const [, node] of this.objectEntries(channels, 'expected an object of channels'))
        this.readChannel(node, null);
    const operations = this.resolve(child(top, 'operations'));
    if (operations.v === undefined) return [];
    const out: Operation[] = [];
    for (const [, node] of this.objectEntries(operations, 'expected an object of operations')) {
      const op = this.resolve(node);
      const o = this.object(op, 'expected an operation object');
      if (o.action !== 'send' && o.action !== 'receive')
        this.fail(op, ['action'], `expected send or receive, got ${kind(o.action)}`);
      if (o.channel === undefined)
        this.fail(op, ['channel'], 'missing: an operation names its channel ($ref: "#/channels/<name>")');
      const channel = this.readChannel(child(op, 'channel'), null);
      const messages = o.messages !== undefined ? this.messageRefs(child(op, 'messages')) : channel.messages;
      if (channel.topic) this.addToTopic(channel.topic, messages);
      let reply: Message[] | null = null;
      const replyNode = this.resolve(child(op, 'reply'));
      if (replyNode.v !== undefined) {
        const ro = this.object(replyNode, 'expected a reply object');
        const replyChannel = ro.channel !== undefined ? this.readChannel(child(replyNode, 'channel'), null) : null;
        const answers =
          ro.messages !== undefined ? this.messageRefs(child(replyNode, 'messages')) : (replyChannel?.messages ?? []);
        if (replyChannel?.topic) this.addToTopic(replyChannel.topic, answers);
        if (answers.length) reply = answers;
      }
      out.push({
        action: o.action,
        messages,
        reply,
        facts: this.operationFacts(op),
        file: op.doc.file,
        where: fmt(op.at),
      });
    }
    return out;
  }

  private messageRefs(node: Node): Message[] {
    const list = this.resolve(node);
    if (!Array.isArray(list.v)) this.fail(list, [], `expected a list of messages ($ref), got ${kind(list.v)}`);
    return list.v.map((_, i) => this.readMessage(child(list, i)));
  }

  // ------------------------------------------------------------------------------------------- channels

  /** A channel, once per place it is defined: its topic and (3.x) its messages, added to the topic. */
  private readChannel(node: Node, name: string | null): Channel {
    const r = this.resolve(node);
    const o = this.object(r, 'expected a channel object');
    const id = `${nodeId(r)} ${this.v3}`;
    const known = this.channels.get(id);
    if (known) return known;
    const bindings = this.deref(child(r, 'bindings'));
    const bound = isObject(bindings) && isObject(bindings.kafka) ? bindings.kafka.topic : undefined;
    let topic: string | null;
    if (typeof bound === 'string' && bound.trim()) topic = bound.trim();
    else if (!this.v3) topic = name;
    else if (typeof o.address === 'string' && o.address.trim()) topic = o.address.trim();
    else if (o.address === undefined || o.address === null) topic = null;
    else this.fail(r, ['address'], `expected a string (the topic) or null, got ${kind(o.address)}`);
    if (topic === null)
      this.notes.push(`${r.doc.file}: ${fmt(r.at)} has no address (the topic is not known upfront): skipped`);
    else if (/\{[^}]*\}/.test(topic)) {
      this.notes.push(`${r.doc.file}: ${fmt(r.at)}: ${topic} has parameters (one topic per value): skipped`);
      topic = null;
    }
    const channel: Channel = { topic, messages: [] };
    this.channels.set(id, channel);
    if (this.v3 && o.messages !== undefined) {
      const messages = this.resolve(child(r, 'messages'));
      channel.messages = this.objectEntries(messages, 'expected an object of messages').map(([, m]) =>
        this.readMessage(m),
      );
    }
    if (topic) this.addToTopic(topic, channel.messages);
    return channel;
  }

  private addToTopic(name: string, messages: readonly Message[]): void {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = { name, idAt: [], types: [], typeAt: null, deadLetter: false, watch: [], values: null, keys: [] };
      this.topics.set(name, topic);
    }
    for (const m of messages) {
      if (!topic.types.includes(m.type)) topic.types.push(m.type);
      for (const l of m.idAt) if (!topic.idAt.some((x) => x.text === l.text)) topic.idAt.push(l);
      if (m.typeAt) {
        if (!topic.typeAt) {
          topic.typeAt = m.typeAt;
          this.typeAtFrom.set(name, m.type);
        } else if (topic.typeAt.text !== m.typeAt.text && !this.mismatchNoted.has(`${name} ${m.typeAt.text}`)) {
          this.mismatchNoted.add(`${name} ${m.typeAt.text}`);
          this.notes.push(
            `${name}: ${m.type} has its type at ${m.typeAt.text}, ${this.typeAtFrom.get(name)} at ${topic.typeAt.text}: ${topic.typeAt.text} is read (then the conventions)`,
          );
        }
      }
      if (m.mismatch && !this.mismatchNoted.has(`${name} ${m.type} ${m.mismatch}`)) {
        this.mismatchNoted.add(`${name} ${m.type} ${m.mismatch}`);
        this.notes.push(`${name}: ${m.type} ${m.mismatch}`);
      }
    }
  }

  /**
   * A topic the documents give one type and no type location carries that type: without it the conventions
   * would find no type in a record that has no type header or field, and take the topic's name for one.
   */
  private typeSingleTypeTopics(topics: FlowTopic[]): void {
    for (const t of topics) {
      if (t.typeAt || t.types.length !== 1) continue;
      const type = t.types[0];
      if (![...this.messages.values()].some((m) => m.type === type && m.mismatch) && !this.payloadTyped.has(type)) {
        t.typeAt = { from: 'fixed', text: `fixed:${type}`, type };
        this.notes.push(
          `${t.name} carries only ${type} by the documents, which declare no type header: its records are read as ${type}`,
        );
      }
    }
  }

  // ------------------------------------------------------------------------------------------- messages

  private readMessage(node: Node): Message {
    const r = this.resolve(node);
    this.object(r, 'expected a message object');
    const id = `${nodeId(r)} ${this.v3}`;
    const known = this.messages.get(id);
    if (known) return known;
    const { merged, from } = this.withTraits(r, MESSAGE_FIELDS);
    const key = r.at.length >= 2 && r.at[r.at.length - 2] === 'messages' ? String(r.at[r.at.length - 1]) : null;
    const named = (field: string) =>
      typeof merged[field] === 'string' && merged[field].trim() ? merged[field].trim() : null;
    const type = named('name') ?? (this.v3 ? null : named('messageId')) ?? key ?? named('title');
    if (!type)
      this.fail(
        r,
        [],
        `a message needs a name (name${this.v3 ? '' : ', messageId'}, a key under components.messages, or title)`,
      );

    const idAt: IdLocation[] = [];
    if (merged['x-evt-id'] !== undefined)
      idAt.push(this.idLocation(merged['x-evt-id'], from['x-evt-id'], ['x-evt-id']));
    const kafka = isObject(merged.bindings) && isObject(merged.bindings.kafka) ? merged.bindings.kafka : null;
    if (kafka && isObject(kafka.key) && kafka.key['x-evt-id'] !== undefined) {
      if (kafka.key['x-evt-id'] !== true)
        this.fail(
          from.bindings,
          ['bindings', 'kafka', 'key', 'x-evt-id'],
          `expected true (the key is the entity id), got ${kind(kafka.key['x-evt-id'])}`,
        );
      idAt.push({ from: 'key', text: '$key' });
    }
    if (merged.correlationId !== undefined) {
      const c = merged.correlationId;
      const at = ['correlationId'];
      if (!isObject(c)) this.fail(from.correlationId, at, `expected an object with a location, got ${kind(c)}`);
      if (typeof c.location !== 'string')
        this.fail(
          from.correlationId,
          [...at, 'location'],
          `expected a runtime expression such as $message.header#/correlationId or $message.payload#/parcel/id, got ${kind(c.location)}`,
        );
      idAt.push(this.idLocation(c.location, from.correlationId, [...at, 'location']));
    }

    let typeAt: TypeLocation | null = null;
    let mismatch: string | null = null;
    for (const [prop, schema] of Object.entries(schemaProperties(merged.headers))) {
      const conventional = TYPE_HEADERS.find((h) => h.toLowerCase() === prop.toLowerCase());
      if (!conventional) continue;
      const value = constOf(schema);
      if (value === type) {
        typeAt = { from: 'header', text: `$headers.${prop}`, name: prop };
        mismatch = null;
        break;
      }
      if (value !== null)
        mismatch ??= `declares header ${prop} as ${JSON.stringify(value)}, not ${type}: records will not name the type ${type} there`;
    }
    if (!typeAt) {
      const payload = this.payloadProperties(child(r, 'payload'));
      for (const field of TYPE_FIELDS) {
        const prop = Object.keys(payload).find((p) => p === field);
        if (!prop) continue;
        const value = constOf(this.deref(payload[prop]));
        // `type` is often data ("express"): the conventions take it for a type only when it looks like one
        if (field !== 'type' || value === type) this.payloadTyped.add(type);
        if (value === type) {
          const steps = [{ kind: 'member' as const, name: prop }];
          typeAt = { from: 'value', text: formatPath(steps), path: { text: formatPath(steps), steps } };
          break;
        }
      }
    }

    const finalNode = from['x-evt-final'];
    if (merged['x-evt-final'] !== undefined && typeof merged['x-evt-final'] !== 'boolean')
      this.fail(finalNode, ['x-evt-final'], `expected true or false, got ${kind(merged['x-evt-final'])}`);
    const final = merged['x-evt-final'] === true;
    if (final && !this.final.includes(type)) this.final.push(type);
    const message: Message = { type, idAt, typeAt, mismatch };
    this.messages.set(id, message);
    this.knownTypes.add(type);
    return message;
  }

  private idLocation(v: unknown, node: Node, at: Seg[]): IdLocation {
    if (v === 'key' || v === '$key') return { from: 'key', text: '$key' };
    if (typeof v !== 'string')
      this.fail(node, at, `expected key, $headers.<name>, a value path or a runtime expression, got ${kind(v)}`);
    try {
      return parseIdLocation(v);
    } catch (err) {
      if (err instanceof FlowError) this.fail(node, at, err.message);
      throw err;
    }
  }

  /** The top-level properties of a payload schema (and of its allOf), unresolved, without reading the rest. */
  private payloadProperties(node: Node): Record<string, Node> {
    const out: Record<string, Node> = {};
    const walk = (n: Node, depth: number): void => {
      let r = this.resolve(n);
      if (!isObject(r.v) || depth > 8) return;
      // 3.x's multi-format schema object: a JSON Schema (or AsyncAPI schema) under `schema`; Avro and the like are not read
      if (typeof r.v.schemaFormat === 'string' && r.v.schema !== undefined) {
        if (!/json|asyncapi/i.test(r.v.schemaFormat)) return;
        r = this.resolve(child(r, 'schema'));
        if (!isObject(r.v)) return;
      }
      const props = this.resolve(child(r, 'properties'));
      if (isObject(props.v)) for (const k of Object.keys(props.v)) out[k] ??= child(props, k);
      const all = this.resolve(child(r, 'allOf'));
      if (Array.isArray(all.v)) all.v.forEach((_, i) => walk(child(all, i), depth + 1));
    };
    walk(node, 0);
    return out;
  }

  // ------------------------------------------------------------------------------------------- operations

  private operationFacts(op: Node): OperationFacts {
    const { merged, from } = this.withTraits(op, OPERATION_FIELDS);
    const facts: OperationFacts = {
      groups: null,
      groupUnnamed: false,
      answers: null,
      withinMs: null,
      timer: false,
      followUp: false,
      requires: [],
      unless: [],
      named: [],
    };
    const kafka = isObject(merged.bindings) && isObject(merged.bindings.kafka) ? merged.bindings.kafka : null;
    if (kafka && kafka.groupId !== undefined) {
      const g = kafka.groupId;
      const at = ['bindings', 'kafka', 'groupId'];
      if (typeof g === 'string' && g.trim()) facts.groups = [g.trim()];
      else if (isObject(g)) {
        const values = typeof g.const === 'string' ? [g.const] : Array.isArray(g.enum) ? g.enum : null;
        if (values && values.length) {
          if (!values.every((x) => typeof x === 'string' && x.trim()))
            this.fail(from.bindings, [...at, g.const !== undefined ? 'const' : 'enum'], 'expected group ids (strings)');
          facts.groups = values.map((x) => (x as string).trim());
        } else facts.groupUnnamed = true;
      } else
        this.fail(
          from.bindings,
          at,
          `expected a schema naming the group ({type: string, enum: [<group>]}) or a group id, got ${kind(g)}`,
        );
    }
    const ext = (name: string) => ({ v: merged[name], node: from[name], where: [name] as Seg[] });
    const types = (name: string): string[] | null => {
      const { v, node, where } = ext(name);
      if (v === undefined) return null;
      const list =
        typeof v === 'string'
          ? [v]
          : Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim())
            ? (v as string[])
            : this.fail(node, where, `expected an event type or a list of them, got ${kind(v)}`);
      const out = list.map((x) => x.trim());
      facts.named.push({ types: out, file: node.doc.file, where: fmt([...node.at, ...where]) });
      return out;
    };
    const flag = (name: string): boolean => {
      const { v, node, where } = ext(name);
      if (v === undefined) return false;
      if (typeof v !== 'boolean') this.fail(node, where, `expected true or false, got ${kind(v)}`);
      return v;
    };
    facts.answers = types('x-evt-answers');
    facts.unless = types('x-evt-unless') ?? [];
    facts.timer = flag('x-evt-timer');
    facts.followUp = flag('x-evt-follow-up');
    const within = ext('x-evt-within');
    if (within.v !== undefined) {
      const ms =
        typeof within.v === 'number' ? within.v : typeof within.v === 'string' ? parseDurationText(within.v) : null;
      if (ms === null || !Number.isFinite(ms) || ms < 0)
        this.fail(
          within.node,
          within.where,
          `expected a duration such as 500ms, 30s or 5m, got ${JSON.stringify(within.v)}`,
        );
      facts.withinMs = ms;
    }
    const requires = ext('x-evt-requires');
    if (requires.v !== undefined) {
      const bad = () =>
        this.fail(
          requires.node,
          requires.where,
          `expected a list of event types (an entry may itself be a list meaning "one of"), got ${kind(requires.v)}`,
        );
      const list: unknown[] = Array.isArray(requires.v)
        ? requires.v
        : typeof requires.v === 'string'
          ? [requires.v]
          : bad();
      facts.requires = list.map((x) =>
        typeof x === 'string' && x.trim()
          ? [x.trim()]
          : Array.isArray(x) && x.length && x.every((y) => typeof y === 'string' && y.trim())
            ? (x as string[]).map((y) => y.trim())
            : bad(),
      );
      facts.named.push({
        types: facts.requires.flat(),
        file: requires.node.doc.file,
        where: fmt([...requires.node.at, ...requires.where]),
      });
    }
    return facts;
  }

  // ------------------------------------------------------------------------------------------- reactions

  /**
   * One application's reactions: each receive operation (in the group its groupId names, else one named after
   * the document) answered by its `x-evt-answers`, else its 3.x `reply`, else everything the application sends.
   */
  private reactionsOf(title: string, doc: Doc, operations: Operation[]): Reaction[] {
    const sends: string[] = [];
    const addSends = (ms: readonly Message[]) => {
      for (const m of ms) if (!sends.includes(m.type)) sends.push(m.type);
    };
    for (const op of operations) {
      if (op.action === 'send') addSends(op.messages);
      else if (op.reply) addSends(op.reply);
    }
    const fallback = kebab(title) || 'consumer';
    const out: Reaction[] = [];
    let guessed = 0;
    for (const op of operations) {
      if (op.action !== 'receive' || op.messages.length === 0) continue;
      const on = unique(op.messages.map((m) => m.type));
      const f = op.facts;
      const answers = f.answers ?? (op.reply ? unique(op.reply.map((m) => m.type)) : sends);
      if (answers.length === 0) {
        this.notes.push(
          `${op.file}: ${op.where} receives ${on.join(', ')}, ${f.answers ? 'x-evt-answers is empty' : `${title} sends nothing`}: no reaction (a pure consumer)`,
        );
        continue;
      }
      if (!f.answers && !op.reply) guessed++;
      if (!f.groups)
        this.notes.push(
          `${op.file}: ${op.where} ${f.groupUnnamed ? 'has a groupId schema naming no group (no const or enum)' : 'names no Kafka groupId'}: its group is taken to be ${fallback} (the title, kebab-cased)`,
        );
      const groups = f.groups ?? [fallback];
      out.push({
        groups,
        service: groups[0],
        on,
        requires: f.requires,
        answers: unique(answers),
        unless: f.unless,
        withinMs: f.withinMs,
        timer: f.timer,
        followUp: f.followUp,
      });
    }
    const groups = new Set(out.map((r) => r.groups.join(' ')));
    if (guessed && groups.size > 1)
      this.notes.push(
        `${doc.file}: receive operations of ${groups.size} groups without reply or x-evt-answers are each answered by anything ${title} sends (${sends.join(', ')}); say which with x-evt-answers`,
      );
    return out;
  }

  /**
   * What flows may not be: a reaction or a final type naming a type no topic carries (its channel was skipped),
   * which evt flow files refuse. Such types are left out, and a reaction left without trigger or answer too.
   */
  private keepDeclared(flow: Flow): void {
    const declared = new Set(flow.topics.flatMap((t) => t.types));
    const dropped = new Set<string>();
    const keep = (types: string[]) => types.filter((t) => declared.has(t) || (dropped.add(t), false));
    flow.reactions = flow.reactions.filter((r) => {
      r.on = keep(r.on);
      r.answers = keep(r.answers);
      r.unless = keep(r.unless);
      r.requires = r.requires.map(keep).filter((x) => x.length > 0);
      if (r.on.length && r.answers.length) return true;
      this.notes.push(
        `${r.service}: its reaction is left out: its ${r.on.length ? 'answers are' : 'triggers are'} on no topic evt reads`,
      );
      return false;
    });
    flow.final = keep(flow.final);
    if (dropped.size)
      this.notes.push(
        `${[...dropped].join(', ')}: on no topic evt reads (skipped channels), left out of reactions and final types`,
      );
  }

  private noteServers(top: Node, title: string): void {
    const servers = this.resolve(child(top, 'servers'));
    if (!isObject(servers.v) || Object.keys(servers.v).length === 0) return;
    const protocols = Object.keys(servers.v).map((k) => {
      const s = this.resolve(child(servers, k));
      return isObject(s.v) && typeof s.v.protocol === 'string' ? s.v.protocol.toLowerCase() : '';
    });
    if (!protocols.some((p) => p.startsWith('kafka')))
      this.notes.push(
        `${top.doc.file}: ${title} names no Kafka server (${[...new Set(protocols)].filter(Boolean).join(', ') || 'no protocol'}): its channels are read as Kafka topics all the same`,
      );
  }

  // ------------------------------------------------------------------------------------------- traits

  /**
   * An object's fields (those in `fields`, and `x-` extensions) with its traits applied, every `$ref` in them
   * resolved, and for each field the object or trait it came from (for errors). 2.x: each trait is merged over
   * the object in turn (JSON Merge Patch, the trait's fields win). 3.x: the traits are merged in turn, and the
   * object's own fields over them.
   */
  private withTraits(r: Node, fields: ReadonlySet<string>): { merged: Json; from: Record<string, Node> } {
    const pick = (n: Node): Json => {
      const o = isObject(n.v) ? n.v : {};
      return Object.fromEntries(
        Object.keys(o)
          .filter((k) => fields.has(k) || k.startsWith('x-'))
          .map((k) => [k, this.deref(child(n, k))]),
      );
    };
    const traits: Node[] = [];
    const list = this.resolve(child(r, 'traits'));
    if (list.v !== undefined) {
      if (!Array.isArray(list.v)) this.fail(list, [], `expected a list of traits, got ${kind(list.v)}`);
      list.v.forEach((_, i) => {
        const t = this.resolve(child(list, i));
        // 2.0's [trait, options] pairs: the trait
        const trait = Array.isArray(t.v) ? this.resolve(child(t, 0)) : t;
        this.object(trait, 'expected a trait object');
        traits.push(trait);
      });
    }
    const own = pick(r);
    const from: Record<string, Node> = {};
    const apply = (target: Json, patchNode: Node): Json => {
      const patch = pick(patchNode);
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete from[k];
        else from[k] = patchNode;
      }
      return mergePatch(target, patch) as Json;
    };
    let merged: Json;
    if (this.v3) {
      merged = {};
      for (const t of traits) merged = apply(merged, t);
      merged = apply(merged, r);
    } else {
      merged = own;
      for (const k of Object.keys(own)) if (own[k] !== null) from[k] = r;
      for (const t of traits) merged = apply(merged, t);
    }
    return { merged, from };
  }

  // ------------------------------------------------------------------------------------------- $ref

  /** The value a node stands for: its `$ref`s followed (to other files too), with cycles reported. */
  private resolve(n: Node, chain: { id: string; shown: string }[] = []): Node {
    let cur = n;
    while (isObject(cur.v) && cur.v.$ref !== undefined) {
      const ref = cur.v.$ref;
      if (typeof ref !== 'string')
        this.fail(cur, ['$ref'], `expected a reference such as #/components/messages/<name>, got ${kind(ref)}`);
      const { doc, pointer } = this.target(ref, cur);
      const id = `${doc.abs}#${pointer}`;
      const rel = path.relative(path.dirname(n.doc.abs), doc.abs);
      const shown = `${doc === n.doc ? '' : rel.startsWith('..') ? rel : `./${rel}`}#${pointer}`;
      if (chain.some((c) => c.id === id)) {
        const at = chain.findIndex((c) => c.id === id);
        this.fail(n, ['$ref'], `$ref cycle: ${[...chain.slice(at).map((c) => c.shown), shown].join(' -> ')}`);
      }
      chain = [...chain, { id, shown }];
      cur = this.walk(doc, pointer, cur, ref, chain);
    }
    return cur;
  }

  /** The node at a JSON pointer of a document, through references on the way. */
  private walk(doc: Doc, pointer: string, from: Node, ref: string, chain: { id: string; shown: string }[]): Node {
    let node: Node = { v: doc.root, doc, at: [] };
    for (const seg of pointerSegments(pointer, () =>
      this.fail(from, ['$ref'], `${ref}: not a JSON pointer (#/components/...)`),
    )) {
      node = this.resolve(node, chain);
      const v = node.v;
      const next: unknown =
        Array.isArray(v) && /^(0|[1-9]\d*)$/.test(seg)
          ? v[Number(seg)]
          : isObject(v) && Object.prototype.hasOwnProperty.call(v, seg)
            ? v[seg]
            : undefined;
      if (next === undefined) this.fail(from, ['$ref'], `${ref} not found`);
      node = { v: next, doc: node.doc, at: [...node.at, Array.isArray(v) ? Number(seg) : seg] };
    }
    return node;
  }

  /** The document and pointer a `$ref` names: in the same document, or in a file relative to it. */
  private target(ref: string, from: Node): { doc: Doc; pointer: string } {
    const hash = ref.indexOf('#');
    const file = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1);
    if (!file) return { doc: from.doc, pointer };
    let abs: string;
    let shown: string;
    if (/^file:/i.test(file)) {
      abs = fileURLToPath(file);
      shown = abs;
    } else if (/^[a-z][a-z0-9+.-]+:/i.test(file)) {
      this.fail(
        from,
        ['$ref'],
        `${ref}: evt reads no document over the network; save it beside the others and refer to it by a relative path`,
      );
    } else {
      abs = path.resolve(path.dirname(from.doc.abs), file);
      shown = path.normalize(path.join(path.dirname(from.doc.file), file));
    }
    let doc = this.docs.get(abs);
    if (!doc) {
      doc = {
        file: shown,
        abs,
        root: readDocumentSync(abs, shown, (what) => this.fail(from, ['$ref'], `${ref}: ${what}`)),
      };
      this.docs.set(abs, doc);
    }
    return { doc, pointer };
  }

  /** A node's value with every `$ref` in it resolved (a recursive schema is cut where it recurs). */
  private deref(n: Node, ancestors: readonly string[] = [], depth = 0): unknown {
    const r = this.resolve(n);
    if (!isObject(r.v) && !Array.isArray(r.v)) return r.v;
    const id = nodeId(r);
    if (ancestors.includes(id) || depth > 64) return {};
    const inner = [...ancestors, id];
    if (Array.isArray(r.v)) return r.v.map((_, i) => this.deref(child(r, i), inner, depth + 1));
    return Object.fromEntries(Object.keys(r.v).map((k) => [k, this.deref(child(r, k), inner, depth + 1)]));
  }

  // ------------------------------------------------------------------------------------------- checks

  private fail(n: Node, rel: readonly Seg[], what: string): never {
    throw new FlowError(`${n.doc.file}: ${fmt([...n.at, ...rel])}: ${what}`);
  }

  private object(n: Node, what: string): Json {
    if (!isObject(n.v)) this.fail(n, [], `${what}, got ${kind(n.v)}`);
    return n.v;
  }

  private objectEntries(n: Node, what: string): [string, Node][] {
    const o = this.object(n, what);
    return Object.keys(o).map((k) => [k, child(n, k)]);
  }

  private text(n: Node): string {
    const r = this.resolve(n);
    if (typeof r.v !== 'string' || !r.v.trim()) this.fail(r, [], `expected a non-empty string, got ${kind(r.v)}`);
    return r.v.trim();
  }
}

// --------------------------------------------------------------------------------------------- helpers

function child(n: Node, key: Seg): Node {
  const v = n.v;
  const value: unknown =
    Array.isArray(v) && typeof key === 'number'
      ? v[key]
      : isObject(v) && typeof key === 'string' && Object.prototype.hasOwnProperty.call(v, key)
        ? v[key]
        : undefined;
  return { v: value, doc: n.doc, at: [...n.at, key] };
}

function nodeId(n: Node): string {
  return `${n.doc.abs}#${n.at.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === undefined
    ? 'nothing'
    : v === null
      ? 'null'
      : Array.isArray(v)
        ? 'a list'
        : typeof v === 'object'
          ? 'an object'
          : JSON.stringify(v);
}

/** A JSON path as errors show it: `channels['logistics.parcels'].publish.message.$ref`. */
function fmt(at: readonly Seg[]): string {
  let out = '';
  for (const s of at) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `['${s.replace(/(['\\])/g, '\\$1')}']`;
  }
  return out || '(the document)';
}

/** RFC 6901 within a URI fragment: `/components/messages/A%20B`, with ~1 for "/" and ~0 for "~". */
function pointerSegments(pointer: string, bad: () => never): string[] {
  if (pointer === '' || pointer === '/') return [];
  if (!pointer.startsWith('/')) bad();
  let decoded: string;
  try {
    decoded = decodeURIComponent(pointer);
  } catch {
    decoded = pointer;
  }
  return decoded
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 7396. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** A (dereferenced) object schema's properties, its allOf's included. */
function schemaProperties(schema: unknown, depth = 0): Record<string, unknown> {
  if (!isObject(schema) || depth > 8) return {};
  const out: Record<string, unknown> = {};
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) Object.assign(out, schemaProperties(s, depth + 1));
  if (isObject(schema.properties)) Object.assign(out, schema.properties);
  return out;
}

/** The one value a schema allows: `const`, or an `enum` of one. */
function constOf(schema: unknown): string | null {
  if (!isObject(schema)) return null;
  if (typeof schema.const === 'string') return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length === 1 && typeof schema.enum[0] === 'string')
    return schema.enum[0];
  return null;
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}

/** "Parcel Delivery: Label Printer" -> "parcel-delivery-label-printer"; "CourierDispatch" -> "courier-dispatch". */
export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

/** One title, or the words the titles start with ("Parcel Delivery: Router", "Parcel Delivery: Courier"), or "asyncapi". */
function flowName(titles: string[]): string {
  if (titles.length === 1) return titles[0];
  const words = titles.map((t) => t.split(/\s+/));
  const common: string[] = [];
  for (let i = 0; words.every((w) => i < w.length && w[i] === words[0][i]); i++) common.push(words[0][i]);
  const name = common
    .join(' ')
    .replace(/[\s:;,/|–—-]+$/, '')
    .trim();
  return name || 'asyncapi';
}

/** Reactions by group: the same group on the same triggers (from two documents) is one reaction, answered by either's. */
function addReaction(list: Reaction[], r: Reaction): void {
  const same = list.find(
    (x) =>
      x.groups.join(' ') === r.groups.join(' ') &&
      x.timer === r.timer &&
      [...x.on].sort().join(' ') === [...r.on].sort().join(' '),
  );
  if (!same) {
    list.push(r);
    return;
  }
  same.answers = unique([...same.answers, ...r.answers]);
  same.unless = unique([...same.unless, ...r.unless]);
  if (r.requires.length && !same.requires.length) same.requires = r.requires;
  if (same.withinMs === null) same.withinMs = r.withinMs;
  same.followUp ||= r.followUp;
}

/**
 * A document a `$ref` names, read as load.ts's readDocument reads one (JSON, else YAML) but synchronously:
 * references are met while reading, and flowFromAsyncApi is synchronous.
 */
function readDocumentSync(abs: string, shown: string, fail: (what: string) => never): unknown {
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    fail(
      `cannot read ${shown}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  if (/\.json$/i.test(abs) || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      if (/\.json$/i.test(abs)) fail(`${shown} is not JSON: ${(err as Error).message}`);
    }
  }
  const parsed = parseDocument(text, { prettyErrors: true });
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    const line = e.linePos?.[0];
    fail(`${shown}${line ? `:${line.line}:${line.col}` : ''} is not YAML: ${e.message.split('\n')[0]}`);
  }
  return parsed.toJS() as unknown;
}
