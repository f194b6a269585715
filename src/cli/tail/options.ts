// What a tail is asked to do, once the command's flags are parsed.

import type { ValueCodec } from '../../codec/value-codec.js';
import type { RecordPredicate } from '../record-filter.js';
import type { Position } from '../time-spec.js';
import type { OutputMode } from './output.js';
import type { WorkerSetup } from './parallel.js';
import type { WireNotice } from './wire-notice.js';
import type { Isolation } from '../../client/wire/cluster.js';

export interface TailOptions {
  topics: string[];
  pattern?: RegExp;
  /** -n */
  lines: number;
  /** -n was given (with --from it then limits how many are printed) */
  linesGiven: boolean;
  follow: boolean;
  from?: Position;
  until?: Position;
  partitions?: number[];
  filter?: RecordPredicate;
  output: OutputMode;
  codec: ValueCodec;
  /** what formatting workers need to build the same codec and filters (large reads use them) */
  workers?: Omit<WorkerSetup, 'mode'>;
  group?: string;
  /** read_committed: aborted records dropped, --until end is the last stable offset */
  isolation: Isolation;
  expect?: number;
  /** how long --expect waits */
  expectTimeoutMs: number;
  /** says once on stderr when values are in the registry wire format and cannot be decoded */
  wireNotice?: WireNotice;
}
