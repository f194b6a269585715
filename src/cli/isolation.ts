// `--isolation` of the commands that read records (tail, trace, replay, dashboard): read_committed by default,
// as librdkafka (and so kcat) reads transactional topics, so that aborted records never show.

import { Option } from 'commander';
import type { Isolation } from '../client/wire/cluster.js';
import { parseChoice } from '../common/parse.js';

const LEVELS = ['read_committed', 'read_uncommitted'] as const;

export function isolationOption(): Option {
  return new Option(
    '--isolation <level>',
    'read_committed: no records of aborted transactions, and the end is the last stable offset; read_uncommitted: every record',
  )
    .choices(LEVELS)
    .default('read_committed');
}

export function parseIsolation(value: string): Isolation {
  return parseChoice(value, '--isolation', LEVELS);
}
