// The workflow's names on a cluster. Inside the workflow (catalogue, services, their records and types) a
// topic has its logical name: `orders`, `inventory.stock`. On the cluster every name carries a prefix,
// `shop.` by default, so that the bundled example never touches a user's own `orders` topic or group:
//
//   logical                 physical (prefix `shop.`)         physical (prefix '', evt's names before prefixes)
//   topic orders            shop.orders                       orders
//   group of payments       shop.payments-service             evt-workflow-payments
//   dead letters of orders  shop.dlq.orders                   evt.dlq.orders
//   value subject           shop.orders-value                 orders-value  (TopicNameStrategy: the physical topic)
//
// One WorkflowNames is built for a run and carried by what does I/O (the worker runtime, its codec, the
// simulation, the topic setup, the views): they map logical -> physical when they produce, subscribe, read,
// create topics, dead-letter and register schemas, and physical -> logical (`logical`) when a consumed record
// becomes a workflow record again.

import { SERVICES, TOPIC_NAMES, type ServiceName, type TopicName } from './catalogue.js';

export const DEFAULT_PREFIX = 'shop.';

/** The longest logical topic name: a prefix must leave room for it within Kafka's 249 characters. */
const LONGEST_TOPIC = Math.max(...TOPIC_NAMES.map((t) => t.length), ...SERVICES.map((s) => `dlq.${s}`.length));
const MAX_TOPIC_LENGTH = 249;

/** A prefix no topic name can start with (a character Kafka refuses, or too long). */
export class InvalidPrefixError extends Error {
  override name = 'InvalidPrefixError';
}

// Functions as properties, not methods: they are closures, passed around unbound (`topics.map(names.topic)`).
export interface WorkflowNames {
  /** the prefix these names were built from ('' for evt's unprefixed names) */
  readonly prefix: string;
  /** The physical topic of a workflow topic. */
  readonly topic: (topic: TopicName) => string;
  /** The workflow topic a physical topic is, or undefined when it is none of them. */
  readonly logical: (physical: string) => TopicName | undefined;
  /** The consumer group of a service's workers. */
  readonly group: (service: ServiceName) => string;
  /** The dead-letter topic of a service. */
  readonly dlq: (service: ServiceName) => string;
  /** Whether a physical topic is a dead-letter topic of these names (of any service). */
  readonly isDeadLetter: (physical: string) => boolean;
  /** The Confluent subject of a workflow topic's values (TopicNameStrategy: `<physical topic>-value`). */
  readonly subject: (topic: TopicName) => string;
  /** Every workflow topic, physical, in the catalogue's order. */
  readonly topics: readonly string[];
  /** Every service's dead-letter topic, in the catalogue's order. */
  readonly dlqs: readonly string[];
  /** How the names look, in words: `shop.* topics, groups shop.<service>-service, dead letters shop.dlq.<service>`. */
  readonly describe: () => string;
}

/** Why `prefix` cannot prefix the workflow's topic names, or null when it can. */
export function prefixProblem(prefix: string): string | null {
  const bad = [...prefix].find((c) => !/[A-Za-z0-9._-]/.test(c));
  if (bad !== undefined)
    return `"${prefix}" is not a topic-name prefix: ${JSON.stringify(bad)} is not allowed (letters, digits, '.', '_' and '-' are)`;
  if (prefix.length + LONGEST_TOPIC > MAX_TOPIC_LENGTH)
    return `"${prefix.slice(0, 20)}…" is too long: topic names have at most ${MAX_TOPIC_LENGTH} characters`;
  return null;
}

/** The names of the workflow under `prefix` (default `shop.`); throws InvalidPrefixError for a bad prefix. */
export function workflowNames(prefix: string = DEFAULT_PREFIX): WorkflowNames {
  const problem = prefixProblem(prefix);
  if (problem) throw new InvalidPrefixError(problem);
  // no prefix: exactly the names evt used before prefixes, so that data written then keeps working
  const dlqPrefix = prefix === '' ? 'evt.dlq.' : `${prefix}dlq.`;
  const group = prefix === '' ? (s: ServiceName) => `evt-workflow-${s}` : (s: ServiceName) => `${prefix}${s}-service`;
  const topic = (t: TopicName) => prefix + t;
  const byPhysical = new Map<string, TopicName>(TOPIC_NAMES.map((t) => [topic(t), t]));
  const dlq = (s: ServiceName) => dlqPrefix + s;
  return Object.freeze({
    prefix,
    topic,
    logical: (physical: string) => byPhysical.get(physical),
    group,
    dlq,
    isDeadLetter: (physical: string) => physical.startsWith(dlqPrefix),
    subject: (t: TopicName) => `${topic(t)}-value`,
    topics: Object.freeze(TOPIC_NAMES.map(topic)),
    dlqs: Object.freeze(SERVICES.map(dlq)),
    describe: () =>
      prefix === ''
        ? `unprefixed topics (${TOPIC_NAMES.slice(0, 2).join(', ')}, ...), groups evt-workflow-<service>, dead letters ${dlqPrefix}<service>`
        : `topics ${prefix}*, groups ${prefix}<service>-service, dead letters ${dlqPrefix}<service>`,
  });
}
