// `__consumer_offsets` as Kafka writes it, so that tools reading the topic (Burrow, lag exporters, a consumer
// with Kafka's formatter) see every commit and group change: the record schemas of Kafka's group coordinator
// (group-coordinator/src/main/resources/common/message/*.json), each key and value prefixed by its int16
// version, in the versions Kafka 3.x writes (OffsetCommitKey v1, OffsetCommitValue v3, GroupMetadataKey v2,
// GroupMetadataValue v3), a group's records in partition abs(groupId.hashCode()) % partitions, and a null
// value (a tombstone) for what was deleted.
//
// The source of truth stays the coordinator's offset store (groups.log): it commits all or nothing, is
// compacted, and is what the coordinator answers from. The topic is written beside it, after each change the
// store accepted, and never read back to serve a request. So that a crash between the two writes cannot
// leave them apart, the broker reconciles at start-up (`reconcile`): whatever the topic's latest record of a
// key says that the store does not, it appends the store's version (or a tombstone).

import { encodeBatch, type BatchRecord } from '../../protocol/records/batch-encoder.js';
import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';
import { Reader, Writer } from '../../protocol/primitives.js';
import { decodeRecords } from '../../protocol/records/decode.js';
import { decodeStruct, encodeStruct, type Field, type Struct } from '../../protocol/schema.js';
import type { LogManager } from '../log/log-manager.js';
import type { CommittedOffset } from './offset-store.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
/** offsets.topic.num.partitions */
export const DEFAULT_OFFSETS_TOPIC_PARTITIONS = 50;

/** Internal topics: never auto-created as ordinary ones, flagged is_internal in Metadata. */
export function isInternalTopic(name: string): boolean {
  return name === OFFSETS_TOPIC;
}

/** Kafka's partitionFor: Utils.abs(groupId.hashCode()) % partitions, hashCode being Java's String.hashCode. */
export function offsetsTopicPartition(groupId: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  // Utils.abs maps Integer.MIN_VALUE to 0 (Math.abs would overflow in Java)
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

// ------------------------------------------------------------------------------------- record schemas

const OFFSET_COMMIT_KEY: Field[] = [
  { name: 'group', type: 'string', versions: '0-1' },
  { name: 'topic', type: 'string', versions: '0-1' },
  { name: 'partition', type: 'int32', versions: '0-1' },
];
const OFFSET_COMMIT_VALUE: Field[] = [
  { name: 'offset', type: 'int64', versions: '0+' },
  { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1 },
  { name: 'metadata', type: 'string', versions: '0+' },
  { name: 'commitTimestamp', type: 'int64', versions: '0+' },
  { name: 'expireTimestamp', type: 'int64', versions: '1', default: -1 },
];
const GROUP_METADATA_KEY: Field[] = [{ name: 'group', type: 'string', versions: '2' }];
const GROUP_METADATA_VALUE: Field[] = [
  { name: 'protocolType', type: 'string', versions: '0+' },
  { name: 'generation', type: 'int32', versions: '0+' },
  { name: 'protocol', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'leader', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'currentStateTimestamp', type: 'int64', versions: '2+', default: -1 },
  {
    name: 'members',
    type: '[]',
    versions: '0+',
    fields: [
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'clientId', type: 'string', versions: '0+' },
      { name: 'clientHost', type: 'string', versions: '0+' },
      { name: 'rebalanceTimeout', type: 'int32', versions: '1+', default: -1 },
      { name: 'sessionTimeout', type: 'int32', versions: '0+' },
      { name: 'subscription', type: 'bytes', versions: '0+' },
      { name: 'assignment', type: 'bytes', versions: '0+' },
    ],
  },
];

const OFFSET_KEY_VERSION = 1;
const OFFSET_VALUE_VERSION = 3;
const GROUP_KEY_VERSION = 2;
const GROUP_VALUE_VERSION = 3;

function versioned(fields: Field[], version: number, obj: Struct): Buffer {
  const w = new Writer(64);
  w.int16(version);
  encodeStruct(w, fields, obj, version, false);
  return w.toBuffer();
}

/** Decodes a key or value written as above (tests, and the start-up reconciliation, read keys back). */
export function decodeOffsetsTopicKey(
  key: Buffer,
): { kind: 'offset'; group: string; topic: string; partition: number } | { kind: 'group'; group: string } {
  const r = new Reader(key);
  const version = r.int16();
  if (version <= 1) {
    const k = decodeStruct(r, OFFSET_COMMIT_KEY, version, false);
    return { kind: 'offset', group: k.group as string, topic: k.topic as string, partition: k.partition as number };
  }
  if (version === 2)
    return { kind: 'group', group: decodeStruct(r, GROUP_METADATA_KEY, version, false).group as string };
  throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `unknown __consumer_offsets key version ${version}`);
}

/** A group member as GroupMetadataValue records it. */
export interface GroupMetadataMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadata {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: GroupMetadataMember[];
}

export interface OffsetsTopicRecord {
  key: Buffer;
  /** null: a tombstone */
  value: Buffer | null;
}

export function offsetCommitRecord(
  group: string,
  topic: string,
  partition: number,
  c: CommittedOffset | null,
): OffsetsTopicRecord {
  return {
    key: versioned(OFFSET_COMMIT_KEY, OFFSET_KEY_VERSION, { group, topic, partition }),
    value: c && versioned(OFFSET_COMMIT_VALUE, OFFSET_VALUE_VERSION, { ...c }),
  };
}

export function groupMetadataRecord(group: string, meta: GroupMetadata | null): OffsetsTopicRecord {
  return {
    key: versioned(GROUP_METADATA_KEY, GROUP_KEY_VERSION, { group }),
    value: meta && versioned(GROUP_METADATA_VALUE, GROUP_VALUE_VERSION, { ...meta }),
  };
}

// ------------------------------------------------------------------------------------------- the topic

export class OffsetsTopic {
  constructor(
    private readonly logs: LogManager,
    readonly partitions: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Appends a group's records, in one batch, to its partition (creating the topic on first use). */
  append(groupId: string, records: OffsetsTopicRecord[]): void {
    if (records.length === 0) return;
    this.ensure();
    const now = this.clock();
    const batch = encodeBatch(
      records.map((r): BatchRecord => ({ key: r.key, value: r.value, headers: [], timestamp: now })),
    );
    this.logs.partition(OFFSETS_TOPIC, offsetsTopicPartition(groupId, this.partitions))!.append(batch, { now });
  }

  /**
   * Makes the topic agree with the store: `expected` holds, for each key (hex) the store knows, the value it
   * implies (compared by its offset fields only for group metadata, whose timestamps differ by nature);
   * every key whose latest record disagrees gets the expected record, every key the store no longer knows a
   * tombstone.
   */
  reconcile(
    expected: Map<string, { group: string; record: OffsetsTopicRecord; sameAs?: (v: Buffer) => boolean }>,
  ): number {
    if (!this.logs.topic(OFFSETS_TOPIC)) {
      if (expected.size === 0) return 0;
      this.ensure();
    }
    const latest = this.latestValues();
    const byGroup = new Map<string, OffsetsTopicRecord[]>();
    const add = (group: string, r: OffsetsTopicRecord) => {
      const list = byGroup.get(group);
      if (list) list.push(r);
      else byGroup.set(group, [r]);
    };
    for (const [hex, e] of expected) {
      const cur = latest.get(hex);
      const same = cur && e.record.value && (e.sameAs ? e.sameAs(cur.value) : cur.value.equals(e.record.value));
      if (!same) add(e.group, e.record);
    }
    for (const [hex, cur] of latest) {
      if (!expected.has(hex)) add(cur.group, { key: Buffer.from(hex, 'hex'), value: null });
    }
    let n = 0;
    for (const [group, records] of byGroup) {
      this.append(group, records);
      n += records.length;
    }
    return n;
  }

  private ensure(): void {
    if (this.logs.topic(OFFSETS_TOPIC)) return;
    // compacted, as Kafka creates it: exempt from retention (evt keeps every record; see the README)
    this.logs.createTopic(OFFSETS_TOPIC, {
      numPartitions: this.partitions,
      configs: { 'cleanup.policy': 'compact' },
    });
  }

  /** The latest live value of every key in the topic (keys as hex); tombstoned keys are absent. */
  private latestValues(): Map<string, { group: string; value: Buffer }> {
    const out = new Map<string, { group: string; value: Buffer }>();
    const topic = this.logs.topic(OFFSETS_TOPIC);
    if (!topic) return out;
    for (let p = 0; p < topic.partitions; p++) {
      const log = this.logs.partition(OFFSETS_TOPIC, p)!;
      let offset = log.logStartOffset;
      while (offset < log.highWatermark) {
        const { records } = log.read(offset, 1024 * 1024);
        if (records.length === 0) break;
        for (let pos = 0; pos < records.length;) {
          const size = records.readInt32BE(pos + 8) + 12;
          for (const r of decodeRecords(records.subarray(pos, pos + size))) {
            offset = r.offset + 1;
            const group = r.key && groupOfKey(r.key);
            if (!r.key || group === null) continue; // not a record of ours: leave it alone
            const hex = r.key.toString('hex');
            if (r.value === null) out.delete(hex);
            else out.set(hex, { group, value: Buffer.from(r.value) });
          }
          pos += size;
        }
      }
    }
    return out;
  }
}

function groupOfKey(key: Buffer): string | null {
  try {
    return decodeOffsetsTopicKey(key).group;
  } catch {
    return null;
  }
}
