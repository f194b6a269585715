// The transaction coordinator's persistence: `transactions.log` in the data dir, a RecordLog (checksummed
// entries, a torn tail cut at open) holding the whole metadata of a transactional id at each change, written
// before the change is acted on (a PrepareCommit is in the file before the first marker is written). Replaying
// it keeps the last entry of each id.
//
// Kafka keeps this in the internal topic __transaction_state (50 partitions, compacted), because its
// coordinators move between brokers and a new one must read the state from a replicated log. evt's broker is
// one node that never hands the coordinator over, so a file of its own is enough, and it keeps
// __transaction_state out of the topics clients list and out of retention and compaction (whose rules are
// another part's). Superseded entries are dropped by rewriting the file once it is mostly dead, as the group
// coordinator's groups.log is.

import path from 'node:path';
import { RecordLog } from '../group/record-log.js';
import type { FsyncPolicy } from '../log/partition-log.js';
import { parseTxnMetadata, type TxnMetadata } from './metadata.js';

export const TXN_LOG_FILE = 'transactions.log';
/** rewrite once the file holds this many entries per live id (and at least COMPACT_MIN_ENTRIES) */
const COMPACT_RATIO = 4;
const COMPACT_MIN_ENTRIES = 1000;

export interface TxnStateLogOptions {
  /** null keeps the state in memory only */
  dataDir: string | null;
  fsync: FsyncPolicy;
  onWarning?: (message: string) => void;
}

export class TxnStateLog {
  private entries = 0;

  private constructor(private readonly log: RecordLog | null) {}

  /** Opens the log and returns the last stored metadata of each transactional id. */
  static open(opts: TxnStateLogOptions): { store: TxnStateLog; loaded: TxnMetadata[] } {
    if (!opts.dataDir) return { store: new TxnStateLog(null), loaded: [] };
    const { log, entries } = RecordLog.open({
      file: path.join(opts.dataDir, TXN_LOG_FILE),
      fsync: opts.fsync,
      onWarning: opts.onWarning,
    });
    const latest = new Map<string, TxnMetadata>();
    for (const raw of entries) {
      const meta = parseTxnMetadata(raw);
      if (meta) latest.set(meta.transactionalId, meta);
      else opts.onWarning?.(`${TXN_LOG_FILE}: ignoring an entry this broker did not write`);
    }
    const store = new TxnStateLog(log);
    store.entries = entries.length;
    return { store, loaded: [...latest.values()] };
  }

  /** Persists one id's metadata (throws when it cannot: the change must then not happen). */
  write(meta: TxnMetadata): void {
    if (!this.log) return;
    this.log.append([meta]);
    this.entries++;
  }

  /** Rewrites the file with only the live entries once superseded ones dominate it. */
  maybeCompact(liveCount: number, live: () => TxnMetadata[]): void {
    if (!this.log) return;
    if (this.entries < COMPACT_MIN_ENTRIES || this.entries < COMPACT_RATIO * liveCount) return;
    this.log.rewrite(live());
    this.entries = liveCount;
  }

  close(): void {
    this.log?.close();
  }
}
