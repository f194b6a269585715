// The state machine of one classic consumer group, after Apache Kafka's GroupCoordinator/GroupMetadata:
//
//   Empty --join--> PreparingRebalance --all joined / rebalance timeout--> CompletingRebalance
//   CompletingRebalance --leader's SyncGroup--> Stable
//   Stable / CompletingRebalance --join with new metadata, leave, session expiry--> PreparingRebalance
//   PreparingRebalance --no member left--> Empty                    (Dead = deleted, see the coordinator)
//
// Everything runs on the event loop, so no locking: a JoinGroup or a SyncGroup that has to wait parks a
// resolver on its member and the promise resolves when the rebalance gets there. Timers (unref'd) drive the
// three ways a rebalance makes progress without a request: a member's session running out, the rebalance
// timeout (absentees are dropped), and the sync timeout (members that never sync are dropped).

import { randomUUID } from 'node:crypto';
import { CONSUMER_PROTOCOL_TYPE, emptyConsumerAssignment, subscribedTopics } from './consumer-protocol.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { BrokerClock } from '../clock.js';
import { EMPTY_BYTES, Member } from './member.js';
import { joinError, joinResponse, syncResponse } from './responses.js';
import type {
  DescribeGroupsResponse,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/messages/index.js';
import type { ConnectionContext, GroupState } from './types.js';

export interface GroupHooks {
  /** group.initial.rebalance.delay.ms: see GroupCoordinatorOptions */
  initialRebalanceDelayMs: number;
  /**
   * What the group's metadata record holds changed: the generation, protocol type or members (a rebalance
   * completed, or a static member was replaced without one): persist it.
   */
  onGroupChange(group: Group): void;
  /** the group became Empty with nothing waiting: the coordinator may forget it */
  onIdle(group: Group): void;
  /** the time members' sessions run on */
  clock: BrokerClock;
}

/** A rebalance started from Empty waits for more members first (Kafka's InitialDelayedJoin). */
interface InitialDelay {
  /** how much of the rebalance timeout is left for further extensions */
  remainingMs: number;
  newMemberAdded: boolean;
}

export class Group {
  state: GroupState = 'Empty';
  generationId: number;
  protocolType: string | null;
  /** the protocol chosen for the current generation */
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** insertion order is join order: "the first member" when a new leader is needed */
  readonly members = new Map<string, Member>();
  /** member ids handed out with MEMBER_ID_REQUIRED, expiring if never used */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** members of this generation that have not sent their SyncGroup yet */
  private readonly pendingSync = new Set<string>();
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private rebalanceDeadline = 0;
  private initialDelay: InitialDelay | null = null;
  private syncTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly groupId: string,
    private readonly hooks: GroupHooks,
    restored?: { protocolType: string | null; generationId: number },
  ) {
    // A restored group comes back Empty: members do not survive a restart, they rejoin.
    this.generationId = restored?.generationId ?? 0;
    this.protocolType = restored?.protocolType ?? null;
  }

  get hasPendingMembers(): boolean {
    return this.pending.size > 0;
  }

  // ------------------------------------------------------------------------------------------- JoinGroup

  /** JoinGroup after the coordinator's checks (group id, session timeout). */
  join(req: JoinGroupRequest, version: number, ctx: ConnectionContext): Promise<JoinGroupResponse> {
    const instanceId = req.groupInstanceId;
    const fail = (code: number, memberId = req.memberId) => Promise.resolve(joinError(code, memberId));

    if (!this.supportsProtocols(req.protocolType, req, req.memberId))
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

    if (req.memberId === '') {
      const memberId = `${ctx.clientId}-${randomUUID()}`;
      if (instanceId === null && version >= 4) {
        // KIP-394: hand out the id first, so that a client whose JoinGroup times out retries with the same
        // id instead of leaving an orphan member behind. It must come back within its session timeout.
        this.addPending(memberId, req.sessionTimeoutMs);
        return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      if (instanceId !== null) {
        // KIP-345: a static member needs no id dance; a known instance id is a restarted member (or a
        // duplicate), which takes the old member over, assignment included.
        const old = this.staticOwner(instanceId);
        if (old) return this.replaceStaticMember(old, memberId, req, version, ctx);
      }
      return this.addMemberAndRebalance(memberId, req, version, ctx);
    }

    const pendingTimer = this.pending.get(req.memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      this.pending.delete(req.memberId);
      return this.addMemberAndRebalance(req.memberId, req, version, ctx);
    }

    if (this.isFenced(req.memberId, instanceId)) return fail(ErrorCode.FENCED_INSTANCE_ID);
    const m = this.members.get(req.memberId);
    if (!m) return fail(ErrorCode.UNKNOWN_MEMBER_ID);

    switch (this.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(m, req, version, ctx);
      case 'CompletingRebalance':
        // A repeated JoinGroup (e.g. its answer was lost): answer it again unless something changed.
        if (m.matches(req.protocols)) {
          m.touch();
          return Promise.resolve(this.joinAnswer(m));
        }
        return this.updateMemberAndRebalance(m, req, version, ctx);
      case 'Stable':
        // The leader rejoining means it wants a new assignment (e.g. its subscription's metadata changed).
        if (m.memberId === this.leaderId || !m.matches(req.protocols))
          return this.updateMemberAndRebalance(m, req, version, ctx);
        m.touch();
        return Promise.resolve(this.joinAnswer(m, false));
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private addPending(memberId: string, sessionTimeoutMs: number): void {
    const timer = setTimeout(() => {
      this.pending.delete(memberId);
      if (this.state === 'PreparingRebalance') this.tryCompleteJoin();
      else if (this.state === 'Empty') this.hooks.onIdle(this);
    }, sessionTimeoutMs);
    timer.unref();
    this.pending.set(memberId, timer);
  }

  private addMemberAndRebalance(
    memberId: string,
    req: JoinGroupRequest,
    version: number,
    ctx: ConnectionContext,
  ): Promise<JoinGroupResponse> {
    const m = new Member(
      memberId,
      req.groupInstanceId,
      ctx.clientId,
      ctx.clientHost,
      req.sessionTimeoutMs,
      rebalanceTimeoutOf(req, version),
      req.protocolType,
      req.protocols,
      (expired) => this.onSessionExpired(expired),
      this.hooks.clock,
    );
    if (this.members.size === 0) this.protocolType = req.protocolType;
    this.members.set(memberId, m);
    if (this.leaderId === null) this.leaderId = memberId;
    if (this.initialDelay) this.initialDelay.newMemberAdded = true;
    const answer = this.awaitJoin(m);
    m.touch();
    if (this.state === 'PreparingRebalance') this.tryCompleteJoin();
    else this.prepareRebalance();
    return answer;
  }

  private updateMemberAndRebalance(
    m: Member,
    req: JoinGroupRequest,
    version: number,
    ctx: ConnectionContext,
  ): Promise<JoinGroupResponse> {
    updateMember(m, req, version, ctx);
    return this.rebalanceFor(m);
  }

  /** Parks the member's JoinGroup and starts (or carries on) the rebalance it waits for. */
  private rebalanceFor(m: Member): Promise<JoinGroupResponse> {
    const answer = this.awaitJoin(m);
    m.touch();
    if (this.state === 'PreparingRebalance') this.tryCompleteJoin();
    else this.prepareRebalance();
    return answer;
  }

  /**
   * Kafka's updateStaticMemberAndRebalance: a JoinGroup without a member id naming a known instance id is
   * that instance restarted (or a duplicate of it). The new incarnation takes the member over under a new
   * member id, and the old one is fenced: its parked requests, then its heartbeats, syncs and commits get
   * FENCED_INSTANCE_ID. In a Stable group whose protocol stays the same this is no rebalance at all: the
   * member gets its old assignment at its SyncGroup and the other members never notice (the point of
   * KIP-345: a rolling restart moves no partitions). As in Kafka, changed subscription metadata alone does
   * not rebalance here (the leader watches metadata); anything else rebalances as a rejoin does.
   */
  private replaceStaticMember(
    m: Member,
    newMemberId: string,
    req: JoinGroupRequest,
    version: number,
    ctx: ConnectionContext,
  ): Promise<JoinGroupResponse> {
    const currentLeader = this.leaderId;
    const oldMemberId = m.memberId;
    m.answerJoin(() => joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
    m.answerSync(() => syncResponse(ErrorCode.FENCED_INSTANCE_ID));
    // Re-key in place: the members' order is their join order, which picks the next leader.
    const members = [...this.members.values()];
    this.members.clear();
    m.memberId = newMemberId;
    for (const x of members) this.members.set(x.memberId, x);
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    updateMember(m, req, version, ctx);

    if (this.state === 'Stable' && this.selectProtocol() === this.protocolName) {
      m.touch();
      this.hooks.onGroupChange(this);
      // The leader before the replacement, as Kafka answers: a restarted leader that saw its own id as the
      // leader's would compute an assignment that a Stable group never hands out.
      return Promise.resolve(
        joinResponse({
          errorCode: ErrorCode.NONE,
          memberId: newMemberId,
          generationId: this.generationId,
          protocolType: this.protocolType,
          protocolName: this.protocolName,
          leader: currentLeader ?? '',
        }),
      );
    }
    return this.rebalanceFor(m);
  }

  private awaitJoin(m: Member): Promise<JoinGroupResponse> {
    // A second JoinGroup while one is parked (a client retrying on a new connection): the old one is
    // superseded; REBALANCE_IN_PROGRESS makes a client that still listens simply rejoin.
    m.answerJoin(() => joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
    return new Promise((resolve) => (m.joinWaiter = resolve));
  }

  /** The JoinGroup answer for the current generation; only the leader's lists the members. */
  private joinAnswer(m: Member, withMembers = true): JoinGroupResponse {
    const isLeader = m.memberId === this.leaderId;
    return joinResponse({
      errorCode: ErrorCode.NONE,
      memberId: m.memberId,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      members:
        isLeader && withMembers
          ? [...this.members.values()].map((x) => ({
              memberId: x.memberId,
              groupInstanceId: x.groupInstanceId,
              metadata: x.metadataFor(this.protocolName),
            }))
          : [],
    });
  }

  // ------------------------------------------------------------------------------------------ rebalancing

  private prepareRebalance(): void {
    if (this.state === 'CompletingRebalance') {
      // The assignment being distributed is void: followers waiting for it must rejoin.
      for (const m of this.members.values()) {
        m.answerSync(() => syncResponse(ErrorCode.REBALANCE_IN_PROGRESS));
      }
    }
    this.clearSyncTimer();
    this.pendingSync.clear();
    const fromEmpty = this.state === 'Empty';
    this.state = 'PreparingRebalance';
    const timeoutMs = this.maxRebalanceTimeout();
    this.rebalanceDeadline = Date.now() + timeoutMs;
    const delayMs = this.hooks.initialRebalanceDelayMs;
    if (fromEmpty && delayMs > 0) {
      this.initialDelay = { remainingMs: Math.max(timeoutMs - delayMs, 0), newMemberAdded: false };
      this.setRebalanceTimer(Math.min(delayMs, timeoutMs), () => this.onInitialDelayDone());
      return;
    }
    this.initialDelay = null;
    this.setRebalanceTimer(timeoutMs, () => this.completeJoin());
    this.tryCompleteJoin();
  }

  private onInitialDelayDone(): void {
    const d = this.initialDelay;
    if (!d) return;
    if (d.newMemberAdded && d.remainingMs > 0) {
      // Someone joined during the delay: others are probably starting too. Wait once more (Kafka does the
      // same), never beyond the rebalance timeout.
      const delayMs = Math.min(this.hooks.initialRebalanceDelayMs, d.remainingMs);
      d.remainingMs -= delayMs;
      d.newMemberAdded = false;
      this.setRebalanceTimer(delayMs, () => this.onInitialDelayDone());
      return;
    }
    // Unlike Kafka, which completes here, fall back to the normal rule: also wait for members that were
    // handed an id (MEMBER_ID_REQUIRED) and are about to join with it, so that consumers started together
    // land in one generation instead of two. Bounded by the rebalance timeout and their session timeout.
    this.initialDelay = null;
    this.setRebalanceTimer(Math.max(this.rebalanceDeadline - Date.now(), 0), () => this.completeJoin());
    this.tryCompleteJoin();
  }

  private tryCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.initialDelay) return;
    if (this.pending.size > 0) return;
    for (const m of this.members.values()) if (!m.joinWaiter) return;
    this.completeJoin();
  }

  /** Ends the join phase: absentees are dropped, the next generation starts, parked JoinGroups resolve. */
  private completeJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    this.clearRebalanceTimer();
    this.initialDelay = null;
    for (const m of [...this.members.values()]) {
      if (!m.joinWaiter) this.removeMember(m, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    this.generationId++;
    for (const m of this.members.values()) m.assignment = EMPTY_BYTES;

    if (this.members.size === 0) {
      this.state = 'Empty';
      this.protocolName = null;
      this.leaderId = null;
      this.hooks.onGroupChange(this);
      if (this.pending.size === 0) this.hooks.onIdle(this);
      return;
    }

    this.protocolName = this.selectProtocol();
    if (this.leaderId === null || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!;
    this.state = 'CompletingRebalance';
    this.hooks.onGroupChange(this);
    for (const m of this.members.values()) {
      m.answerJoin(() => this.joinAnswer(m));
      m.touch();
      this.pendingSync.add(m.memberId);
    }
    // Members that never send their SyncGroup (the leader above all: nobody gets an assignment without it)
    // are dropped after the rebalance timeout, and the group rebalances without them.
    const gen = this.generationId;
    this.syncTimer = setTimeout(() => this.onSyncExpired(gen), this.maxRebalanceTimeout());
    this.syncTimer.unref();
  }

  private onSyncExpired(generation: number): void {
    this.syncTimer = null;
    if (generation !== this.generationId) return;
    if (this.state !== 'CompletingRebalance' && this.state !== 'Stable') return;
    const laggards = [...this.pendingSync].map((id) => this.members.get(id)).filter((m): m is Member => !!m);
    this.pendingSync.clear();
    if (laggards.length === 0) return;
    for (const m of laggards) this.removeMember(m, ErrorCode.UNKNOWN_MEMBER_ID);
    this.afterMemberRemoved();
  }

  /**
   * The protocol for the next generation: among those every member supports, the one most members prefer
   * (each votes for the first candidate in its own list). Ties go to the leader's preference.
   */
  private selectProtocol(): string {
    const all = [...this.members.values()];
    const candidates = new Set(
      all[0].protocols.map((p) => p.name).filter((name) => all.every((m) => m.supports(name))),
    );
    const leader = (this.leaderId && this.members.get(this.leaderId)) || all[0];
    // Cannot happen (every join is checked against the members), but never leave a generation without one.
    if (candidates.size === 0) return leader.protocols[0]?.name ?? '';
    const votes = new Map<string, number>();
    for (const m of all) {
      const v = m.vote(candidates);
      if (v !== undefined) votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const p of leader.protocols) {
      const n = votes.get(p.name) ?? (candidates.has(p.name) ? 0 : -1);
      if (n > bestVotes) {
        best = p.name;
        bestVotes = n;
      }
    }
    return best;
  }

  /**
   * Kafka's supportsProtocols: a group with members only admits a member of the same protocol type that
   * shares at least one protocol with all of them (a rejoining member is not compared with itself).
   */
  private supportsProtocols(
    protocolType: string,
    req: { protocols: Array<{ name: string }> },
    memberId: string,
  ): boolean {
    if (!protocolType || req.protocols.length === 0) return false;
    const others = [...this.members.values()].filter((m) => m.memberId !== memberId);
    if (others.length === 0) return true;
    if (protocolType !== this.protocolType) return false;
    return req.protocols.some((p) => others.every((m) => m.supports(p.name)));
  }

  private maxRebalanceTimeout(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  private setRebalanceTimer(ms: number, fn: () => void): void {
    this.clearRebalanceTimer();
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = null;
      fn();
    }, ms);
    this.rebalanceTimer.unref();
  }

  private clearRebalanceTimer(): void {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = null;
  }

  private clearSyncTimer(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }

  // ------------------------------------------------------------------------------------------ membership

  /** Takes a member out without any state transition; parked requests get `code`. */
  private removeMember(m: Member, code: number): void {
    m.stopSession();
    m.answerJoin(() => joinError(code, m.memberId));
    m.answerSync(() => syncResponse(code));
    this.members.delete(m.memberId);
    this.pendingSync.delete(m.memberId);
    if (this.leaderId === m.memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** What losing a member means in each state. */
  private afterMemberRemoved(): void {
    switch (this.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance();
        return;
      case 'PreparingRebalance':
        this.tryCompleteJoin();
        return;
      default:
        return;
    }
  }

  private onSessionExpired(m: Member): void {
    if (this.members.get(m.memberId) !== m) return;
    // A member parked in a JoinGroup or SyncGroup is waiting on us, not dead: keep it (Kafka's
    // shouldKeepAlive). The rebalance and sync timeouts bound how long that can last.
    if (m.joinWaiter || m.syncWaiter) {
      m.touch();
      return;
    }
    this.removeMember(m, ErrorCode.UNKNOWN_MEMBER_ID);
    this.afterMemberRemoved();
  }

  private staticOwner(instanceId: string): Member | undefined {
    for (const m of this.members.values()) if (m.groupInstanceId === instanceId) return m;
    return undefined;
  }

  /** A request naming an instance id that now belongs to another member comes from a fenced incarnation. */
  private isFenced(memberId: string, instanceId: string | null): boolean {
    if (instanceId === null) return false;
    const owner = this.staticOwner(instanceId);
    return owner !== undefined && owner.memberId !== memberId;
  }

  // ------------------------------------------------------------------------------------------- SyncGroup

  sync(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const fail = (code: number) => Promise.resolve(syncResponse(code));
    if (this.isFenced(req.memberId, req.groupInstanceId)) return fail(ErrorCode.FENCED_INSTANCE_ID);
    const m = this.members.get(req.memberId);
    if (!m) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== this.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    // SyncGroup v5 names the protocol the member joined with; Kafka refuses one that is not the group's
    const protocolDiffers =
      (req.protocolType !== null && req.protocolType !== this.protocolType) ||
      (req.protocolName !== null && req.protocolName !== this.protocolName);
    if (protocolDiffers) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    switch (this.state) {
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'CompletingRebalance': {
        m.touch();
        m.answerSync(() => syncResponse(ErrorCode.REBALANCE_IN_PROGRESS)); // a superseded duplicate
        const answer = new Promise<SyncGroupResponse>((resolve) => (m.syncWaiter = resolve));
        this.synced(m.memberId);
        if (m.memberId === this.leaderId) this.installAssignment(req.assignments);
        return answer;
      }
      case 'Stable':
        m.touch();
        this.synced(m.memberId);
        return Promise.resolve(this.syncAnswer(m));
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private synced(memberId: string): void {
    this.pendingSync.delete(memberId);
    if (this.pendingSync.size === 0) this.clearSyncTimer();
  }

  /** The leader's assignment: store it, go Stable, and answer every parked SyncGroup. */
  private installAssignment(assignments: SyncGroupRequest['assignments']): void {
    const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of this.members.values()) {
      const a = given.get(m.memberId);
      m.assignment = a ?? (this.protocolType === CONSUMER_PROTOCOL_TYPE ? emptyConsumerAssignment() : EMPTY_BYTES);
    }
    this.state = 'Stable';
    // as Kafka stores the group at the leader's SyncGroup: the record now holds the assignments
    this.hooks.onGroupChange(this);
    for (const m of this.members.values()) m.answerSync(() => this.syncAnswer(m));
  }

  private syncAnswer(m: Member): SyncGroupResponse {
    return syncResponse(ErrorCode.NONE, m.assignment, {
      protocolType: this.protocolType,
      protocolName: this.protocolName,
    });
  }

  // ------------------------------------------------------------------------------------------- Heartbeat

  heartbeat(req: HeartbeatRequest): number {
    if (this.isFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const m = this.members.get(req.memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    m.touch();
    // Members learn of a rebalance from their heartbeat, and rejoin.
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  // ------------------------------------------------------------------------------------------ LeaveGroup

  /** One member leaving (by member id, or by instance id for a static member); returns its error code. */
  leave(memberId: string, instanceId: string | null): number {
    let m: Member | undefined;
    if (instanceId !== null) {
      m = this.staticOwner(instanceId);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (memberId !== '' && m.memberId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    } else {
      const pendingTimer = this.pending.get(memberId);
      if (pendingTimer) {
        clearTimeout(pendingTimer);
        this.pending.delete(memberId);
        if (this.state === 'PreparingRebalance') this.tryCompleteJoin();
        else if (this.state === 'Empty') this.hooks.onIdle(this);
        return ErrorCode.NONE;
      }
      m = this.members.get(memberId);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    this.removeMember(m, ErrorCode.UNKNOWN_MEMBER_ID);
    this.afterMemberRemoved();
    return ErrorCode.NONE;
  }

  // ---------------------------------------------------------------------------------------- OffsetCommit

  /**
   * May this request commit offsets? A request with no generation, member or instance id is a "simple"
   * commit (a client using Kafka only to store offsets, e.g. librdkafka's assign() or an admin tool) and is
   * allowed only while the group has no members. Otherwise it must come from a current member; commits
   * during PreparingRebalance are fine (consumers commit before rejoining), but not while the new
   * generation's assignment is still being handed out.
   */
  validateCommit(generationId: number, memberId: string, instanceId: string | null): number {
    let m: Member | undefined;
    if (generationId >= 0 || memberId !== '' || instanceId !== null) {
      if (this.isFenced(memberId, instanceId)) return ErrorCode.FENCED_INSTANCE_ID;
      m = this.members.get(memberId);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (this.state !== 'Empty') {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    m?.touch();
    return ErrorCode.NONE;
  }

  /**
   * TxnOffsetCommit's check (Kafka's doTxnCommitOffsets): a member id or generation, when given, must be this
   * group's; without them (v0-v2, or a producer outside the group) the commit is accepted in any state.
   */
  validateTxnCommit(generationId: number, memberId: string, instanceId: string | null): number {
    if (this.isFenced(memberId, instanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (memberId !== '' && !this.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId >= 0 && generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  // -------------------------------------------------------------------------------------------- describe

  /**
   * Topics the members subscribe to (from their consumer-protocol metadata); null if the group does not
   * speak the consumer protocol or some metadata cannot be read, i.e. "unknown".
   */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      // Every protocol a member offers, not only the chosen one: a member that joined during a rebalance
      // may not offer the previous generation's protocol, and over-approximating errs on the safe side.
      for (const p of m.protocols) {
        const t = subscribedTopics(p.metadata);
        if (t === null) return null;
        for (const name of t) topics.add(name);
      }
    }
    return topics;
  }

  /** DescribeGroups: as Kafka, metadata and assignments only while Stable. */
  describe(includeAuthorizedOperations: boolean): DescribeGroupsResponse['groups'][number] {
    const stable = this.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId: this.groupId,
      groupState: this.state,
      protocolType: this.protocolType ?? '',
      protocolData: stable ? (this.protocolName ?? '') : '',
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(this.protocolName) : EMPTY_BYTES,
        memberAssignment: stable ? m.assignment : EMPTY_BYTES,
      })),
      // No ACLs here: everything a group allows (READ 3, DELETE 6, DESCRIBE 8) is allowed.
      authorizedOperations: includeAuthorizedOperations ? (1 << 3) | (1 << 6) | (1 << 8) : -2147483648,
    };
  }

  /** Stops every timer and answers every parked request with `code` (coordinator shutdown or deletion). */
  shutdown(code: number): void {
    this.clearRebalanceTimer();
    this.clearSyncTimer();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const m of this.members.values()) {
      m.stopSession();
      m.answerJoin(() => joinError(code, m.memberId));
      m.answerSync(() => syncResponse(code));
    }
  }
}

/** What a member's JoinGroup says about it: protocols, timeouts, and the connection it came on. */
function updateMember(m: Member, req: JoinGroupRequest, version: number, ctx: ConnectionContext): void {
  m.protocols = req.protocols;
  m.protocolType = req.protocolType;
  m.sessionTimeoutMs = req.sessionTimeoutMs;
  m.rebalanceTimeoutMs = rebalanceTimeoutOf(req, version);
  m.clientId = ctx.clientId;
  m.clientHost = ctx.clientHost;
}

/** v0 has no rebalance timeout: the session timeout serves as both (as Kafka does). */
function rebalanceTimeoutOf(req: JoinGroupRequest, version: number): number {
  const t = req.rebalanceTimeoutMs;
  return version >= 1 && t > 0 ? t : req.sessionTimeoutMs;
}
