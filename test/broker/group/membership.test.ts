// Group membership: joins, syncs, leaves, heartbeats, session and rebalance timeouts, against the
// coordinator directly with real (short) timers, or a manual clock where a test asserts when a session ends.

import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAll,
  coordinator,
  ctxA,
  ctxB,
  ctxC,
  describeReq,
  heartbeatReq,
  isPending,
  joinReq,
  listReq,
  leaveReq,
  memberIdFor,
  stableGroup,
  subscription,
  syncReq,
} from './helpers.js';
import { sleep } from '../../../src/common/time.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

afterEach(closeAll);

describe('joining', () => {
  it('two members: MEMBER_ID_REQUIRED dance, one generation, only the leader gets the members, followers get their assignment after the leader syncs', async () => {
    const c = coordinator();
    const r1 = await c.joinGroup(joinReq(), 5, ctxA);
    expect(r1.errorCode).toBe(79);
    expect(r1.memberId).toMatch(/^client-a-[0-9a-f-]{36}$/);
    expect(r1.generationId).toBe(-1);
    const r2 = await c.joinGroup(
      joinReq({ protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] }),
      4,
      ctxB,
    );
    expect(r2.errorCode).toBe(79);
    expect(r2.memberId).toMatch(/^client-b-/);

    // A pending member (B) holds the rebalance until it joins with its id.
    const p1 = c.joinGroup(joinReq({ memberId: r1.memberId }), 5, ctxA);
    expect(await isPending(p1)).toBe(true);
    expect(c.describeGroups(describeReq({ groups: ['g'] }), 0).groups[0].groupState).toBe('PreparingRebalance');
    const p2 = c.joinGroup(
      joinReq({ memberId: r2.memberId, protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] }),
      4,
      ctxB,
    );
    const [j1, j2] = await Promise.all([p1, p2]);

    for (const j of [j1, j2]) {
      expect(j.errorCode).toBe(0);
      expect(j.generationId).toBe(1);
      expect(j.protocolName).toBe('range');
      expect(j.leader).toBe(r1.memberId);
    }
    expect(j1.memberId).toBe(r1.memberId);
    expect(j2.memberId).toBe(r2.memberId);
    expect(j1.members).toEqual([
      { memberId: r1.memberId, groupInstanceId: null, metadata: subscription(['t']) },
      { memberId: r2.memberId, groupInstanceId: null, metadata: subscription(['t', 'u']) },
    ]);
    expect(j2.members).toEqual([]);
    expect(c.describeGroups(describeReq({ groups: ['g'] }), 0).groups[0].groupState).toBe('CompletingRebalance');

    // The follower's SyncGroup waits for the leader's.
    const s2 = c.syncGroup(syncReq({ groupId: 'g', generationId: 1, memberId: r2.memberId, assignments: [] }), 3);
    expect(await isPending(s2)).toBe(true);
    const s1 = await c.syncGroup(
      syncReq({
        groupId: 'g',
        generationId: 1,
        memberId: r1.memberId,
        assignments: [
          { memberId: r1.memberId, assignment: Buffer.from('A') },
          { memberId: r2.memberId, assignment: Buffer.from('B') },
        ],
      }),
      3,
    );
    expect(s1).toMatchObject({ errorCode: 0, assignment: Buffer.from('A') });
    expect(await s2).toMatchObject({ errorCode: 0, assignment: Buffer.from('B') });

    const d = c.describeGroups(describeReq({ groups: ['g'] }), 4).groups[0];
    expect(d).toMatchObject({
      errorCode: 0,
      groupId: 'g',
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
    });
    expect(d.members).toEqual([
      {
        memberId: r1.memberId,
        groupInstanceId: null,
        clientId: 'client-a',
        clientHost: '/127.0.0.1',
        memberMetadata: subscription(['t']),
        memberAssignment: Buffer.from('A'),
      },
      {
        memberId: r2.memberId,
        groupInstanceId: null,
        clientId: 'client-b',
        clientHost: '/127.0.0.2',
        memberMetadata: subscription(['t', 'u']),
        memberAssignment: Buffer.from('B'),
      },
    ]);

    // A late SyncGroup in Stable gets its assignment at once.
    expect(
      await c.syncGroup(syncReq({ groupId: 'g', generationId: 1, memberId: r2.memberId, assignments: [] }), 3),
    ).toMatchObject({ errorCode: 0, assignment: Buffer.from('B') });
  });

  it('three members; one left out of the leader assignment gets an empty consumer assignment', async () => {
    const c = coordinator();
    const ids = [await memberIdFor(c, ctxA), await memberIdFor(c, ctxB), await memberIdFor(c, ctxC)];
    const joins = await Promise.all(
      ids.map((memberId, i) => c.joinGroup(joinReq({ memberId }), 5, [ctxA, ctxB, ctxC][i])),
    );
    expect(joins.map((j) => j.generationId)).toEqual([1, 1, 1]);
    expect(joins.map((j) => j.members.length)).toEqual([3, 0, 0]);
    expect(joins.every((j) => j.leader === ids[0])).toBe(true);
    const syncs = Promise.all([
      c.syncGroup(syncReq({ groupId: 'g', generationId: 1, memberId: ids[1], assignments: [] }), 3),
      c.syncGroup(syncReq({ groupId: 'g', generationId: 1, memberId: ids[2], assignments: [] }), 3),
    ]);
    await c.syncGroup(
      syncReq({
        groupId: 'g',
        generationId: 1,
        memberId: ids[0],
        assignments: [{ memberId: ids[1], assignment: Buffer.from('x') }],
      }),
      3,
    );
    const [s1, s2] = await syncs;
    expect(s1.assignment).toEqual(Buffer.from('x'));
    // version 0, no topics, null user data: decodable by every client, unlike zero bytes
    expect(s2.assignment).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]));
  });

  it('v0-3 join directly; a new member triggers a rebalance the others learn of by heartbeat', async () => {
    const c = coordinator();
    const a = await c.joinGroup(joinReq(), 3, ctxA);
    expect(a).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(a.leader).toBe(a.memberId);
    expect(a.members.map((m) => m.memberId)).toEqual([a.memberId]);
    await c.syncGroup(
      syncReq({
        groupId: 'g',
        generationId: 1,
        memberId: a.memberId,
        assignments: [{ memberId: a.memberId, assignment: Buffer.from('all') }],
      }),
      3,
    );

    const pb = c.joinGroup(joinReq(), 0, ctxB);
    expect(await isPending(pb)).toBe(true);
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: a.memberId }), 3).errorCode).toBe(27);
    const pa = c.joinGroup(joinReq({ memberId: a.memberId }), 3, ctxA);
    const [a2, b] = await Promise.all([pa, pb]);
    expect(a2.generationId).toBe(2);
    expect(b.generationId).toBe(2);
    expect(a2.leader).toBe(a.memberId); // the previous leader stays leader
    expect(a2.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    expect(b.members).toEqual([]);
    // the old generation is over
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: a.memberId }), 3).errorCode).toBe(22);
  });

  it('an initial rebalance delay gathers members that start together into one generation', async () => {
    const c = coordinator({ initialRebalanceDelayMs: 150 });
    const pa = c.joinGroup(joinReq(), 3, ctxA);
    // alone and without the delay, the first would have its answer at once: it waits for the delay instead
    await new Promise((resolve) => setImmediate(resolve));
    expect(await isPending(pa, 0)).toBe(true);
    const pb = c.joinGroup(joinReq(), 3, ctxB);
    const [a, b] = await Promise.all([pa, pb]);
    expect(a.generationId).toBe(1);
    expect(b.generationId).toBe(1);
    expect(a.members).toHaveLength(2);
  });

  it('chooses the protocol all members support that most prefer, and rejects members with none in common', async () => {
    const c = coordinator();
    const md = Buffer.from('m');
    const prefs = [
      [
        { name: 'range', metadata: md },
        { name: 'roundrobin', metadata: md },
      ],
      [
        { name: 'roundrobin', metadata: md },
        { name: 'range', metadata: md },
      ],
      [
        { name: 'sticky', metadata: md },
        { name: 'roundrobin', metadata: md },
        { name: 'range', metadata: md },
      ],
    ];
    const ids = [await memberIdFor(c, ctxA), await memberIdFor(c, ctxB), await memberIdFor(c, ctxC)];
    const joins = await Promise.all(
      ids.map((memberId, i) => c.joinGroup(joinReq({ memberId, protocols: prefs[i] }), 5, ctxA)),
    );
    expect(joins.map((j) => j.protocolName)).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
    expect(joins[0].members[2].metadata).toEqual(md);

    const other = await c.joinGroup(joinReq({ protocols: [{ name: 'cooperative-sticky', metadata: md }] }), 3, ctxA);
    expect(other.errorCode).toBe(23);
    const wrongType = await c.joinGroup(joinReq({ protocolType: 'connect' }), 3, ctxA);
    expect(wrongType.errorCode).toBe(23);
  });

  it('answers join errors: invalid group id, session timeout out of range, unknown member id', async () => {
    const c = coordinator({ minSessionTimeoutMs: 100, maxSessionTimeoutMs: 1000 });
    expect((await c.joinGroup(joinReq({ groupId: '' }), 5, ctxA)).errorCode).toBe(24);
    expect((await c.joinGroup(joinReq({ sessionTimeoutMs: 99 }), 5, ctxA)).errorCode).toBe(26);
    expect((await c.joinGroup(joinReq({ sessionTimeoutMs: 1001 }), 5, ctxA)).errorCode).toBe(26);
    const unknown = await c.joinGroup(joinReq({ memberId: 'nobody' }), 5, ctxA);
    expect(unknown).toMatchObject({ errorCode: 25, memberId: 'nobody', generationId: -1 });
    expect(c.listGroups(listReq(), 0).groups).toEqual([]); // failed joins create nothing
    await stableGroup(c, 1);
    expect((await c.joinGroup(joinReq({ memberId: 'nobody' }), 5, ctxA)).errorCode).toBe(25);
  });

  it('a pending member id that is never used expires after its session timeout, and an unused group goes with it', async () => {
    const c = coordinator();
    const id = await memberIdFor(c, ctxA, { sessionTimeoutMs: 100 });
    expect(c.listGroups(listReq(), 0).groups.map((g) => g.groupId)).toEqual(['g']);
    await sleep(200);
    expect((await c.joinGroup(joinReq({ memberId: id }), 5, ctxA)).errorCode).toBe(25);
    expect(c.describeGroups(describeReq({ groups: ['g'] }), 0).groups[0].groupState).toBe('Dead');
  });
});

describe('static members (KIP-345)', () => {
  const staticJoin = (instance: string, over: Parameters<typeof joinReq>[0] = {}) =>
    joinReq({ groupInstanceId: instance, ...over });

  /** Two static members, a (the leader) and b, Stable with the assignments "for <member id>". */
  // An initial delay gathers both first joins into one generation.
  const staticCoordinator = () => coordinator({ initialRebalanceDelayMs: 50 });

  async function stableStatic(c: ReturnType<typeof coordinator>) {
    const [a, b] = await Promise.all([c.joinGroup(staticJoin('a'), 5, ctxA), c.joinGroup(staticJoin('b'), 5, ctxB)]);
    expect([a.errorCode, b.errorCode, a.generationId, b.generationId]).toEqual([0, 0, 1, 1]);
    const ids = { a: a.memberId, b: b.memberId };
    const leader = a.leader;
    await Promise.all(
      (['a', 'b'] as const).map((k) =>
        c.syncGroup(
          syncReq({
            groupId: 'g',
            generationId: 1,
            memberId: ids[k],
            groupInstanceId: k,
            assignments:
              ids[k] === leader
                ? Object.values(ids).map((id) => ({ memberId: id, assignment: Buffer.from(`for ${id}`) }))
                : [],
          }),
          3,
        ),
      ),
    );
    return { ids, leader };
  }

  it('a restarted member (new member id, same instance id) gets its old assignment back without a rebalance; the old id is fenced', async () => {
    const c = staticCoordinator();
    const { ids, leader } = await stableStatic(c);
    const follower = ids.a === leader ? 'b' : 'a';
    const other = follower === 'a' ? 'b' : 'a';

    const again = await c.joinGroup(staticJoin(follower), 5, ctxC);
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, leader, members: [] });
    expect(again.memberId).not.toBe(ids[follower]);
    // No rebalance: the other member's heartbeat says nothing happened, and the group stays Stable.
    const hb = (memberId: string, instance: string) =>
      c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId, groupInstanceId: instance }), 3).errorCode;
    expect(hb(ids[other], other)).toBe(0);
    expect(c.describeGroups(describeReq({ groups: ['g'] }), 4).groups[0].groupState).toBe('Stable');
    const sync = await c.syncGroup(
      syncReq({ groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: follower, assignments: [] }),
      3,
    );
    expect(sync).toMatchObject({ errorCode: 0, assignment: Buffer.from(`for ${ids[follower]}`) });

    // The old incarnation: fenced everywhere it could still act.
    expect(hb(ids[follower], follower)).toBe(82);
    const oldSync = await c.syncGroup(
      syncReq({ groupId: 'g', generationId: 1, memberId: ids[follower], groupInstanceId: follower, assignments: [] }),
      3,
    );
    expect(oldSync.errorCode).toBe(82);
    const commit = c.offsetCommit(
      {
        groupId: 'g',
        generationIdOrMemberEpoch: 1,
        memberId: ids[follower],
        groupInstanceId: follower,
        retentionTimeMs: -1,
        topics: [
          {
            name: 't',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 5,
                committedLeaderEpoch: -1,
                commitTimestamp: -1,
                committedMetadata: '',
              },
            ],
          },
        ],
      },
      7,
    );
    expect(commit.topics[0].partitions[0].errorCode).toBe(82);
    // DescribeGroups names the instance ids.
    const described = c.describeGroups(describeReq({ groups: ['g'] }), 4).groups[0].members;
    expect(described.map((m) => [m.groupInstanceId, m.memberId]).sort()).toEqual(
      [
        [follower, again.memberId],
        [other, ids[other]],
      ].sort(),
    );
  });

  it('a restarted leader is not told it leads (it would compute an assignment nobody receives); it keeps leading', async () => {
    const c = staticCoordinator();
    const { ids, leader } = await stableStatic(c);
    const leaderKey = ids.a === leader ? 'a' : 'b';
    const again = await c.joinGroup(staticJoin(leaderKey), 5, ctxC);
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, leader, members: [] });
    expect(again.memberId).not.toBe(leader);
    // It is the leader now, under its new id: a later rebalance lists it as such.
    const sync = await c.syncGroup(
      syncReq({ groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: leaderKey, assignments: [] }),
      3,
    );
    expect(sync.assignment).toEqual(Buffer.from(`for ${leader}`));
  });

  it('a restart that changes the group protocol rebalances; one that keeps it does not', async () => {
    const c = staticCoordinator();
    const { ids, leader } = await stableStatic(c);
    expect(leader).toBe(ids.a);
    const both = (first: string, second: string) => [
      { name: first, metadata: subscription(['t']) },
      { name: second, metadata: subscription(['t']) },
    ];
    // b prefers roundrobin, a (the leader) still only knows range: range stays the group's protocol.
    const b = await c.joinGroup(staticJoin('b', { protocols: both('roundrobin', 'range') }), 5, ctxB);
    expect(b).toMatchObject({ errorCode: 0, generationId: 1 });
    // Now both prefer roundrobin: the next generation's protocol changes, so the group rebalances.
    const a = c.joinGroup(staticJoin('a', { protocols: both('roundrobin', 'range') }), 5, ctxA);
    expect(await isPending(a)).toBe(true);
    expect(c.describeGroups(describeReq({ groups: ['g'] }), 4).groups[0].groupState).toBe('PreparingRebalance');
    const rejoinB = await c.joinGroup(
      staticJoin('b', { memberId: b.memberId, protocols: both('roundrobin', 'range') }),
      5,
      ctxB,
    );
    expect(rejoinB).toMatchObject({ errorCode: 0, generationId: 2, protocolName: 'roundrobin' });
    expect((await a).generationId).toBe(2);
  });

  it('an incarnation parked in a JoinGroup is answered FENCED_INSTANCE_ID when another one takes over', async () => {
    const c = staticCoordinator();
    const { ids } = await stableStatic(c);
    // a rejoins with new metadata: a rebalance, in which a waits for b.
    const parked = c.joinGroup(
      staticJoin('a', { memberId: ids.a, protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] }),
      5,
      ctxA,
    );
    expect(await isPending(parked)).toBe(true);
    const dup = c.joinGroup(staticJoin('a'), 5, ctxC);
    expect((await parked).errorCode).toBe(82);
    const jb = await c.joinGroup(staticJoin('b', { memberId: ids.b }), 5, ctxB);
    const jdup = await dup;
    expect([jb.errorCode, jdup.errorCode, jb.generationId, jdup.generationId]).toEqual([0, 0, 2, 2]);
    expect(jdup.memberId).not.toBe(ids.a);
  });

  it('LeaveGroup by instance id (v3+); a wrong member id for the instance is fenced', async () => {
    const c = staticCoordinator();
    const { ids } = await stableStatic(c);
    const leave = (members: Array<{ memberId: string; groupInstanceId: string | null }>) =>
      c.leaveGroup(leaveReq({ groupId: 'g', members }), 3).members.map((m) => m.errorCode);
    expect(leave([{ memberId: 'someone-else', groupInstanceId: 'a' }])).toEqual([82]);
    expect(leave([{ memberId: '', groupInstanceId: 'nobody' }])).toEqual([25]);
    expect(
      leave([
        { memberId: '', groupInstanceId: 'a' },
        { memberId: ids.b, groupInstanceId: 'b' },
      ]),
    ).toEqual([0, 0]);
    expect(c.describeGroups(describeReq({ groups: ['g'] }), 4).groups[0]).toMatchObject({
      groupState: 'Empty',
      members: [],
    });
  });

  it('a static member that never comes back is removed after its session timeout and the group rebalances', async () => {
    const c = staticCoordinator();
    const { ids } = await stableStatic(c);
    // Only b keeps heartbeating; a's session (1 s) runs out.
    let code = 0;
    for (let i = 0; i < 40 && code === 0; i++) {
      await sleep(50);
      code = c.heartbeat(
        heartbeatReq({ groupId: 'g', generationId: 1, memberId: ids.b, groupInstanceId: 'b' }),
        3,
      ).errorCode;
    }
    expect(code).toBe(27); // REBALANCE_IN_PROGRESS
    const rejoin = await c.joinGroup(staticJoin('b', { memberId: ids.b }), 5, ctxB);
    expect(rejoin).toMatchObject({ errorCode: 0, generationId: 2, leader: ids.b });
    expect(rejoin.members.map((m) => m.groupInstanceId)).toEqual(['b']);
  });
});

describe('syncing', () => {
  it('answers sync errors: unknown member, wrong generation, rebalance in progress', async () => {
    const c = coordinator();
    expect(
      (await c.syncGroup(syncReq({ groupId: 'nope', generationId: 1, memberId: 'x', assignments: [] }), 3)).errorCode,
    ).toBe(25);
    const { ids } = await stableGroup(c, 2);
    expect(
      (await c.syncGroup(syncReq({ groupId: 'g', generationId: 1, memberId: 'x', assignments: [] }), 3)).errorCode,
    ).toBe(25);
    expect(
      (await c.syncGroup(syncReq({ groupId: 'g', generationId: 7, memberId: ids[0], assignments: [] }), 3)).errorCode,
    ).toBe(22);
    const rejoin = c.joinGroup(
      joinReq({ memberId: ids[0], protocols: [{ name: 'range', metadata: subscription(['t', 'new']) }] }),
      5,
      ctxA,
    );
    expect(
      (await c.syncGroup(syncReq({ groupId: 'g', generationId: 1, memberId: ids[1], assignments: [] }), 3)).errorCode,
    ).toBe(27);
    c.leaveGroup(leaveReq({ groupId: 'g', members: [{ memberId: ids[1], groupInstanceId: null }] }), 3);
    expect((await rejoin).generationId).toBe(2);
  });

  it('a leader that never syncs is removed after the rebalance timeout; waiting followers get REBALANCE_IN_PROGRESS', async () => {
    const c = coordinator();
    const over = { sessionTimeoutMs: 2000, rebalanceTimeoutMs: 200 };
    const ids = [await memberIdFor(c, ctxA, over), await memberIdFor(c, ctxB, over)];
    const joins = await Promise.all(ids.map((memberId) => c.joinGroup(joinReq({ ...over, memberId }), 5, ctxA)));
    const leader = joins[0].leader;
    const follower = ids.find((id) => id !== leader)!;
    const t0 = Date.now();
    const s = await c.syncGroup(syncReq({ groupId: 'g', generationId: 1, memberId: follower, assignments: [] }), 3);
    expect(s.errorCode).toBe(27);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: leader }), 3).errorCode).toBe(25);
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: follower }), 3).errorCode).toBe(27);
    const j = await c.joinGroup(joinReq({ ...over, memberId: follower }), 5, ctxB);
    expect(j).toMatchObject({ errorCode: 0, generationId: 2, leader: follower });
    expect(j.members.map((m) => m.memberId)).toEqual([follower]);
  });
});

describe('heartbeats and sessions', () => {
  it('answers heartbeat error codes by state', async () => {
    const c = coordinator();
    expect(c.heartbeat(heartbeatReq({ groupId: 'nope', generationId: 1, memberId: 'x' }), 3).errorCode).toBe(25);
    expect(c.heartbeat(heartbeatReq({ groupId: '', generationId: 1, memberId: 'x' }), 3).errorCode).toBe(24);
    const ida = await memberIdFor(c, ctxA);
    const idb = await memberIdFor(c, ctxB);
    const [a] = await Promise.all([
      c.joinGroup(joinReq({ memberId: ida }), 5, ctxA),
      c.joinGroup(joinReq({ memberId: idb }), 5, ctxB),
    ]);
    // CompletingRebalance: heartbeats are fine (members may heartbeat between their join and sync)
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: idb }), 3).errorCode).toBe(0);
    await c.syncGroup(syncReq({ groupId: 'g', generationId: 1, memberId: a.leader, assignments: [] }), 3);
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: ida }), 3).errorCode).toBe(0);
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: 'x' }), 3).errorCode).toBe(25);
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 0, memberId: ida }), 3).errorCode).toBe(22);
    const rejoin = c.joinGroup(
      joinReq({ memberId: ida, protocols: [{ name: 'range', metadata: subscription(['t', 'v']) }] }),
      5,
      ctxA,
    );
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: idb }), 3).errorCode).toBe(27);
    const rejoinB = c.joinGroup(joinReq({ memberId: idb }), 5, ctxB);
    expect((await rejoin).generationId).toBe(2);
    expect((await rejoinB).generationId).toBe(2);
  });

  it('evicts a member that stops heartbeating after its session timeout; the others rebalance without it', async () => {
    // on a manual clock, so the session ends exactly at its deadline whatever the machine's load
    const clock = new ManualClock(1_700_000_000_000);
    const c = coordinator({ clock });
    const over = { sessionTimeoutMs: 500, rebalanceTimeoutMs: 3000 };
    const { ids, leader } = await stableGroup(c, 3, over);
    const [alive1, alive2] = [ids[0], ids[2]];
    const dead = ids[1];
    const beat = (memberId: string) =>
      c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId }), 3).errorCode;
    // two heartbeat every 100 ms, one goes silent (a SIGKILLed consumer): still a member at 499 ms
    for (const step of [100, 100, 100, 100, 99]) {
      clock.advance(step);
      expect([beat(alive1), beat(alive2)]).toEqual([0, 0]);
    }
    // at 500 ms its session has ended: the others are told to rejoin, and it is no longer known
    clock.advance(1);
    expect([beat(alive1), beat(alive2)]).toEqual([27, 27]);
    expect(beat(dead)).toBe(25);

    const [j1, j2] = await Promise.all([
      c.joinGroup(joinReq({ ...over, memberId: alive1 }), 5, ctxA),
      c.joinGroup(joinReq({ ...over, memberId: alive2 }), 5, ctxC),
    ]);
    expect(j1.generationId).toBe(2);
    expect(j2.generationId).toBe(2);
    expect(j1.leader).toBe(leader);
    expect(j1.members.map((m) => m.memberId).sort()).toEqual([alive1, alive2].sort());
  });

  it('removes a member that does not rejoin within the rebalance timeout', async () => {
    const c = coordinator();
    const over = { sessionTimeoutMs: 5000, rebalanceTimeoutMs: 300 };
    const { ids } = await stableGroup(c, 2, over);
    // a fresh turn of the event loop: a timer counts from the loop's cached time, which the work of this turn so
    // far would put before t0, and the timeout would seem to end early
    await new Promise((resolve) => setImmediate(resolve));
    const t0 = Date.now();
    // ids[0] rejoins with a new subscription; ids[1] is alive (its session is long) but never rejoins
    const j = await c.joinGroup(
      joinReq({ ...over, memberId: ids[0], protocols: [{ name: 'range', metadata: subscription(['t2']) }] }),
      5,
      ctxA,
    );
    const took = Date.now() - t0;
    // ended by the rebalance timeout: after it, and before the session timeout that would also remove ids[1]
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(over.sessionTimeoutMs);
    expect(j).toMatchObject({ errorCode: 0, generationId: 2, leader: ids[0] });
    expect(j.members.map((m) => m.memberId)).toEqual([ids[0]]);
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: ids[1] }), 3).errorCode).toBe(25);
  });

  it('does not expire a member parked in a JoinGroup while the rebalance waits for others', async () => {
    // sessions on a manual clock: the heartbeats come every 100 ms exactly, however loaded the machine
    const clock = new ManualClock(1_700_000_000_000);
    const c = coordinator({ clock });
    const over = { sessionTimeoutMs: 300, rebalanceTimeoutMs: 5000 };
    const { ids } = await stableGroup(c, 2, over);
    const parked = c.joinGroup(
      joinReq({ ...over, memberId: ids[0], protocols: [{ name: 'range', metadata: subscription(['x']) }] }),
      5,
      ctxA,
    );
    // ids[1] heartbeats on, and rejoins only after several of ids[0]'s session timeouts
    for (let i = 0; i < 10; i++) {
      expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: ids[1] }), 3).errorCode).toBe(27);
      clock.advance(100);
    }
    const [j0, j1] = await Promise.all([parked, c.joinGroup(joinReq({ ...over, memberId: ids[1] }), 5, ctxB)]);
    expect(j0).toMatchObject({ errorCode: 0, generationId: 2 });
    expect(j1).toMatchObject({ errorCode: 0, generationId: 2 });
    expect(j0.members.length + j1.members.length).toBe(2);
  });
});

describe('leaving', () => {
  it('a leave (v3 batch) triggers a rebalance with a new generation; the last leave empties the group', async () => {
    const c = coordinator();
    const { ids } = await stableGroup(c, 2);
    const r = c.leaveGroup(
      leaveReq({
        groupId: 'g',
        members: [
          { memberId: ids[1], groupInstanceId: null },
          { memberId: 'ghost', groupInstanceId: null },
        ],
      }),
      3,
    );
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      members: [
        { memberId: ids[1], groupInstanceId: null, errorCode: 0 },
        { memberId: 'ghost', groupInstanceId: null, errorCode: 25 },
      ],
    });
    expect(c.heartbeat(heartbeatReq({ groupId: 'g', generationId: 1, memberId: ids[0] }), 3).errorCode).toBe(27);
    const j = await c.joinGroup(joinReq({ memberId: ids[0] }), 5, ctxA);
    expect(j).toMatchObject({ errorCode: 0, generationId: 2, leader: ids[0] });
    expect(j.members.map((m) => m.memberId)).toEqual([ids[0]]);
    await c.syncGroup(syncReq({ groupId: 'g', generationId: 2, memberId: ids[0], assignments: [] }), 3);

    // v0-2: a single member id, its error at the top
    expect(c.leaveGroup(leaveReq({ groupId: 'g', memberId: 'ghost' }), 1)).toMatchObject({ errorCode: 25 });
    expect(c.leaveGroup(leaveReq({ groupId: 'g', memberId: ids[0] }), 1)).toMatchObject({ errorCode: 0 });
    const d = c.describeGroups(describeReq({ groups: ['g'] }), 0).groups[0];
    expect(d.groupState).toBe('Empty');
    expect(d.members).toEqual([]);
    expect(c.leaveGroup(leaveReq({ groupId: 'unknown', memberId: 'x' }), 0).errorCode).toBe(25);
  });

  it('a member leaving while others are parked in JoinGroup lets the rebalance complete', async () => {
    const c = coordinator();
    const { ids } = await stableGroup(c, 2, { rebalanceTimeoutMs: 10_000 });
    const parked = c.joinGroup(
      joinReq({
        memberId: ids[0],
        rebalanceTimeoutMs: 10_000,
        protocols: [{ name: 'range', metadata: subscription(['q']) }],
      }),
      5,
      ctxA,
    );
    expect(await isPending(parked)).toBe(true);
    c.leaveGroup(leaveReq({ groupId: 'g', memberId: ids[1] }), 0);
    expect(await parked).toMatchObject({ errorCode: 0, generationId: 2 });
  });
});
