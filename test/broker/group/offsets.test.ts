// Committed offsets and the admin APIs: commit/fetch, simple commits, describe/list/delete, OffsetDelete.

import { SYSTEM_CLOCK } from '../../../src/broker/clock.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAll,
  coordinator,
  ctxA,
  ctxB,
  describeReq,
  joinReq,
  leaveReq,
  memberIdFor,
  stableGroup,
  subscription,
} from './helpers.js';
import type { OffsetCommitRequest } from '../../../src/protocol/messages/index.js';

afterEach(closeAll);

function commitReq(
  over: Partial<OffsetCommitRequest>,
  partitions: Array<[string, number, number, string | null]>,
): OffsetCommitRequest {
  const topics = new Map<string, OffsetCommitRequest['topics'][number]>();
  for (const [name, partitionIndex, committedOffset, committedMetadata] of partitions) {
    if (!topics.has(name)) topics.set(name, { name, partitions: [] });
    topics.get(name)!.partitions.push({
      partitionIndex,
      committedOffset,
      committedLeaderEpoch: -1,
      commitTimestamp: -1,
      committedMetadata,
    });
  }
  return {
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [...topics.values()],
    ...over,
  };
}

describe('offset commit and fetch', () => {
  it('round-trips offsets with metadata and leader epoch for a group member', async () => {
    // commit timestamps frozen; sessions on real time
    const clock = { ...SYSTEM_CLOCK, now: () => 1_700_000_000_000 };
    const c = coordinator({ clock });
    const { ids, generationId } = await stableGroup(c, 1);
    const req = commitReq({ generationIdOrMemberEpoch: generationId, memberId: ids[0] }, [
      ['t', 0, 42, 'meta-0'],
      ['t', 1, 7, null],
      ['u', 3, 100, '{"by":"test"}'],
    ]);
    req.topics[0].partitions[0].committedLeaderEpoch = 5;
    expect(c.offsetCommit(req, 7)).toEqual({
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 1, errorCode: 0 },
          ],
        },
        { name: 'u', partitions: [{ partitionIndex: 3, errorCode: 0 }] },
      ],
    });
    const f = c.offsetFetch(
      {
        groupId: 'g',
        topics: [
          { name: 'u', partitionIndexes: [3] },
          { name: 't', partitionIndexes: [0, 1, 2] },
        ],
      },
      5,
    );
    expect(f).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [
        {
          name: 'u',
          partitions: [
            {
              partitionIndex: 3,
              committedOffset: 100,
              committedLeaderEpoch: -1,
              metadata: '{"by":"test"}',
              errorCode: 0,
            },
          ],
        },
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 5, metadata: 'meta-0', errorCode: 0 },
            { partitionIndex: 1, committedOffset: 7, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
            // never committed: still answered, with -1
            { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
      ],
    });
    // null topics: everything the group committed, sorted
    const all = c.offsetFetch({ groupId: 'g', topics: null }, 2);
    expect(all.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([
      [
        't',
        [
          [0, 42],
          [1, 7],
        ],
      ],
      ['u', [[3, 100]]],
    ]);
    // a later commit replaces the earlier one
    c.offsetCommit(
      commitReq({ generationIdOrMemberEpoch: generationId, memberId: ids[0] }, [['t', 0, 50, 'later']]),
      2,
    );
    expect(
      c.offsetFetch({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }, 1).topics[0].partitions[0],
    ).toMatchObject({ committedOffset: 50, metadata: 'later' });
  });

  it('answers every requested partition of an unknown group with -1 and no error', () => {
    const c = coordinator();
    expect(c.offsetFetch({ groupId: 'nobody', topics: [{ name: 't', partitionIndexes: [0, 1] }] }, 1)).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
            { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
      ],
    });
    expect(c.offsetFetch({ groupId: 'nobody', topics: null }, 4).topics).toEqual([]);
    expect(c.describeGroups(describeReq({ groups: ['nobody'] }), 0).groups[0].groupState).toBe('Dead'); // fetching creates nothing
  });

  it('a simple commit (generation -1, no member) creates an Empty group', () => {
    const c = coordinator();
    expect(
      c.offsetCommit(commitReq({ groupId: 'tool' }, [['t', 0, 9, 'x']]), 2).topics[0].partitions[0].errorCode,
    ).toBe(0);
    // v0 has no generation at all
    expect(
      c.offsetCommit(commitReq({ groupId: 'old' }, [['t', 0, 3, null]]), 0).topics[0].partitions[0].errorCode,
    ).toBe(0);
    const d = c.describeGroups(describeReq({ groups: ['tool', 'old'] }), 0).groups;
    expect(d.map((g) => [g.groupId, g.groupState, g.protocolType, g.members.length])).toEqual([
      ['tool', 'Empty', '', 0],
      ['old', 'Empty', '', 0],
    ]);
    expect(
      c
        .listGroups({}, 2)
        .groups.map((g) => g.groupId)
        .sort(),
    ).toEqual(['old', 'tool']);
    expect(
      c.offsetFetch({ groupId: 'tool', topics: [{ name: 't', partitionIndexes: [0] }] }, 1).topics[0].partitions[0],
    ).toMatchObject({ committedOffset: 9, metadata: 'x' });
    // v1 carries its own commit timestamp; the wire answer does not show it but it must not be refused
    const v1 = commitReq({ groupId: 'tool' }, [['t', 1, 1, '']]);
    v1.topics[0].partitions[0].commitTimestamp = 123;
    expect(c.offsetCommit(v1, 1).topics[0].partitions[0].errorCode).toBe(0);
    // a commit from a generation to a group that does not exist is refused and creates nothing
    expect(
      c.offsetCommit(commitReq({ groupId: 'gone', generationIdOrMemberEpoch: 3, memberId: 'm' }, [['t', 0, 1, '']]), 2)
        .topics[0].partitions[0].errorCode,
    ).toBe(22);
    expect(c.describeGroups(describeReq({ groups: ['gone'] }), 0).groups[0].groupState).toBe('Dead');
  });

  it('checks member, generation and state of an active group', async () => {
    const c = coordinator();
    const { ids } = await stableGroup(c, 2);
    const code = (over: Partial<OffsetCommitRequest>) =>
      c.offsetCommit(commitReq(over, [['t', 0, 1, '']]), 2).topics[0].partitions[0].errorCode;
    expect(code({})).toBe(25); // a simple commit to an active group
    expect(code({ generationIdOrMemberEpoch: 1, memberId: 'stranger' })).toBe(25);
    expect(code({ generationIdOrMemberEpoch: 0, memberId: ids[0] })).toBe(22);
    expect(code({ generationIdOrMemberEpoch: 1, memberId: ids[0] })).toBe(0);
    // PreparingRebalance: members still commit what they processed before rejoining
    const rejoin = c.joinGroup(
      joinReq({ memberId: ids[0], protocols: [{ name: 'range', metadata: subscription(['z']) }] }),
      5,
      ctxA,
    );
    expect(code({ generationIdOrMemberEpoch: 1, memberId: ids[1] })).toBe(0);
    const other = c.joinGroup(joinReq({ memberId: ids[1] }), 5, ctxB);
    await Promise.all([rejoin, other]);
    // CompletingRebalance: not until the new assignment is known
    expect(code({ generationIdOrMemberEpoch: 2, memberId: ids[1] })).toBe(27);
    // metadata beyond offset.metadata.max.bytes
    const big = c.offsetCommit(
      commitReq({ groupId: 'solo' }, [
        ['t', 0, 1, 'x'.repeat(5000)],
        ['t', 1, 1, 'ok'],
      ]),
      2,
    );
    expect(big.topics[0].partitions.map((p) => p.errorCode)).toEqual([12, 0]);
  });

  it('refuses commits for partitions that do not exist when told which exist', () => {
    const c = coordinator({ partitionExists: (topic, p) => topic === 't' && p < 2 });
    const r = c.offsetCommit(
      commitReq({}, [
        ['t', 0, 1, ''],
        ['t', 5, 1, ''],
        ['nope', 0, 1, ''],
      ]),
      2,
    );
    expect(r.topics.map((t) => t.partitions.map((p) => p.errorCode))).toEqual([[0, 3], [3]]);
  });

  it("topicDeleted drops that topic's offsets in every group", () => {
    const c = coordinator();
    c.offsetCommit(
      commitReq({ groupId: 'g1' }, [
        ['t', 0, 1, ''],
        ['keep', 0, 2, ''],
      ]),
      2,
    );
    c.offsetCommit(commitReq({ groupId: 'g2' }, [['t', 1, 3, '']]), 2);
    c.topicDeleted('t');
    expect(c.offsetFetch({ groupId: 'g1', topics: null }, 2).topics.map((t) => t.name)).toEqual(['keep']);
    expect(
      c.offsetFetch({ groupId: 'g2', topics: [{ name: 't', partitionIndexes: [1] }] }, 2).topics[0].partitions[0]
        .committedOffset,
    ).toBe(-1);
  });
});

describe('describe, list, delete', () => {
  it('describes unknown groups as Dead, lists groups, deletes only Empty groups', async () => {
    const c = coordinator();
    const d = c.describeGroups(describeReq({ groups: ['nope'] }), 3).groups[0];
    expect(d).toEqual({
      errorCode: 0,
      groupId: 'nope',
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
      authorizedOperations: -2147483648,
    });
    await stableGroup(c, 2, { groupId: 'active' });
    c.offsetCommit(commitReq({ groupId: 'idle' }, [['t', 0, 5, '']]), 2);

    expect(c.listGroups({}, 0)).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [
        { groupId: 'active', protocolType: 'consumer' },
        { groupId: 'idle', protocolType: '' },
      ],
    });

    const ad = c.describeGroups(describeReq({ groups: ['active'], includeAuthorizedOperations: true }), 3).groups[0];
    expect(ad.groupState).toBe('Stable');
    expect(ad.members).toHaveLength(2);
    expect(ad.authorizedOperations).not.toBe(-2147483648);

    expect(c.deleteGroups({ groupsNames: ['active', 'idle', 'nope', ''] }, 1)).toEqual({
      throttleTimeMs: 0,
      results: [
        { groupId: 'active', errorCode: 68 },
        { groupId: 'idle', errorCode: 0 },
        { groupId: 'nope', errorCode: 69 },
        { groupId: '', errorCode: 24 },
      ],
    });
    expect(c.describeGroups(describeReq({ groups: ['idle'] }), 0).groups[0].groupState).toBe('Dead');
    expect(
      c.offsetFetch({ groupId: 'idle', topics: [{ name: 't', partitionIndexes: [0] }] }, 1).topics[0].partitions[0]
        .committedOffset,
    ).toBe(-1);
    expect(c.listGroups({}, 0).groups.map((g) => g.groupId)).toEqual(['active']);
  });

  it('OffsetDelete refuses topics an active group consumes and deletes the others', async () => {
    const c = coordinator();
    const over = { protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] };
    const { ids, generationId } = await stableGroup(c, 1, over);
    c.offsetCommit(
      commitReq({ generationIdOrMemberEpoch: generationId, memberId: ids[0] }, [
        ['t', 0, 1, ''],
        ['old', 0, 2, ''],
        ['old', 1, 3, ''],
      ]),
      2,
    );
    const r = c.offsetDelete(
      {
        groupId: 'g',
        topics: [
          { name: 't', partitions: [{ partitionIndex: 0 }] },
          { name: 'old', partitions: [{ partitionIndex: 0 }] },
        ],
      },
      0,
    );
    expect(r).toEqual({
      errorCode: 0,
      throttleTimeMs: 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, errorCode: 86 }] },
        { name: 'old', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
      ],
    });
    const left = c
      .offsetFetch({ groupId: 'g', topics: null }, 2)
      .topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]);
    expect(left).toEqual([
      ['old', [1]],
      ['t', [0]],
    ]);
    expect(c.offsetDelete({ groupId: 'nope', topics: [] }, 0).errorCode).toBe(69);

    // once Empty, anything goes
    c.leaveGroup(leaveReq({ groupId: 'g', memberId: ids[0] }), 0);
    const r2 = c.offsetDelete({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] }, 0);
    expect(r2.topics[0].partitions[0].errorCode).toBe(0);
    expect(c.offsetFetch({ groupId: 'g', topics: null }, 2).topics.map((t) => t.name)).toEqual(['old']);
  });

  it('a member id handed out but unused keeps its group listed until it expires', async () => {
    const c = coordinator();
    await memberIdFor(c, ctxA, { groupId: 'soon', sessionTimeoutMs: 5000 });
    expect(c.describeGroups(describeReq({ groups: ['soon'] }), 0).groups[0].groupState).toBe('Empty');
  });
});
