// One member of a classic group: what it sent in its last JoinGroup, its assignment, the JoinGroup/SyncGroup
// it is waiting on (if any), and its session timer.

import { SYSTEM_CLOCK, type BrokerClock, type ClockTimer } from '../clock.js';
import type { JoinGroupRequest, JoinGroupResponse, SyncGroupResponse } from '../../protocol/messages/index.js';

/** A protocol a member offers in JoinGroup (e.g. "range"), with its metadata (for "consumer": its subscription). */
export type JoinGroupProtocol = JoinGroupRequest['protocols'][number];

/** Resolves a JoinGroup or SyncGroup parked until the rebalance gets there. */
export type Waiter<T> = (response: T) => void;

export const EMPTY_BYTES = Buffer.alloc(0);

export class Member {
  assignment: Buffer = EMPTY_BYTES;
  joinWaiter: Waiter<JoinGroupResponse> | null = null;
  syncWaiter: Waiter<SyncGroupResponse> | null = null;
  private timer: ClockTimer | null = null;
  private timerMs = 0;

  constructor(
    readonly memberId: string,
    public groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocolType: string,
    public protocols: JoinGroupProtocol[],
    /** called when the session timer runs out; the group decides whether that evicts the member */
    private readonly onSessionExpired: (m: Member) => void,
    /** whose time the session runs on (a test's manual clock, or real time) */
    private readonly clock: BrokerClock = SYSTEM_CLOCK,
  ) {}

  /** The member's metadata for a protocol (empty if it does not support it). */
  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY_BYTES;
  }

  supports(protocol: string): boolean {
    return this.protocols.some((p) => p.name === protocol);
  }

  /** Same protocols, in the same order, with the same metadata: a rejoin that changes nothing. */
  matches(protocols: JoinGroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata))
    );
  }

  /** The member's most preferred protocol among the candidates (its list is in preference order). */
  vote(candidates: Set<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name;
  }

  /**
   * (Re)starts the session timer: every heartbeat, join, sync and commit proves the member alive. Timers never
   * keep a process alive on their own.
   */
  touch(): void {
    if (this.timer && this.timerMs === this.sessionTimeoutMs) {
      this.timer.refresh();
      return;
    }
    this.stopSession();
    this.timerMs = this.sessionTimeoutMs;
    this.timer = this.clock.timer(this.sessionTimeoutMs, () => {
      this.timer = null;
      this.onSessionExpired(this);
    });
  }

  stopSession(): void {
    this.timer?.clear();
    this.timer = null;
  }

  /** Answers the JoinGroup the member is waiting on, if any. */
  answerJoin(make: () => JoinGroupResponse): void {
    const w = this.joinWaiter;
    this.joinWaiter = null;
    w?.(make());
  }

  /** Answers the SyncGroup the member is waiting on, if any. */
  answerSync(make: () => SyncGroupResponse): void {
    const w = this.syncWaiter;
    this.syncWaiter = null;
    w?.(make());
  }
}
