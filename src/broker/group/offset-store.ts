// Committed offsets, and the little group metadata worth keeping across restarts (protocol type and
// generation), held in memory and, with a data dir, written ahead to `groups.log` (see record-log.ts).
//
// The log is a sequence of changes: a group's metadata, one committed offset, or a tombstone (an offset, a
// group, or a deleted topic's offsets). Replaying it in order rebuilds the state. Superseded entries are dead
// weight, so the store tracks how many bytes of the file are still live (the latest entry of each group and
// of each partition) and rewrites the file with only those once it is both large enough to matter and
// mostly dead, as Kafka's log cleaner does for __consumer_offsets (min.cleanable.dirty.ratio).

import path from 'node:path';
import { RecordLog } from './record-log.js';
import type { WriteHealth } from '../log/disk-health.js';
import type { FsyncPolicy } from '../log/partition-log.js';

export const GROUPS_LOG_FILE = 'groups.log';

export interface CommittedOffset {
  offset: number;
  /** -1 when the client sent none */
  leaderEpoch: number;
  /** never null: Kafka stores a missing metadata string as "" */
  metadata: string;
  commitTimestamp: number;
}

export interface StoredGroup {
  protocolType: string | null;
  generationId: number;
}

export interface OffsetStoreOptions {
  /** null keeps everything in memory */
  dataDir: string | null;
  fsync: FsyncPolicy;
  /** do not compact a log smaller than this (bytes); 1 MiB by default */
  compactMinBytes?: number;
  /** compact once the file is this many times its live size; 2 by default (half of it dead) */
  compactRatio?: number;
  onWarning?: (message: string) => void;
  /** told of failed writes and of the writes that work again (see log/disk-health.ts) */
  health?: WriteHealth;
}

// The log's entries. Field names are spelled out: the file is small and a human may have to read it.
type Entry =
  | { type: 'group'; group: string; protocolType: string | null; generationId: number }
  | ({ type: 'offset'; group: string; topic: string; partition: number } & CommittedOffset)
  | { type: 'offset-delete'; group: string; topic: string; partition: number }
  | { type: 'group-delete'; group: string }
  | { type: 'topic-delete'; topic: string };

interface Sized<T> {
  value: T;
  /** bytes of its entry in the log file (0 in memory) */
  bytes: number;
}

interface GroupEntry {
  meta: Sized<StoredGroup> | null;
  offsets: Map<string, Map<number, Sized<CommittedOffset>>>;
}

export class OffsetStore {
  private readonly groups = new Map<string, GroupEntry>();
  private liveBytes = 0;
  /** after a failed compaction, wait for this much more file before trying again */
  private compactRetryAt = 0;
  private readonly compactMinBytes: number;
  private readonly compactRatio: number;

  private constructor(
    private readonly log: RecordLog | null,
    private readonly opts: OffsetStoreOptions,
  ) {
    this.compactMinBytes = opts.compactMinBytes ?? 1024 * 1024;
    this.compactRatio = Math.max(1.1, opts.compactRatio ?? 2);
  }

  static open(opts: OffsetStoreOptions): OffsetStore {
    if (!opts.dataDir) return new OffsetStore(null, opts);
    const { log, entries, sizes } = RecordLog.open({
      file: path.join(opts.dataDir, GROUPS_LOG_FILE),
      fsync: opts.fsync,
      onWarning: opts.onWarning,
    });
    const store = new OffsetStore(log, opts);
    entries.forEach((e, i) => store.apply(e as Entry, sizes[i]));
    store.maybeCompact();
    return store;
  }

  /** Groups that have stored metadata or committed offsets. */
  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  groupMeta(group: string): StoredGroup | undefined {
    return this.groups.get(group)?.meta?.value;
  }

  setGroupMeta(group: string, meta: StoredGroup): void {
    const cur = this.groupMeta(group);
    if (cur && cur.protocolType === meta.protocolType && cur.generationId === meta.generationId) return;
    this.write([{ type: 'group', group, protocolType: meta.protocolType, generationId: meta.generationId }]);
  }

  /** Stores commits all or nothing: throws (changing nothing) if they cannot be written. */
  commit(group: string, commits: Array<{ topic: string; partition: number; value: CommittedOffset }>): void {
    this.write(commits.map((c) => ({ type: 'offset', group, topic: c.topic, partition: c.partition, ...c.value })));
  }

  fetch(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.offsets.get(topic)?.get(partition)?.value;
  }

  /** Every committed offset of a group, topics and partitions in ascending order. */
  committed(group: string): Array<{ topic: string; partitions: Array<{ partition: number; value: CommittedOffset }> }> {
    const g = this.groups.get(group);
    if (!g) return [];
    return [...g.offsets.keys()].sort().map((topic) => ({
      topic,
      partitions: [...g.offsets.get(topic)!.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([partition, s]) => ({ partition, value: s.value })),
    }));
  }

  hasOffsets(group: string): boolean {
    return (this.groups.get(group)?.offsets.size ?? 0) > 0;
  }

  deleteOffsets(group: string, partitions: Array<{ topic: string; partition: number }>): void {
    const present = partitions.filter((p) => this.fetch(group, p.topic, p.partition) !== undefined);
    this.write(present.map((p) => ({ type: 'offset-delete', group, topic: p.topic, partition: p.partition })));
  }

  /** Forgets the group: its metadata and all its offsets. */
  deleteGroup(group: string): void {
    if (this.groups.has(group)) this.write([{ type: 'group-delete', group }]);
  }

  /** Drops every group's offsets of a deleted topic. */
  deleteTopic(topic: string): void {
    for (const g of this.groups.values()) {
      if (g.offsets.has(topic)) {
        this.write([{ type: 'topic-delete', topic }]);
        return;
      }
    }
  }

  /** fsyncs pending appends (the "interval" and "never" policies leave them to the OS until then). */
  flush(): void {
    this.log?.flush();
  }

  close(): void {
    this.log?.close();
  }

  // ------------------------------------------------------------------------------------------- internals

  /** Write ahead, then apply: if the append fails nothing changes and the caller sees the error. */
  private write(entries: Entry[]): void {
    if (entries.length === 0) return;
    let sizes: number[];
    try {
      sizes = this.log ? this.log.append(entries) : entries.map(() => 0);
    } catch (err) {
      this.opts.health?.failed(GROUPS_LOG_FILE, err);
      throw err;
    }
    if (this.log) this.opts.health?.succeeded(GROUPS_LOG_FILE);
    entries.forEach((e, i) => this.apply(e, sizes[i]));
    this.maybeCompact();
  }

  private apply(e: Entry, bytes: number): void {
    switch (e.type) {
      case 'group': {
        const g = this.entryOf(e.group);
        this.liveBytes += bytes - (g.meta?.bytes ?? 0);
        g.meta = { value: { protocolType: e.protocolType ?? null, generationId: e.generationId }, bytes };
        return;
      }
      case 'offset': {
        const g = this.entryOf(e.group);
        let parts = g.offsets.get(e.topic);
        if (!parts) g.offsets.set(e.topic, (parts = new Map<number, Sized<CommittedOffset>>()));
        this.liveBytes += bytes - (parts.get(e.partition)?.bytes ?? 0);
        parts.set(e.partition, {
          value: {
            offset: e.offset,
            leaderEpoch: e.leaderEpoch,
            metadata: e.metadata ?? '',
            commitTimestamp: e.commitTimestamp,
          },
          bytes,
        });
        return;
      }
      case 'offset-delete': {
        const g = this.groups.get(e.group);
        const parts = g?.offsets.get(e.topic);
        const cur = parts?.get(e.partition);
        if (!g || !parts || !cur) return;
        this.liveBytes -= cur.bytes;
        parts.delete(e.partition);
        if (parts.size === 0) g.offsets.delete(e.topic);
        this.dropIfEmpty(e.group);
        return;
      }
      case 'group-delete': {
        const g = this.groups.get(e.group);
        if (!g) return;
        this.liveBytes -= g.meta?.bytes ?? 0;
        for (const parts of g.offsets.values()) for (const s of parts.values()) this.liveBytes -= s.bytes;
        this.groups.delete(e.group);
        return;
      }
      case 'topic-delete': {
        for (const [id, g] of this.groups) {
          const parts = g.offsets.get(e.topic);
          if (!parts) continue;
          for (const s of parts.values()) this.liveBytes -= s.bytes;
          g.offsets.delete(e.topic);
          this.dropIfEmpty(id);
        }
        return;
      }
      default:
        // An entry kind this version does not know (written by a newer one): skip it rather than fail.
        this.opts.onWarning?.(
          `groups.log: skipping an entry of unknown type ${JSON.stringify((e as { type?: unknown }).type)}`,
        );
    }
  }

  private entryOf(group: string): GroupEntry {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = { meta: null, offsets: new Map() }));
    return g;
  }

  private dropIfEmpty(group: string): void {
    const g = this.groups.get(group);
    if (g && !g.meta && g.offsets.size === 0) this.groups.delete(group);
  }

  private maybeCompact(): void {
    if (!this.log) return;
    const size = this.log.size;
    if (size < this.compactMinBytes || size < this.compactRetryAt || size <= this.liveBytes * this.compactRatio) return;
    this.compact();
  }

  /** Rewrites the log with only the live entries (public for tests and tooling). */
  compact(): void {
    if (!this.log) return;
    const entries: Entry[] = [];
    const holders: Array<Sized<unknown>> = [];
    for (const [group, g] of this.groups) {
      if (g.meta) {
        entries.push({ type: 'group', group, ...g.meta.value });
        holders.push(g.meta);
      }
      for (const [topic, parts] of g.offsets) {
        for (const [partition, s] of parts) {
          entries.push({ type: 'offset', group, topic, partition, ...s.value });
          holders.push(s);
        }
      }
    }
    let sizes: number[];
    try {
      sizes = this.log.rewrite(entries);
    } catch (err) {
      // The old file is intact (the rename never happened); keep appending to it and try again later.
      this.opts.onWarning?.(`groups.log: compaction failed: ${(err as Error).message}`);
      this.compactRetryAt = this.log.size + this.compactMinBytes;
      return;
    }
    holders.forEach((h, i) => (h.bytes = sizes[i]));
    this.liveBytes = this.log.size;
  }

  /** Bytes of the log file, and how many of them are live (for tests and diagnostics). */
  stats(): { fileBytes: number; liveBytes: number } {
    return { fileBytes: this.log?.size ?? 0, liveBytes: this.liveBytes };
  }
}
