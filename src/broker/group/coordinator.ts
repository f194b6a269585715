// The group coordinator of a single-node broker: every group lives here (this broker is the coordinator of
// all of them). It validates requests, routes them to the group's state machine (group.ts), and serves the
// offset APIs from the offset store (offset-store.ts). Methods take requests as the broker's decoder produces
// them (every field present) and return complete responses, both typed by the message descriptions.

import { ErrorCode } from '../../protocol/error-codes.js';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/messages/index.js';
import type { WriteHealth } from '../log/disk-health.js';
import { SYSTEM_CLOCK, type BrokerClock } from '../clock.js';
import type { FsyncPolicy } from '../log/partition-log.js';
import { Group, type GroupHooks } from './group.js';
import { OffsetStore, type CommittedOffset } from './offset-store.js';
import {
  groupMetadataRecord,
  offsetCommitRecord,
  type GroupMetadata,
  type OffsetsTopic,
  type OffsetsTopicRecord,
} from './offsets-topic.js';
import { joinError, syncResponse } from './responses.js';
import { CONSUMER_PROTOCOL_TYPE } from './consumer-protocol.js';
import type { ConnectionContext } from './types.js';

export interface GroupCoordinatorOptions {
  /** where groups.log lives; null keeps groups and offsets in memory only */
  dataDir: string | null;
  /** "always": fsync every append before answering; "interval": every second; "never": at close */
  fsync: FsyncPolicy;
  /** the time of commit timestamps and members' sessions (real time by default; a test's manual clock) */
  clock?: BrokerClock;
  /**
   * group.initial.rebalance.delay.ms: how long the first rebalance of an Empty group waits for more members
   * (extended by the same again each time one arrives, up to the rebalance timeout). Kafka defaults to 3000
   * and its dev server.properties to 0. We default to 300: without a delay, consumers started together
   * (a worker pool, a test) form a generation of one, and every further member forces another full
   * rebalance that the existing members only notice at their next heartbeat (3 s in kafkajs), so the group
   * settles seconds later than with one short wait; 300 ms is unnoticeable for a single consumer starting.
   */
  initialRebalanceDelayMs?: number;
  /** group.min.session.timeout.ms (6000); lower it for tests */
  minSessionTimeoutMs?: number;
  /** group.max.session.timeout.ms (300000) */
  maxSessionTimeoutMs?: number;
  /** offset.metadata.max.bytes (4096) */
  maxMetadataBytes?: number;
  /** groups.log compaction: minimum file size (1 MiB) and file/live size ratio (2) */
  compactMinBytes?: number;
  compactRatio?: number;
  /**
   * Whether a topic partition exists, to refuse commits for unknown ones with UNKNOWN_TOPIC_OR_PARTITION as
   * Kafka does; without it every commit is accepted.
   */
  partitionExists?: (topic: string, partition: number) => boolean;
  /**
   * Where every commit and group change is also written in Kafka's record format (`__consumer_offsets`);
   * the store stays the source of truth (see offsets-topic.ts). None: not written.
   */
  offsetsTopic?: OffsetsTopic;
  /** recoverable problems (a torn groups.log tail, a failed fsync or compaction) */
  onWarning?: (message: string) => void;
  /** told of groups.log's failed writes and of the writes that work again (see log/disk-health.ts) */
  health?: WriteHealth;
}

export const GROUP_DEFAULTS = {
  initialRebalanceDelayMs: 300,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 300000,
  maxMetadataBytes: 4096,
} as const;

const NO_OFFSET = -1;
/** KIP-848's name for the groups of the JoinGroup/SyncGroup protocol, the only kind this broker has */
const CLASSIC_GROUP_TYPE = 'classic';

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly store: OffsetStore;
  private readonly hooks: GroupHooks;
  private readonly clock: BrokerClock;
  private readonly minSessionTimeoutMs: number;
  private readonly maxSessionTimeoutMs: number;
  private readonly maxMetadataBytes: number;
  private closed = false;

  constructor(private readonly opts: GroupCoordinatorOptions) {
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.minSessionTimeoutMs = opts.minSessionTimeoutMs ?? GROUP_DEFAULTS.minSessionTimeoutMs;
    this.maxSessionTimeoutMs = opts.maxSessionTimeoutMs ?? GROUP_DEFAULTS.maxSessionTimeoutMs;
    this.maxMetadataBytes = opts.maxMetadataBytes ?? GROUP_DEFAULTS.maxMetadataBytes;
    this.hooks = {
      initialRebalanceDelayMs: opts.initialRebalanceDelayMs ?? GROUP_DEFAULTS.initialRebalanceDelayMs,
      onGroupChange: (g) => this.persistGroup(g),
      onIdle: (g) => this.forgetIfUnused(g),
      clock: this.clock,
    };
    this.store = OffsetStore.open({
      dataDir: opts.dataDir,
      fsync: opts.fsync,
      compactMinBytes: opts.compactMinBytes,
      compactRatio: opts.compactRatio,
      onWarning: opts.onWarning,
      health: opts.health,
    });
    // Groups come back Empty, with their generation, protocol type and offsets; members rejoin.
    for (const id of this.store.groupIds()) {
      this.groups.set(id, new Group(id, this.hooks, this.store.groupMeta(id)));
    }
    this.reconcileOffsetsTopic();
  }

  // ---------------------------------------------------------------------------------------- membership

  joinGroup(req: JoinGroupRequest, version: number, ctx: ConnectionContext): Promise<JoinGroupResponse> {
    const fail = (code: number) => Promise.resolve(joinError(code, req.memberId));
    if (this.closed) return fail(ErrorCode.NOT_COORDINATOR);
    if (!req.groupId) return fail(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.minSessionTimeoutMs || req.sessionTimeoutMs > this.maxSessionTimeoutMs) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    // Checked here too (the group repeats it against its members) so that a bad first join creates nothing.
    if (!req.protocolType || req.protocols.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    let group = this.groups.get(req.groupId);
    if (!group) {
      // Only a member without an id may create a group; one with an id belongs to a group we no longer
      // know (e.g. across a restart): it must rejoin afresh.
      if (req.memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      group = this.createGroup(req.groupId);
    }
    return group.join(req, version, ctx);
  }

  syncGroup(req: SyncGroupRequest, _version: number): Promise<SyncGroupResponse> {
    if (this.closed) return Promise.resolve(syncResponse(ErrorCode.NOT_COORDINATOR));
    if (!req.groupId) return Promise.resolve(syncResponse(ErrorCode.INVALID_GROUP_ID));
    const group = this.groups.get(req.groupId);
    if (!group) return Promise.resolve(syncResponse(ErrorCode.UNKNOWN_MEMBER_ID));
    return group.sync(req);
  }

  heartbeat(req: HeartbeatRequest, _version: number): HeartbeatResponse {
    const answer = (errorCode: number): HeartbeatResponse => ({ throttleTimeMs: 0, errorCode });
    if (this.closed) return answer(ErrorCode.NOT_COORDINATOR);
    if (!req.groupId) return answer(ErrorCode.INVALID_GROUP_ID);
    const group = this.groups.get(req.groupId);
    return answer(group ? group.heartbeat(req) : ErrorCode.UNKNOWN_MEMBER_ID);
  }

  leaveGroup(req: LeaveGroupRequest, version: number): LeaveGroupResponse {
    const leaving =
      version >= 3
        ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
        : [{ memberId: req.memberId, groupInstanceId: null }];
    const groupError = this.closed
      ? ErrorCode.NOT_COORDINATOR
      : !req.groupId
        ? ErrorCode.INVALID_GROUP_ID
        : ErrorCode.NONE;
    if (groupError !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: groupError, members: [] };
    const group = this.groups.get(req.groupId);
    const members = leaving.map((m) => ({
      ...m,
      errorCode: group ? group.leave(m.memberId, m.groupInstanceId) : ErrorCode.UNKNOWN_MEMBER_ID,
    }));
    // v0-2 have no per-member answers: the single member's error is the request's error (as in Kafka).
    if (version < 3) return { throttleTimeMs: 0, errorCode: members[0].errorCode, members: [] };
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, members };
  }

  // ----------------------------------------------------------------------------------------- offsets

  offsetCommit(req: OffsetCommitRequest, version: number): OffsetCommitResponse {
    // v0 has neither generation nor member: always a "simple" commit.
    const generationId = version === 0 ? -1 : req.generationIdOrMemberEpoch;
    const memberId = version === 0 ? '' : req.memberId;
    const instanceId = req.groupInstanceId;
    const answer = (
      codeOf: (topic: string, partition: OffsetCommitRequest['topics'][number]['partitions'][number]) => number,
    ) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codeOf(t.name, p) })),
      })),
    });
    if (this.closed) return answer(() => ErrorCode.NOT_COORDINATOR);
    if (!req.groupId) return answer(() => ErrorCode.INVALID_GROUP_ID);

    let group = this.groups.get(req.groupId);
    let created = false;
    if (!group) {
      // No group: a commit from a generation is from a group we no longer know; one without is a simple
      // commit, and creates the group (Empty), as Kafka does.
      if (generationId >= 0) return answer(() => ErrorCode.ILLEGAL_GENERATION);
      group = this.createGroup(req.groupId);
      created = true;
    }
    const groupError = group.validateCommit(generationId, memberId, instanceId);
    if (groupError !== ErrorCode.NONE) {
      if (created) this.forgetIfUnused(group);
      return answer(() => groupError);
    }

    const now = this.clock.now();
    const errors = new Map<string, number>();
    const key = (topic: string, partition: number) => `${partition}:${topic}`;
    const commits: Array<{ topic: string; partition: number; value: CommittedOffset }> = [];
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? '';
        if (Buffer.byteLength(metadata, 'utf8') > this.maxMetadataBytes) {
          errors.set(key(t.name, p.partitionIndex), ErrorCode.OFFSET_METADATA_TOO_LARGE);
        } else if (this.opts.partitionExists && !this.opts.partitionExists(t.name, p.partitionIndex)) {
          errors.set(key(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        } else {
          const ts = version === 1 && p.commitTimestamp >= 0 ? p.commitTimestamp : now;
          commits.push({
            topic: t.name,
            partition: p.partitionIndex,
            value: { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata, commitTimestamp: ts },
          });
        }
      }
    }
    try {
      this.store.commit(req.groupId, commits);
      this.toOffsetsTopic(
        req.groupId,
        commits.map((c) => offsetCommitRecord(req.groupId, c.topic, c.partition, c.value)),
      );
    } catch (err) {
      // Nothing was stored. Kafka answers a commit its log could not take (KAFKA_STORAGE_ERROR) with
      // NOT_COORDINATOR: retriable, the client finds the coordinator again and retries.
      this.warn(`offset commit for group ${req.groupId} failed: ${(err as Error).message}`);
      for (const c of commits) errors.set(key(c.topic, c.partition), ErrorCode.NOT_COORDINATOR);
    }
    if (created) this.forgetIfUnused(group);
    return answer((topic, p) => errors.get(key(topic, p.partitionIndex)) ?? ErrorCode.NONE);
  }

  /** TxnOffsetCommit's member check (group.ts); a group this coordinator does not know passes. */
  validateTxnCommit(groupId: string, generationId: number, memberId: string, instanceId: string | null): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    return this.groups.get(groupId)?.validateTxnCommit(generationId, memberId, instanceId) ?? ErrorCode.NONE;
  }

  /**
   * Stores the offsets of a committed transaction (TxnOffsetCommit's, once its COMMIT marker is written), as a
   * simple commit does: the group is created (Empty) when it does not exist. Throws when the store fails.
   */
  commitTransactionalOffsets(
    groupId: string,
    commits: Array<{ topic: string; partition: number; value: CommittedOffset }>,
  ): void {
    if (commits.length === 0) return;
    const created = !this.groups.has(groupId);
    const group = this.groups.get(groupId) ?? this.createGroup(groupId);
    try {
      this.store.commit(groupId, commits);
      this.toOffsetsTopic(
        groupId,
        commits.map((c) => offsetCommitRecord(groupId, c.topic, c.partition, c.value)),
      );
    } finally {
      if (created) this.forgetIfUnused(group);
    }
  }

  /**
   * Every requested partition gets an entry: one without a commit (or of an unknown group) gets offset -1,
   * metadata "" and no error. Clients rely on it: kafkajs never fetches a partition missing from the
   * answer, and fails on GROUP_ID_NOT_FOUND. Null topics (v2+) mean every committed offset of the group.
   */
  offsetFetch(req: OffsetFetchRequest, version: number): OffsetFetchResponse {
    // v8+ asks for several groups, each answered as v2-7 answer one
    if (version >= 8) {
      const groups = req.groups.map((g) => ({ groupId: g.groupId, ...this.committedOf(g.groupId, g.topics) }));
      return { throttleTimeMs: 0, topics: [], errorCode: ErrorCode.NONE, groups };
    }
    return { throttleTimeMs: 0, ...this.committedOf(req.groupId, req.topics), groups: [] };
  }

  private committedOf(
    groupId: string,
    requested: OffsetFetchRequest['topics'],
  ): Pick<OffsetFetchResponse, 'topics' | 'errorCode'> {
    const entry = (
      partitionIndex: number,
      c: CommittedOffset | undefined,
    ): OffsetFetchResponse['topics'][number]['partitions'][number] =>
      c
        ? {
            partitionIndex,
            committedOffset: c.offset,
            committedLeaderEpoch: c.leaderEpoch,
            metadata: c.metadata,
            errorCode: ErrorCode.NONE,
          }
        : {
            partitionIndex,
            committedOffset: NO_OFFSET,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: ErrorCode.NONE,
          };
    if (this.closed) return { topics: [], errorCode: ErrorCode.NOT_COORDINATOR };
    const topics =
      requested === null
        ? this.store.committed(groupId).map((t) => ({
            name: t.topic,
            partitions: t.partitions.map((p) => entry(p.partition, p.value)),
          }))
        : requested.map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((p) => entry(p, this.store.fetch(groupId, t.name, p))),
          }));
    return { topics, errorCode: ErrorCode.NONE };
  }

  offsetDelete(req: OffsetDeleteRequest, _version: number): OffsetDeleteResponse {
    const top = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
    if (this.closed) return top(ErrorCode.NOT_COORDINATOR);
    if (!req.groupId) return top(ErrorCode.INVALID_GROUP_ID);
    const group = this.groups.get(req.groupId);
    if (!group) return top(ErrorCode.GROUP_ID_NOT_FOUND);

    // An active group may only lose offsets of topics it does not consume; a non-consumer group's
    // subscriptions cannot be known, so it must be Empty.
    let subscribed: Set<string> | null = null;
    const active = group.state !== 'Empty';
    if (active) {
      if (group.protocolType !== CONSUMER_PROTOCOL_TYPE) return top(ErrorCode.NON_EMPTY_GROUP);
      subscribed = group.subscribedTopics();
    }
    // Unreadable subscriptions count as subscribed to everything: refusing is safer than deleting offsets a
    // live consumer resumes from.
    const isConsumed = (topic: string) => active && (subscribed === null || subscribed.has(topic));

    const toDelete = req.topics.flatMap((t) =>
      isConsumed(t.name) ? [] : t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })),
    );
    let deleteError: number = ErrorCode.NONE;
    const present = toDelete.filter((p) => this.store.fetch(req.groupId, p.topic, p.partition) !== undefined);
    try {
      this.store.deleteOffsets(req.groupId, toDelete);
      this.toOffsetsTopic(
        req.groupId,
        present.map((p) => offsetCommitRecord(req.groupId, p.topic, p.partition, null)),
      );
    } catch (err) {
      this.warn(`offset delete for group ${req.groupId} failed: ${(err as Error).message}`);
      deleteError = ErrorCode.NOT_COORDINATOR;
    }
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: isConsumed(t.name) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : deleteError,
        })),
      })),
    };
  }

  /** A topic was deleted: its committed offsets go too (in every group). */
  topicDeleted(topic: string): void {
    const doomed = this.store
      .groupIds()
      .map((group) => ({
        group,
        partitions: this.store.committed(group).find((t) => t.topic === topic)?.partitions ?? [],
      }))
      .filter((g) => g.partitions.length > 0);
    try {
      this.store.deleteTopic(topic);
      for (const g of doomed)
        this.toOffsetsTopic(
          g.group,
          g.partitions.map((p) => offsetCommitRecord(g.group, topic, p.partition, null)),
        );
    } catch (err) {
      this.warn(`dropping offsets of deleted topic ${topic} failed: ${(err as Error).message}`);
    }
  }

  // -------------------------------------------------------------------------------------------- admin

  /** Unknown groups are described as Dead with no members and no error, as Kafka does. */
  describeGroups(req: DescribeGroupsRequest, _version: number): DescribeGroupsResponse {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        const group = this.groups.get(groupId);
        if (group && !this.closed) return group.describe(req.includeAuthorizedOperations);
        return {
          errorCode: this.closed ? ErrorCode.NOT_COORDINATOR : groupId ? ErrorCode.NONE : ErrorCode.INVALID_GROUP_ID,
          groupId,
          groupState: groupId ? 'Dead' : '',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: -2147483648,
        };
      }),
    };
  }

  /**
   * v4+ filter by state and v5+ by type (KIP-518, KIP-848), case-insensitively as Kafka's new coordinator
   * does; an empty filter lets everything through. Every group here is a classic one.
   */
  listGroups(req: ListGroupsRequest, _version: number): ListGroupsResponse {
    if (this.closed) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, groups: [] };
    const passes = (filter: string[], value: string) =>
      filter.length === 0 || filter.some((f) => f.toLowerCase() === value.toLowerCase());
    const groups = [...this.groups.values()]
      .filter((g) => passes(req.statesFilter, g.state) && passes(req.typesFilter, CLASSIC_GROUP_TYPE))
      .map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType ?? '',
        groupState: g.state,
        groupType: CLASSIC_GROUP_TYPE,
      }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  }

  /** Only Empty groups can be deleted; their offsets go with them. */
  deleteGroups(req: DeleteGroupsRequest, _version: number): DeleteGroupsResponse {
    const results = req.groupsNames.map((groupId) => {
      if (this.closed) return { groupId, errorCode: ErrorCode.NOT_COORDINATOR };
      if (!groupId) return { groupId, errorCode: ErrorCode.INVALID_GROUP_ID };
      const group = this.groups.get(groupId);
      if (!group) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (group.state !== 'Empty') return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      const tombstones = [
        ...this.store
          .committed(groupId)
          .flatMap((t) => t.partitions.map((p) => offsetCommitRecord(groupId, t.topic, p.partition, null))),
        groupMetadataRecord(groupId, null),
      ];
      try {
        this.store.deleteGroup(groupId);
        this.toOffsetsTopic(groupId, tombstones);
      } catch (err) {
        this.warn(`deleting group ${groupId} failed: ${(err as Error).message}`);
        return { groupId, errorCode: ErrorCode.NOT_COORDINATOR };
      }
      group.state = 'Dead';
      group.shutdown(ErrorCode.UNKNOWN_MEMBER_ID);
      this.groups.delete(groupId);
      return { groupId, errorCode: ErrorCode.NONE };
    });
    return { throttleTimeMs: 0, results };
  }

  /** The offsets a group has committed, by topic (read by tests through evt/testing, without a client). */
  committed(groupId: string): ReturnType<OffsetStore['committed']> {
    return this.store.committed(groupId);
  }

  /** Stops all timers, answers parked requests with NOT_COORDINATOR, flushes and closes groups.log. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const g of this.groups.values()) g.shutdown(ErrorCode.NOT_COORDINATOR);
    this.store.close();
  }

  // ----------------------------------------------------------------------------------------- internals

  private createGroup(groupId: string): Group {
    const group = new Group(groupId, this.hooks);
    this.groups.set(groupId, group);
    return group;
  }

  private persistGroup(g: Group): void {
    try {
      this.store.setGroupMeta(g.groupId, { protocolType: g.protocolType, generationId: g.generationId });
      this.toOffsetsTopic(g.groupId, [groupMetadataRecord(g.groupId, this.groupMetadataOf(g))]);
    } catch (err) {
      // Only the generation across a restart is at stake; the group itself carries on.
      this.warn(`persisting group ${g.groupId} failed: ${(err as Error).message}`);
    }
  }

  /** The group as GroupMetadataValue describes it: members with their subscriptions and assignments. */
  private groupMetadataOf(g: Group): GroupMetadata {
    return {
      protocolType: g.protocolType ?? '',
      generation: g.generationId,
      protocol: g.protocolName,
      leader: g.leaderId,
      currentStateTimestamp: this.clock.now(),
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: m.metadataFor(g.protocolName),
        assignment: m.assignment,
      })),
    };
  }

  /**
   * Writes records of a change the store has accepted to `__consumer_offsets`. A failure there fails
   * nothing (the store answers every request); the start-up reconciliation repairs the topic.
   */
  private toOffsetsTopic(groupId: string, records: OffsetsTopicRecord[]): void {
    try {
      this.opts.offsetsTopic?.append(groupId, records);
    } catch (err) {
      this.warn(`writing group ${groupId} to __consumer_offsets failed: ${(err as Error).message}`);
    }
  }

  /** Start-up: the topic gets whatever the store holds that the topic's latest records do not say. */
  private reconcileOffsetsTopic(): void {
    const topic = this.opts.offsetsTopic;
    if (!topic) return;
    const expected = new Map<string, { group: string; record: OffsetsTopicRecord; sameAs?: (v: Buffer) => boolean }>();
    for (const group of this.store.groupIds()) {
      for (const t of this.store.committed(group)) {
        for (const p of t.partitions) {
          const record = offsetCommitRecord(group, t.topic, p.partition, p.value);
          expected.set(record.key.toString('hex'), { group, record });
        }
      }
      const g = this.groups.get(group);
      if (!g || !this.store.groupMeta(group)) continue;
      const record = groupMetadataRecord(group, this.groupMetadataOf(g));
      // Members are gone after a restart and timestamps differ: only the version, protocol type and
      // generation (the value's first 2 + 2 + length + 4 bytes) must agree.
      const head = record.value!.subarray(0, 8 + Buffer.byteLength(g.protocolType ?? '', 'utf8'));
      expected.set(record.key.toString('hex'), {
        group,
        record,
        sameAs: (v) => v.subarray(0, head.length).equals(head),
      });
    }
    try {
      const n = topic.reconcile(expected);
      if (n > 0) this.warn(`__consumer_offsets: ${n} records written to catch up with groups.log`);
    } catch (err) {
      this.warn(`reconciling __consumer_offsets failed: ${(err as Error).message}`);
    }
  }

  /**
   * Forgets a group that holds nothing: Empty, nobody joining, no offsets and nothing stored (e.g. a client
   * that was handed a member id and never came back, or a simple commit that failed). Groups with a past
   * generation or offsets stay until DeleteGroups.
   */
  private forgetIfUnused(g: Group): void {
    if (this.groups.get(g.groupId) !== g) return;
    if (g.state !== 'Empty' || g.members.size > 0 || g.hasPendingMembers) return;
    if (this.store.hasOffsets(g.groupId) || this.store.groupMeta(g.groupId)) return;
    g.shutdown(ErrorCode.UNKNOWN_MEMBER_ID);
    this.groups.delete(g.groupId);
  }

  private warn(message: string): void {
    this.opts.onWarning?.(`group coordinator: ${message}`);
  }
}
