// `evt flow check`: a flow held against the cluster. Mismatches (what makes verdicts wrong) fail the check;
// warnings (what merely looks odd) do not:
//   mismatch  a topic that does not exist; a topic whose sampled records mostly lack the id where the flow
//             says it is; a type a reaction names that no sampled record has while its topic has records; a
//             group the cluster does not know, or that has committed nothing on a topic its reactions
//             react to
//   warning   types seen on a topic that the flow does not declare; a dead-letter topic that does not exist
//             yet; a topic with no records in the window

import { committedOffsets, listGroups } from '../client/wire/group-info.js';
import type { Cluster } from '../client/wire/index.js';
import type { ValueCodec } from '../codec/value-codec.js';
import { conventionalType } from './conventions.js';
import { FlowFacts, idAt } from './entity.js';
import { flowGroups, type Flow } from './model.js';
import { sampleTopics } from './sample.js';

export interface CheckFinding {
  level: 'mismatch' | 'warning';
  /** the topic, group or reaction it is about */
  subject: string;
  message: string;
}

export interface CheckReport {
  flow: string;
  ok: boolean;
  findings: CheckFinding[];
  sampled: Record<string, number>;
}

/** Below this share of sampled records carrying the id where the flow says, a topic's id location is wrong. */
const ID_SHARE = 0.8;

export async function checkFlow(o: {
  cluster: Cluster;
  codec: ValueCodec;
  flow: Flow;
  since: number;
  perPartition?: number;
}): Promise<CheckReport> {
  const findings: CheckFinding[] = [];
  const mismatch = (subject: string, message: string) => findings.push({ level: 'mismatch', subject, message });
  const warning = (subject: string, message: string) => findings.push({ level: 'warning', subject, message });
  const existing = new Set(await o.cluster.topicNames());
  const topics = o.flow.topics.filter((t) => {
    if (existing.has(t.name)) return true;
    if (t.deadLetter)
      warning(t.name, 'the dead-letter topic does not exist (yet: it appears when something is dead-lettered)');
    else mismatch(t.name, 'the topic does not exist on the cluster');
    return false;
  });
  const sample = await sampleTopics(
    o.cluster,
    o.codec,
    topics.map((t) => t.name),
    { since: o.since, perPartition: o.perPartition ?? 2000 },
  );
  const facts = new FlowFacts(o.flow);
  const seenTypes = new Map<string, Set<string>>();
  const withId = new Map<string, number>();
  for (const r of sample.records) {
    const spec = topics.find((t) => t.name === r.topic)!;
    if (spec.deadLetter) continue;
    const type =
      facts.of({ topic: r.topic, key: r.key, headers: r.headers, value: () => r.value, schemaName: () => r.schemaName })
        ?.type ?? conventionalType(r).type;
    const types = seenTypes.get(r.topic) ?? new Set<string>();
    types.add(type);
    seenTypes.set(r.topic, types);
    if (spec.idAt.length && idAt(r, spec.idAt) !== null) withId.set(r.topic, (withId.get(r.topic) ?? 0) + 1);
  }
  for (const t of topics) {
    if (t.deadLetter) continue;
    const n = sample.topics.get(t.name)?.records ?? 0;
    if (n === 0) {
      warning(t.name, 'no records in the window to check it against (widen --since)');
      continue;
    }
    const share = (withId.get(t.name) ?? 0) / n;
    if (t.idAt.length && share < ID_SHARE) {
      mismatch(
        t.name,
        `${Math.round(share * 100)}% of ${n} sampled records have an id at ${t.idAt.map((l) => l.text).join(' or ')}`,
      );
    }
    const undeclared = [...(seenTypes.get(t.name) ?? [])].filter((x) => t.types.length && !t.types.includes(x));
    if (undeclared.length) warning(t.name, `carries types the flow does not declare: ${undeclared.join(', ')}`);
  }
  const everySeen = new Set([...seenTypes.values()].flatMap((s) => [...s]));
  const sampledTopics = new Set([...sample.topics].filter(([, c]) => c.records > 0).map(([t]) => t));
  for (const r of o.flow.reactions) {
    for (const type of r.on) {
      const on = topics.find((t) => t.types.includes(type));
      if (!everySeen.has(type) && on && sampledTopics.has(on.name))
        mismatch(`${r.service} on ${type}`, `no sampled record of ${on.name} has type ${type}`);
    }
  }
  const known = new Set((await listGroups(o.cluster).catch(() => [])).map((g) => g.groupId));
  for (const { group } of flowGroups(o.flow)) {
    if (!known.has(group)) {
      mismatch(group, 'the cluster has no such consumer group');
      continue;
    }
    const triggerTopics = [
      ...new Set(
        o.flow.reactions
          .filter((r) => r.groups.includes(group) && !r.timer)
          .flatMap((r) => topics.filter((t) => r.on.some((x) => t.types.includes(x))).map((t) => t.name)),
      ),
    ];
    for (const topic of triggerTopics) {
      const meta = await o.cluster.topic(topic).catch(() => null);
      if (!meta) continue;
      const committed = await committedOffsets(
        o.cluster,
        group,
        meta.partitions.map((p) => ({ topic, partition: p.partition })),
      ).catch(() => new Map<string, number>());
      if (committed.size === 0) mismatch(group, `has committed nothing on ${topic}, which it is expected to react to`);
    }
  }
  return {
    flow: o.flow.name,
    ok: !findings.some((f) => f.level === 'mismatch'),
    findings,
    sampled: Object.fromEntries([...sample.topics].map(([t, c]) => [t, c.records])),
  };
}
