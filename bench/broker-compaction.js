// bench/broker's compaction rows: the log cleaner's rate (MB of log cleaned per second) on a disk log of
// `mb` MB holding many versions of `keys` keys, next to the disk reference measured in the same run: a plain
// sequential read of the same segment files and write of the same number of bytes, in 1 MiB blocks. Also
// the worst event-loop delay while the clean ran (it runs in slices beside produce and fetch).

import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const MB = 1e6;

/** A RecordBatch v2 of `count` records (key k<n>, `size`-byte values) through evt's own encoder. */
async function batchOf(encodeBatch, first, count, keys, value) {
  const records = [];
  for (let i = 0; i < count; i++)
    records.push({ key: Buffer.from(`k${(first + i) % keys}`), value, headers: [], timestamp: Date.now() });
  return encodeBatch(records);
}

/** Reads every file of `dir` and writes as many bytes to a new file, in 1 MiB blocks: the disk reference. */
function readWriteReference(dir, into) {
  const block = Buffer.allocUnsafe(1024 * 1024);
  const out = fs.openSync(into, 'w');
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    const fd = fs.openSync(path.join(dir, name), 'r');
    for (let n; (n = fs.readSync(fd, block, 0, block.length, null)) > 0; bytes += n) fs.writeSync(out, block, 0, n);
    fs.closeSync(fd);
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  fs.closeSync(out);
  fs.rmSync(into);
  return { bytes, mbPerSec: +(bytes / MB / secs).toFixed(1) };
}

export async function compactionRows({ work, mb = 128, keys = 10_000, size = 100 }) {
  const { LogManager } = await import('../dist/src/broker/log/log-manager.js');
  const { encodeBatch } = await import('../dist/src/protocol/records/batch-encoder.js');
  const dataDir = path.join(work, 'compaction');
  const logs = LogManager.open({ dataDir, cleanerIntervalMs: 0, retentionCheckIntervalMs: 0 });
  logs.createTopic('state', {
    numPartitions: 1,
    configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(64 * 1024 * 1024) },
  });
  const log = logs.partition('state', 0);
  const value = Buffer.alloc(size, 'v');
  for (let n = 0; log.sizeBytes < mb * MB; n += 500) log.append(await batchOf(encodeBatch, n, 500, keys, value));
  log.rollIfOlderThan(Date.now() + 1, 0);
  logs.close(); // from disk, as after a restart: the page cache holds what was just written either way
  const reference = readWriteReference(path.join(dataDir, 'state-0'), path.join(work, 'reference-copy'));

  const reopened = LogManager.open({ dataDir, cleanerIntervalMs: 0, retentionCheckIntervalMs: 0 });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const [stats] = await reopened.compactNow();
  delay.disable();
  reopened.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    logMB: +(stats.bytesRead / MB).toFixed(1),
    keptMB: +(stats.bytesWritten / MB).toFixed(1),
    keys,
    seconds: +(stats.durationMs / 1000).toFixed(3),
    mbPerSec: +(stats.bytesRead / MB / (stats.durationMs / 1000)).toFixed(1),
    diskReadWriteMbPerSec: reference.mbPerSec,
    eventLoopDelayMaxMs: +(delay.max / 1e6).toFixed(1),
    eventLoopDelayP99Ms: +(delay.percentile(99) / 1e6).toFixed(1),
  };
}

export function compactionLines(r) {
  return [
    `compaction (${r.logMB} MB log, ${r.keys.toLocaleString('en')} keys, ${r.keptMB} MB kept):`,
    `  ${'disk read+write'.padEnd(20)} ${''.padStart(16)} ${String(r.diskReadWriteMbPerSec).padStart(8)} MB/s   (reference, same run, same bytes)`,
    `  ${'log cleaner'.padEnd(20)} ${''.padStart(16)} ${String(r.mbPerSec).padStart(8)} MB/s ${String(r.seconds).padStart(8)} s wall` +
      `  event-loop delay max ${r.eventLoopDelayMaxMs} ms, p99 ${r.eventLoopDelayP99Ms} ms`,
  ];
}
