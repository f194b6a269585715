// groups.log: offsets and group metadata survive a restart; a torn tail is cut off; compaction keeps the
// latest values.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../../../src/broker/group/coordinator.js';
import { OffsetStore } from '../../../src/broker/group/offset-store.js';
import { frame, parseFrames } from '../../../src/broker/group/record-log.js';
import type { FsyncPolicy } from '../../../src/broker/log/partition-log.js';
import type { OffsetCommitRequest } from '../../../src/protocol/messages/index.js';
import { closeAll, ctxA, describeReq, fetchReq, joinReq, listReq, stableGroup, tempDir } from './helpers.js';

afterEach(closeAll);

const open: GroupCoordinator[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function persistent(
  dataDir: string,
  fsync: FsyncPolicy = 'always',
  extra: Partial<ConstructorParameters<typeof GroupCoordinator>[0]> = {},
) {
  const c = new GroupCoordinator({ dataDir, fsync, minSessionTimeoutMs: 10, initialRebalanceDelayMs: 0, ...extra });
  open.push(c);
  return c;
}

/** A simple commit (no generation, no member) of one offset, unless `over` says otherwise. */
function commitReq(
  groupId: string,
  topic: string,
  partition: number,
  offset: number,
  metadata: string,
  over: Partial<OffsetCommitRequest> = {},
): OffsetCommitRequest {
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [
      {
        name: topic,
        partitions: [
          {
            partitionIndex: partition,
            committedOffset: offset,
            committedLeaderEpoch: 2,
            commitTimestamp: -1,
            committedMetadata: metadata,
          },
        ],
      },
    ],
    ...over,
  };
}

function commit(
  c: GroupCoordinator,
  groupId: string,
  topic: string,
  partition: number,
  offset: number,
  metadata: string,
  over: Partial<OffsetCommitRequest> = {},
) {
  const r = c.offsetCommit(commitReq(groupId, topic, partition, offset, metadata, over), 7);
  expect(r.topics[0].partitions[0].errorCode).toBe(0);
}

const fetchOne = (c: GroupCoordinator, groupId: string, topic: string, partition: number) =>
  c.offsetFetch(fetchReq({ groupId, topics: [{ name: topic, partitionIndexes: [partition] }] }), 5).topics[0]
    .partitions[0];

describe('groups.log', () => {
  for (const fsync of ['always', 'interval', 'never'] as const) {
    it(`offsets, metadata and generation come back after close and reopen (fsync ${fsync})`, async () => {
      const dir = tempDir();
      const c1 = persistent(dir, fsync);
      const { ids, generationId } = await stableGroup(c1, 2, { groupId: 'workers' });
      expect(generationId).toBe(1);
      commit(c1, 'workers', 'orders', 0, 41, 'from a member', { generationIdOrMemberEpoch: 1, memberId: ids[0] });
      // a simple commit to a group with members is refused, and so not stored
      const refused = c1.offsetCommit(commitReq('workers', 'orders', 1, 17, ''), 2);
      expect(refused.topics[0].partitions[0].errorCode).toBe(25);
      commit(c1, 'tool', 'payments', 3, 5, 'simple');
      commit(c1, 'tool', 'payments', 3, 6, 'simple, later');
      c1.close();

      const c2 = persistent(dir, fsync);
      expect(fetchOne(c2, 'workers', 'orders', 0)).toEqual({
        partitionIndex: 0,
        committedOffset: 41,
        committedLeaderEpoch: 2,
        metadata: 'from a member',
        errorCode: 0,
      });
      expect(fetchOne(c2, 'workers', 'orders', 1)).toMatchObject({ committedOffset: -1 }); // refused above
      expect(fetchOne(c2, 'tool', 'payments', 3)).toMatchObject({ committedOffset: 6, metadata: 'simple, later' });
      // members do not survive a restart: the group is Empty, knows its protocol type, and continues its generations
      const d = c2.describeGroups(describeReq({ groups: ['workers', 'tool'] }), 0).groups;
      expect(d.map((g) => [g.groupId, g.groupState, g.protocolType, g.members.length])).toEqual([
        ['workers', 'Empty', 'consumer', 0],
        ['tool', 'Empty', '', 0],
      ]);
      expect((await c2.joinGroup(joinReq({ groupId: 'workers', memberId: ids[0] }), 5, ctxA)).errorCode).toBe(25);
      const j = await c2.joinGroup(joinReq({ groupId: 'workers' }), 3, ctxA);
      expect(j).toMatchObject({ errorCode: 0, generationId: 2 });
    });
  }

  it('deletions persist: deleted groups, deleted offsets and deleted topics stay gone', () => {
    const dir = tempDir();
    const c1 = persistent(dir);
    commit(c1, 'a', 't', 0, 1, '');
    commit(c1, 'b', 't', 0, 2, '');
    commit(c1, 'b', 'u', 0, 3, '');
    commit(c1, 'c', 'v', 0, 4, '');
    commit(c1, 'c', 'v', 1, 5, '');
    expect(c1.deleteGroups({ groupsNames: ['a'] }, 1).results[0].errorCode).toBe(0);
    c1.topicDeleted('t');
    c1.offsetDelete({ groupId: 'c', topics: [{ name: 'v', partitions: [{ partitionIndex: 0 }] }] }, 0);
    c1.close();
    const c2 = persistent(dir);
    expect(
      c2
        .listGroups(listReq(), 0)
        .groups.map((g) => g.groupId)
        .sort(),
    ).toEqual(['b', 'c']);
    expect(c2.offsetFetch(fetchReq({ groupId: 'b', topics: null }), 2).topics.map((t) => t.name)).toEqual(['u']);
    expect(
      c2.offsetFetch(fetchReq({ groupId: 'c', topics: null }), 2).topics[0].partitions.map((p) => p.partitionIndex),
    ).toEqual([1]);
  });

  it('a torn last entry is truncated and the earlier entries are kept', () => {
    const dir = tempDir();
    const file = path.join(dir, 'groups.log');
    const c1 = persistent(dir);
    commit(c1, 'g', 't', 0, 10, 'first');
    commit(c1, 'g', 't', 1, 20, 'second');
    c1.close();
    const goodSize = fs.statSync(file).size;

    // a crash in the middle of the next append: a whole header, half the JSON
    const next = frame({
      type: 'offset',
      group: 'g',
      topic: 't',
      partition: 0,
      offset: 99,
      leaderEpoch: -1,
      metadata: 'lost',
      commitTimestamp: 1,
    });
    fs.appendFileSync(file, next.subarray(0, next.length - 5));
    const warnings: string[] = [];
    const c2 = persistent(dir, 'always', { onWarning: (m) => warnings.push(m) });
    expect(fetchOne(c2, 'g', 't', 0)).toMatchObject({ committedOffset: 10, metadata: 'first' });
    expect(fetchOne(c2, 'g', 't', 1)).toMatchObject({ committedOffset: 20, metadata: 'second' });
    expect(fs.statSync(file).size).toBe(goodSize);
    expect(warnings.join('\n')).toMatch(/partial entry at byte \d+; truncating/);

    // appends after the truncation land on a clean tail
    commit(c2, 'g', 't', 2, 30, 'third');
    c2.close();
    const c3 = persistent(dir);
    expect(fetchOne(c3, 'g', 't', 2)).toMatchObject({ committedOffset: 30, metadata: 'third' });
    expect(fetchOne(c3, 'g', 't', 0)).toMatchObject({ committedOffset: 10 });
  });

  it('an entry whose checksum does not match ends the replay there', () => {
    const dir = tempDir();
    const file = path.join(dir, 'groups.log');
    const c1 = persistent(dir);
    commit(c1, 'g', 't', 0, 10, 'kept');
    const keptSize = fs.statSync(file).size;
    commit(c1, 'g', 't', 0, 11, 'corrupted');
    c1.close();
    const buf = fs.readFileSync(file);
    buf[buf.length - 3] ^= 0xff; // flip a byte in the last entry's JSON
    fs.writeFileSync(file, buf);
    const warnings: string[] = [];
    const c2 = persistent(dir, 'always', { onWarning: (m) => warnings.push(m) });
    expect(fetchOne(c2, 'g', 't', 0)).toMatchObject({ committedOffset: 10, metadata: 'kept' });
    expect(fs.statSync(file).size).toBe(keptSize);
    expect(warnings.join('\n')).toMatch(/checksum mismatch/);
  });

  it('compaction rewrites the log with only the latest values, which survive a reopen', () => {
    const dir = tempDir();
    const file = path.join(dir, 'groups.log');
    const c1 = persistent(dir, 'never', { compactMinBytes: 4096, compactRatio: 2 });
    let maxSize = 0;
    for (let i = 0; i < 500; i++) {
      commit(c1, 'g', 't', i % 4, i, `commit ${i}`);
      maxSize = Math.max(maxSize, fs.statSync(file).size);
    }
    commit(c1, 'other', 'u', 0, 7, 'untouched');
    c1.close();
    // 501 entries of ~130 bytes would be ~65 KB uncompacted
    expect(maxSize).toBeLessThan(8192);
    const { entries } = parseFrames(fs.readFileSync(file));
    expect(entries.length).toBeLessThan(60);
    expect(fs.existsSync(`${file}.compacting`)).toBe(false);

    const c2 = persistent(dir);
    for (let p = 0; p < 4; p++) {
      const last = 496 + p;
      expect(fetchOne(c2, 'g', 't', p)).toMatchObject({ committedOffset: last, metadata: `commit ${last}` });
    }
    expect(fetchOne(c2, 'other', 'u', 0)).toMatchObject({ committedOffset: 7, metadata: 'untouched' });
  });

  it('the store compacts at open when the file is mostly dead, and tracks live bytes', () => {
    const dir = tempDir();
    const s1 = OffsetStore.open({ dataDir: dir, fsync: 'never', compactMinBytes: 1 << 30 });
    for (let i = 0; i < 200; i++)
      s1.commit('g', [
        { topic: 't', partition: 0, value: { offset: i, leaderEpoch: -1, metadata: '', commitTimestamp: i } },
      ]);
    s1.setGroupMeta('g', { protocolType: 'consumer', generationId: 4 });
    const before = s1.stats();
    expect(before.fileBytes).toBeGreaterThan(before.liveBytes * 50);
    s1.close();
    const s2 = OffsetStore.open({ dataDir: dir, fsync: 'never', compactMinBytes: 1024 });
    const after = s2.stats();
    expect(after.fileBytes).toBe(after.liveBytes);
    expect(after.fileBytes).toBe(before.liveBytes);
    expect(s2.fetch('g', 't', 0)).toMatchObject({ offset: 199, commitTimestamp: 199 });
    expect(s2.groupMeta('g')).toEqual({ protocolType: 'consumer', generationId: 4 });
    s2.close();
  });

  it('a leftover temp file from a crashed compaction is ignored and removed', () => {
    const dir = tempDir();
    const c1 = persistent(dir);
    commit(c1, 'g', 't', 0, 1, 'real');
    c1.close();
    fs.writeFileSync(path.join(dir, 'groups.log.compacting'), frame({ type: 'group-delete', group: 'g' }));
    const c2 = persistent(dir);
    expect(fetchOne(c2, 'g', 't', 0)).toMatchObject({ committedOffset: 1 });
    expect(fs.existsSync(path.join(dir, 'groups.log.compacting'))).toBe(false);
  });
});
