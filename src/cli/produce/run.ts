// `evt produce`: records from the argument, a file or stdin, sent with the wire producer (batched, several
// requests in flight, idempotent by default), then a summary of what the broker acknowledged.
//
// Input is streamed: lines are parsed and handed to the producer as they arrive, and reading waits while
// too much is unacknowledged, so any amount of stdin goes through in bounded memory. A bad line stops the
// stream there: everything before it is flushed and the error says how many records were sent. With
// --file the whole file is checked first and nothing is sent when any line is bad.

import { StopSignal } from '../stop-signal.js';
import fs from 'node:fs';
import type { Acks, PartitionStats, WireProducer } from '../../client/wire/producer.js';
import type { CompressionName } from '../../client/wire/batch-encoder.js';
import type { Cluster } from '../../client/wire/cluster.js';
import type { NullKeyStrategy } from '../../client/wire/partitioner.js';
import { formatDuration, monotonicMs, sleep } from '../../common/time.js';
import { PartitionNotFoundError } from '../../client/wire/errors.js';
import { InputError, SchemaMismatchError } from '../../codec/envelope.js';
import { CliError, ExitCode } from '../errors.js';
import { printJson, printLine, type GlobalOptions, type Io } from '../io.js';
import { exitCodeOf, openSession, toCliError } from '../session.js';
import { ProgressLine, formatBytes, formatCount } from '../progress.js';
import { EncodedValues } from './encoded-values.js';
import { fileChunks, lineAt, readLines, type LineBlock } from './lines.js';
import { checkSize, roomFor, singleRecordBatchSize, TooLargeError, type SizeLimit } from './size-limit.js';
import { whyUnreadable } from '../../common/read-failure.js';
import {
  canRefuseLines,
  isBlank,
  isRawValueInput,
  isValueOnlyInput,
  lineParser,
  type LineParser,
  type RecordInputOptions,
} from './records.js';

export interface ProduceOptions {
  topic: string;
  /** a single record given on the command line */
  value?: string;
  file?: string;
  input: RecordInputOptions;
  acks: Acks;
  idempotent: boolean;
  compression: CompressionName;
  /** records per second at most */
  rate?: number;
  lingerMs: number;
  batchBytes: number;
  partitioner: NullKeyStrategy;
}

export interface ProduceSummary {
  topic: string;
  records: number;
  failed: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  partitions: { partition: number; records: number; firstOffset: number; lastOffset: number }[];
  error?: string;
}

interface BadLine {
  line: number;
  reason: string;
  /** the record does not fit the topic's max.message.bytes (a usage error, exit 2) */
  tooLarge?: boolean;
  /** bad input of the usage kind, exit 2: too large, or a value that does not fit its schema */
  usage?: boolean;
}

/** "line 3: not JSON" or, for a record too large, "record at line 3 is 10,485,822 bytes; topic t ...". */
function describeBad(bad: BadLine, file?: string): string {
  const where = `line ${bad.line}${file !== undefined ? ` of ${file}` : ''}`;
  return bad.tooLarge ? `record at ${where} ${bad.reason}` : `${where}: ${bad.reason}`;
}

function badLine(line: number, err: InputError): BadLine {
  const tooLarge = err instanceof TooLargeError;
  return { line, reason: err.message, tooLarge, usage: tooLarge || err instanceof SchemaMismatchError };
}

/** Checks every line of a file (check throws InputError); the first bad one and how many there are. */
export async function validateFile(
  file: string,
  check: (line: Buffer) => void,
): Promise<{ first: BadLine; count: number } | null> {
  let first: BadLine | null = null;
  let count = 0;
  for await (const block of readLines(fileChunks(file))) {
    for (let i = 0; i < block.starts.length; i++) {
      try {
        check(lineAt(block, i));
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        count++;
        first ??= badLine(block.firstLine + i, err);
      }
    }
  }
  return first ? { first, count } : null;
}

/** Refuses a file with a bad line: nothing is sent. */
async function refuseBadFile(file: string, check: (line: Buffer) => void): Promise<void> {
  const bad = await validateFile(file, check);
  if (!bad) return;
  const more = bad.count > 1 ? ` (and ${bad.count - 1} more bad line${bad.count > 2 ? 's' : ''})` : '';
  throw new CliError(
    `${describeBad(bad.first, file)}${more}; nothing was sent`,
    bad.first.usage ? ExitCode.USAGE : ExitCode.FAILURE,
  );
}

/** A parser that also refuses records too large for the topic. */
function withSizeCheck(parse: LineParser, limit: SizeLimit): LineParser {
  return (line) => {
    const record = parse(line);
    if (record !== null) checkSize(limit, record.key, record.value, record.headers);
    return record;
  };
}

/** Whether a record of the file could be too large: not when the whole file (plus key and headers) fits. */
async function fileMayExceed(file: string, limit: SizeLimit, o: RecordInputOptions): Promise<boolean> {
  const size = (await fs.promises.stat(file)).size;
  return size + (o.key?.length ?? 0) > roomFor(limit, o.headers);
}

/** The topic's limit, when the records are sent uncompressed and the cluster says what it is. */
async function sizeLimit(cluster: Cluster, topic: string, compression: CompressionName): Promise<SizeLimit | null> {
  if (compression !== 'none') return null;
  const { topicMaxMessageBytes } = await import('../../client/wire/config-admin.js');
  const bytes = await topicMaxMessageBytes(cluster, topic);
  return bytes === null ? null : { topic, bytes };
}

/** The length of the longest line of a file: a scan for newlines, no record made. */
async function longestLine(file: string): Promise<number> {
  let most = 0;
  for await (const block of readLines(fileChunks(file)))
    for (let i = 0; i < block.starts.length; i++) most = Math.max(most, block.ends[i] - block.starts[i]);
  return most;
}

async function checkReadable(file: string): Promise<void> {
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    if ((await fs.promises.stat(file)).isDirectory())
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read ${file}: ${whyUnreadable(err)}`,
      code === 'ENOENT' ? ExitCode.NOT_FOUND : ExitCode.FAILURE,
    );
  }
}

/**
 * Paces records at `perSecond`: the first goes at once, record n no earlier than (n - 1) / perSecond seconds
 * after it. The schedule is fixed from the first record, not from the one before, so a record sent late does not
 * push every later one back: the average rate holds.
 */
class RateLimiter {
  private start: number | null = null;
  private n = 0;
  constructor(private readonly perSecond: number) {}
  /** Resolves when the next record may go. */
  async take(): Promise<void> {
    this.start ??= monotonicMs();
    const due = this.start + (this.n++ / this.perSecond) * 1000;
    // a timer may fire up to a millisecond early (its clock counts whole milliseconds): wait again until due
    for (let wait = due - monotonicMs(); wait > 0; wait = due - monotonicMs()) await sleep(Math.ceil(wait));
  }
}

async function* fromStore(store: EncodedValues): AsyncGenerator<LineBlock> {
  yield* store.values();
}

async function* single(value: string): AsyncGenerator<Buffer> {
  yield Buffer.from(value, 'utf8');
}

export async function runProduce(o: ProduceOptions, io: Io, g: GlobalOptions): Promise<void> {
  let parse = lineParser(o.input);
  /** the largest record of the file as a batch of its own, when the check of every line has seen them all */
  let largest: number | undefined;
  /** the values the check encoded, when each line is only a value: the send pass takes them from here */
  let stored: EncodedValues | null = null;
  if (o.file !== undefined) {
    await checkReadable(o.file);
    // the lines are checked before connecting; their sizes once the topic's limit is known (below)
    if (canRefuseLines(o.input)) {
      let most = 0;
      let lineNo = 0;
      const store = isValueOnlyInput(o.input) ? new EncodedValues() : null;
      await refuseBadFile(o.file, (line) => {
        lineNo++;
        const r = parse(line);
        if (!r) return;
        most = Math.max(most, singleRecordBatchSize(r.key?.length ?? null, r.value?.length ?? null, r.headers));
        // (a null value has no slice to be sent as: such a file is encoded again while sending)
        if (r.value) store?.add(r.value, lineNo);
        else store?.giveUp();
      });
      largest = most;
      if (store && !store.gaveUp) stored = store;
    }
  }
  const { settings, cluster } = await openSession(io, g);
  let producer: WireProducer | undefined;
  let progress: ProgressLine | undefined;
  let limit: SizeLimit | null;
  try {
    const { WireProducer } = await import('../../client/wire/producer.js');
    try {
      producer = await WireProducer.create(cluster, {
        acks: o.acks,
        idempotent: o.idempotent,
        compression: o.compression,
        lingerMs: o.lingerMs,
        batchBytes: o.batchBytes,
        partitioner: o.partitioner,
        deliveryTimeoutMs: Math.max(30_000, settings.timeoutMs * 3),
      });
      const meta = await producer.prepare(o.topic);
      if (o.input.partition !== undefined && o.input.partition >= meta.partitions.length) {
        throw new PartitionNotFoundError(o.topic, o.input.partition, meta.partitions.length);
      }
      limit = await sizeLimit(cluster, o.topic, o.compression);
    } catch (err) {
      throw toCliError(err, settings);
    }
    if (limit) {
      producer.limitBatches(o.topic, limit.bytes);
      parse = withSizeCheck(parse, limit);
      // with --file, every record is sized before anything is sent: by the check above when it ran (the pass
      // that names the line then runs only when a record is over), else by a pass of its own when the file
      // is larger than the limit (an Avro file was encoded three times before)
      if (o.file !== undefined) {
        let mayExceed = largest !== undefined ? largest > limit.bytes : await fileMayExceed(o.file, limit, o.input);
        // raw lines are sized by their length alone (the same key and headers on each)
        if (mayExceed && largest === undefined && isRawValueInput(o.input))
          mayExceed = (await longestLine(o.file)) > roomFor(limit, o.input.headers) - (o.input.key?.length ?? 0);
        if (mayExceed) await refuseBadFile(o.file, parse);
      }
      if (o.value !== undefined) {
        try {
          parse(Buffer.from(o.value, 'utf8'));
        } catch (err) {
          if (err instanceof TooLargeError)
            throw new CliError(`the record ${err.message}; nothing was sent`, ExitCode.USAGE);
          // any other fault of the value is reported below, as for a line
          if (!(err instanceof InputError)) throw err;
        }
      }
    }
    const p = producer;

    const source: AsyncIterable<Buffer | string> | null = stored
      ? null
      : o.value !== undefined
        ? single(o.value)
        : o.file !== undefined
          ? fileChunks(o.file)
          : io.stdin;
    // io.stdin only when records come from it: it costs a stream's set-up
    if (o.value === undefined && o.file === undefined && io.stdin.isTTY) {
      printLine(io.stderr, 'evt: reading records from the terminal, one per line (Ctrl-D to end)');
    }
    const started = monotonicMs();
    progress = new ProgressLine(io, () => {
      const secs = (monotonicMs() - started) / 1000;
      return `produced ${formatCount(p.acknowledged)} records (${formatCount(Math.round(p.acknowledged / Math.max(secs, 0.001)))}/s)`;
    });

    let stop: { kind: 'bad-line'; bad: BadLine } | { kind: 'delivery' } | { kind: 'interrupted' } | null = null;
    const interrupt = new StopSignal();
    void io.interrupted().then(() => interrupt.fire());
    const limiter = o.rate ? new RateLimiter(o.rate) : null;
    // stored values are sent as they are, as raw lines are (but a value of spaces is a value, not a blank line)
    const raw = stored !== null || isRawValueInput(o.input);
    const skipBlank = stored === null;
    const rawKey = o.input.key ?? null;
    const rawHeaders = o.input.headers;
    const rawPartition = o.input.partition;
    // raw lines shorter than this fit for sure; longer ones are counted
    const rawRoom = limit ? roomFor(limit, rawHeaders) - (rawKey?.length ?? 0) : Infinity;
    const lines = (source ? readLines(source) : fromStore(stored!))[Symbol.asyncIterator]();
    outer: for (;;) {
      const pending = lines.next();
      // a read abandoned on Ctrl-C may still fail when the input is closed below: the race ignores that
      const next = await interrupt.race(pending);
      if (next === null || interrupt.stopped) {
        stop = { kind: 'interrupted' };
        break;
      }
      if (next.done) break;
      const block: LineBlock = next.value;
      const { data, starts, ends } = block;
      for (let i = 0; i < starts.length; i++) {
        if (raw) {
          // the line is the value: handed over as a slice of the input
          if (skipBlank && isBlank(data, starts[i], ends[i])) continue;
          if (ends[i] - starts[i] > rawRoom) {
            try {
              checkSize(limit!, rawKey, data.subarray(starts[i], ends[i]), rawHeaders);
            } catch (err) {
              if (!(err instanceof TooLargeError)) throw err;
              stop = { kind: 'bad-line', bad: badLine(block.firstLine + i, err) };
              break outer;
            }
          }
          if (limiter) await limiter.take();
          if (!p.writeSlice(o.topic, rawKey, data, starts[i], ends[i], rawHeaders, rawPartition))
            await interrupt.race(p.waitForCapacity());
        } else {
          let record;
          try {
            record = parse(lineAt(block, i));
          } catch (err) {
            if (!(err instanceof InputError)) throw err;
            stop = { kind: 'bad-line', bad: badLine(block.firstLine + i, err) };
            break outer;
          }
          if (record === null) continue;
          if (limiter) await limiter.take();
          if (!p.write(o.topic, record)) await interrupt.race(p.waitForCapacity());
        }
        if (p.firstError) {
          stop = { kind: 'delivery' };
          break outer;
        }
        if (interrupt.stopped) {
          stop = { kind: 'interrupted' };
          break outer;
        }
      }
    }
    if (stop !== null) {
      // stop reading: an open stdin (or file) would keep the process alive
      lines.return?.(undefined).catch(() => {});
      const stream = source as Partial<NodeJS.ReadableStream & { destroy(): void }> | null;
      if (typeof stream?.destroy === 'function') stream.destroy();
    }
    await p.flush();
    progress.stop();
    const seconds = (monotonicMs() - started) / 1000;
    const summary = summarize(o.topic, p, seconds);

    let error: CliError | null = null;
    if (p.firstError) {
      const cause = toCliError(p.firstError, settings);
      error = new CliError(
        `${p.firstError.message}; ${formatCount(p.acknowledged)} record${p.acknowledged === 1 ? ' was' : 's were'} sent (acknowledged), ${formatCount(p.failed)} failed${stop?.kind === 'delivery' ? ' and the rest of the input was not read' : ''}`,
        exitCodeOf(cause),
      );
    } else if (stop?.kind === 'bad-line') {
      const sent =
        p.acknowledged === 0
          ? 'nothing was sent'
          : `the ${formatCount(p.acknowledged)} record${p.acknowledged === 1 ? '' : 's'} before it ${p.acknowledged === 1 ? 'was' : 'were'} sent (acknowledged), nothing after it`;
      error = new CliError(
        `${describeBad(stop.bad)}; stopped there: ${sent}`,
        stop.bad.usage ? ExitCode.USAGE : ExitCode.FAILURE,
      );
    } else if (stop?.kind === 'interrupted') {
      error = new CliError(
        `interrupted: ${formatCount(p.acknowledged)} record${p.acknowledged === 1 ? ' was' : 's were'} sent (acknowledged)`,
        ExitCode.INTERRUPTED,
      );
    }
    if (error) summary.error = error.message;
    // a failure that sent nothing is said by its one error line; "produced 0 records" above it adds nothing
    if (!(error && summary.records === 0 && !g.json)) report(summary, io, g);
    if (error) throw error;
  } finally {
    progress?.stop();
    cluster.close();
  }
}

function summarize(topic: string, p: WireProducer, seconds: number): ProduceSummary {
  const partitions = p
    .partitionStats()
    .filter((s: PartitionStats) => s.topic === topic)
    .sort((a, b) => a.partition - b.partition)
    .map((s) => ({ partition: s.partition, records: s.count, firstOffset: s.firstOffset, lastOffset: s.lastOffset }));
  return {
    topic,
    records: p.acknowledged,
    failed: p.failed,
    bytes: p.acknowledgedBytes,
    seconds: +seconds.toFixed(3),
    recordsPerSec: Math.round(p.acknowledged / Math.max(seconds, 0.001)),
    mbPerSec: +(p.acknowledgedBytes / 1e6 / Math.max(seconds, 0.001)).toFixed(2),
    partitions,
  };
}

function offsets(s: ProduceSummary['partitions'][number]): string {
  if (s.firstOffset < 0)
    return `${formatCount(s.records)} record${s.records === 1 ? '' : 's'} (offsets not known with --acks 0)`;
  if (s.firstOffset === s.lastOffset) return `offset ${s.firstOffset}`;
  return `offsets ${s.firstOffset}-${s.lastOffset} (${formatCount(s.records)} records)`;
}

/**
 * The summary: with --json one JSON object on stdout (produce prints nothing else there), else a line on
 * stderr, plus one line per partition when the records went to several.
 */
function report(s: ProduceSummary, io: Io, g: GlobalOptions): void {
  if (g.json) {
    printJson(io, s);
    return;
  }
  const what = `produced ${formatCount(s.records)} record${s.records === 1 ? '' : 's'}${s.records > 0 ? ` (${formatBytes(s.bytes)})` : ''} to ${s.topic}`;
  if (s.partitions.length === 1 && s.records === 1) {
    printLine(io.stderr, `${what}: partition ${s.partitions[0].partition}, ${offsets(s.partitions[0])}`);
    return;
  }
  const timing =
    s.records > 1
      ? ` in ${formatDuration(Math.round(s.seconds * 1000))} (${formatCount(s.recordsPerSec)} records/s, ${s.mbPerSec} MB/s)`
      : '';
  if (s.partitions.length === 1) {
    printLine(io.stderr, `${what}${timing}: partition ${s.partitions[0].partition}, ${offsets(s.partitions[0])}`);
    return;
  }
  printLine(io.stderr, `${what}${timing}${s.partitions.length > 0 ? `, ${s.partitions.length} partitions:` : ''}`);
  for (const p of s.partitions) printLine(io.stderr, `  partition ${p.partition}: ${offsets(p)}`);
}
