// How cleaned segments replace the ones they were made from, crash-safely, as Kafka's log cleaner does it:
//
//   1. the cleaner writes <base>.log.cleaned (+ .index.cleaned, .timeindex.cleaned) and fsyncs them;
//   2. renames them to .swap (index files first, the log last): `<base>.log.swap` existing is the commit point;
//   3. the log switches to the cleaned segment in memory, and the replaced segments' files are renamed to
//      .deleted, then removed;
//   4. the .swap files are renamed to their live names.
//
// Recovery at start-up (recoverSwaps, before the segments are opened): `.cleaned` files are an unfinished
// step 1 and `.deleted` files an unfinished step 3: both are removed. A `<B>.log.swap` is a committed swap:
// every live segment whose base offset lies in [B, end of the swap's last batch) is deleted (their kept
// records are in the swap), and the swap takes its live names. Kafka's LogLoader does the same with the
// swap's offset range; a replaced segment whose every record was removed may lie past that range and is then
// kept: its records are older versions, which the next clean removes again. Either way, every latest value
// per key is in the log.
//
// The fsyncs and removals run in libuv's thread pool (an fsync of a directory may wait for every dirty page
// of the file system): only renames, which take microseconds, and the switch itself are on the event loop.

import path from 'node:path';
import type { Storage } from './files.js';
import { LOG_SUFFIX, Segment, parseLogFileName, scanBatches, segmentFileName } from './segment.js';

export const CLEANED = '.cleaned';
export const SWAP = '.swap';
export const DELETED = '.deleted';

/** the steps of a swap, for a test's pause point */
export type SwapPhase = 'cleaned' | 'swap' | 'deleted';

/**
 * Puts `cleaned` (staged `.cleaned`, sealed; null when nothing was kept) in place of `replaced` (sealed,
 * contiguous, the first with the cleaned segment's base offset). `switchOver` makes the change in memory, at
 * the commit point; when it answers false (the log changed meanwhile) nothing is replaced and the cleaned
 * segment is staged `.cleaned` again, for the caller to delete. `pause` is called between the steps.
 */
export async function swapSegments(
  storage: Storage,
  dir: string,
  replaced: readonly Segment[],
  cleaned: Segment | null,
  switchOver: () => boolean,
  pause: (phase: SwapPhase) => void,
): Promise<boolean> {
  if (cleaned) {
    await cleaned.syncAsync();
    pause('cleaned');
    cleaned.restage(SWAP);
    await storage.syncDirAsync(dir);
  }
  pause('swap');
  if (!switchOver()) {
    cleaned?.restage(CLEANED);
    return false;
  }
  for (const seg of replaced) {
    seg.close();
    seg.restage(DELETED);
  }
  await storage.syncDirAsync(dir);
  pause('deleted');
  for (const seg of replaced) await seg.removeFilesAsync();
  if (cleaned) {
    cleaned.restage('');
    await storage.syncDirAsync(dir);
  }
  return true;
}

/** Completes or discards what a crash interrupted (see the top of this file); returns what it did, for warnings. */
export function recoverSwaps(storage: Storage, dir: string): string[] {
  const done: string[] = [];
  const names = storage.list(dir);
  for (const name of names) {
    if (name.endsWith(CLEANED) || name.endsWith(DELETED)) storage.remove(path.join(dir, name));
  }
  const swaps = names
    .map((n) => (n.endsWith(LOG_SUFFIX + SWAP) ? parseLogFileName(n.slice(0, -SWAP.length)) : null))
    .filter((b): b is number => b !== null)
    .sort((a, b) => a - b);
  if (swaps.length === 0) return done;
  const live = names
    .map(parseLogFileName)
    .filter((b): b is number => b !== null)
    .sort((a, b) => a - b);
  for (const base of swaps) {
    const file = storage.openFile(path.join(dir, segmentFileName(base, LOG_SUFFIX) + SWAP));
    let end: number;
    try {
      end = scanBatches(file, base, false, () => {}).nextOffset;
    } finally {
      file.close();
    }
    for (const b of live) if (b >= base && (b < end || b === base)) Segment.deleteFiles(storage, dir, b);
    // the index files may be missing (a crash between renames): the segment is then recovered from its log
    for (const suffix of ['.index', '.timeindex', LOG_SUFFIX]) {
      const from = path.join(dir, segmentFileName(base, suffix) + SWAP);
      if (storage.exists(from)) storage.rename(from, path.join(dir, segmentFileName(base, suffix)));
    }
    done.push(`completed the swap of cleaned segment ${base} (up to offset ${end})`);
  }
  storage.syncDir(dir);
  return done;
}
