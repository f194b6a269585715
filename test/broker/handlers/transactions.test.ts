// The transaction APIs request by request, as Kafka's TransactionCoordinator answers them: the errors of each
// state and version (PRODUCER_FENCED from v2 on, INVALID_PRODUCER_EPOCH before), retries of a finished
// EndTxn, the produce path's checks of transactional batches, and the timeout a producer may ask for.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { encodeBatch } from '../../../src/protocol/records/batch-encoder.js';
import { ATTRIBUTES, CRC, CRC_START, TRANSACTIONAL_MASK } from '../../../src/protocol/records/batch-layout.js';
import { crc32c } from '../../../src/common/crc32c.js';
import type { Struct } from '../../../src/protocol/schema.js';
import { startTestBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

let broker: RunningBroker;
let raw: RawClient;

beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true, transactionMaxTimeoutMs: 60_000 });
  broker.state.logs.createTopic('t', { numPartitions: 2 });
  raw = await RawClient.connect(broker.port);
});
afterAll(async () => {
  raw.close();
  await broker.close();
});

const init = async (id: string, timeoutMs = 10_000, version = 1) =>
  raw.request(22, version, { transactionalId: id, transactionTimeoutMs: timeoutMs });

const addPartitions = async (
  id: string,
  pid: number,
  epoch: number,
  partitions: number[],
  version = 3,
  topic = 't',
) => {
  const answer = await raw.request(24, version, {
    v3AndBelowTransactionalId: id,
    v3AndBelowProducerId: pid,
    v3AndBelowProducerEpoch: epoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
  });
  const results = answer.resultsByTopicV3AndBelow as { resultsByPartition: { partitionErrorCode: number }[] }[];
  return results[0].resultsByPartition.map((r) => r.partitionErrorCode);
};

const endTxn = async (id: string, pid: number, epoch: number, committed: boolean, version = 3) =>
  (await raw.request(26, version, { transactionalId: id, producerId: pid, producerEpoch: epoch, committed }))
    .errorCode as number;

/** a transactional batch of one record, as a producer of (pid, epoch) sends it at `sequence` */
function txnBatch(pid: number, epoch: number, sequence: number): Buffer {
  const batch = encodeBatch([{ key: null, value: Buffer.from('v'), headers: [], timestamp: Date.now() }], 'none', {
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: sequence,
  });
  batch.writeInt16BE(batch.readInt16BE(ATTRIBUTES) | TRANSACTIONAL_MASK, ATTRIBUTES);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, CRC);
  return batch;
}

async function produce(transactionalId: string | null, partition: number, records: Buffer): Promise<number> {
  const answer = await raw.request(0, 7, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: 't', partitionData: [{ index: partition, records }] }],
  });
  return ((answer.responses as Struct[])[0].partitionResponses as { errorCode: number }[])[0].errorCode;
}

describe('InitProducerId with a transactional id', () => {
  it('keeps the producer id and bumps the epoch at each call', async () => {
    const a = await init('bumped');
    const b = await init('bumped');
    expect(a).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(b).toMatchObject({ errorCode: 0, producerId: a.producerId, producerEpoch: 1 });
  });

  it('refuses an empty id, and a timeout above transaction.max.timeout.ms or not positive', async () => {
    expect((await init('')).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await init('too-long', 60_001)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await init('zero', 0)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  });

  it('on an open transaction: aborts it with a bumped epoch and answers CONCURRENT_TRANSACTIONS', async () => {
    const { producerId: pid } = await init('reinit');
    expect(await addPartitions('reinit', pid as number, 0, [0])).toEqual([0]);
    expect(await produce('reinit', 0, txnBatch(pid as number, 0, 0))).toBe(0);
    const log = broker.state.logs.partition('t', 0)!;
    expect(log.lastStableOffset).toBeLessThan(log.highWatermark);
    expect((await init('reinit')).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(log.lastStableOffset).toBe(log.highWatermark); // the ABORT marker is written
    expect(await init('reinit')).toMatchObject({ errorCode: 0, producerId: pid, producerEpoch: 2 });
  });
});

describe('AddPartitionsToTxn, EndTxn', () => {
  it('answers the errors of each state', async () => {
    const { producerId } = await init('states');
    const pid = producerId as number;
    expect(await addPartitions('nobody', pid, 0, [0])).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(await addPartitions('states', pid + 1, 0, [0])).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    // an unknown partition fails the request: the others were not attempted
    expect(await addPartitions('states', pid, 0, [0, 7])).toEqual([
      ErrorCode.OPERATION_NOT_ATTEMPTED,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(await endTxn('states', pid, 0, true)).toBe(ErrorCode.INVALID_TXN_STATE); // nothing open
    expect(await addPartitions('states', pid, 0, [0, 1])).toEqual([0, 0]);
    expect(await endTxn('states', pid, 0, false)).toBe(0);
    // a retry of the finished abort succeeds; a commit of it does not
    expect(await endTxn('states', pid, 0, false)).toBe(0);
    expect(await endTxn('states', pid, 0, true)).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('PRODUCER_FENCED from v2 on, INVALID_PRODUCER_EPOCH in v0-v1', async () => {
    const { producerId } = await init('fenced');
    await init('fenced'); // epoch 1: epoch 0 is fenced
    const pid = producerId as number;
    expect(await addPartitions('fenced', pid, 0, [0], 2)).toEqual([ErrorCode.PRODUCER_FENCED]);
    expect(await addPartitions('fenced', pid, 0, [0], 1)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
    expect(await endTxn('fenced', pid, 0, true, 2)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await endTxn('fenced', pid, 0, true, 0)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    const addOffsets = async (version: number) =>
      (await raw.request(25, version, { transactionalId: 'fenced', producerId: pid, producerEpoch: 0, groupId: 'g' }))
        .errorCode;
    expect(await addOffsets(3)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await addOffsets(0)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });
});

describe('Produce of transactional batches', () => {
  it('only within the open transaction, to a partition it added, from the current epoch', async () => {
    const { producerId } = await init('producing');
    const pid = producerId as number;
    expect(await produce('producing', 1, txnBatch(pid, 0, 0))).toBe(ErrorCode.INVALID_TXN_STATE); // not added
    expect(await addPartitions('producing', pid, 0, [0])).toEqual([0]);
    expect(await produce('producing', 1, txnBatch(pid, 0, 0))).toBe(ErrorCode.INVALID_TXN_STATE); // other partition
    expect(await produce(null, 0, txnBatch(pid, 0, 0))).toBe(ErrorCode.INVALID_RECORD); // no transactional id
    expect(await produce('producing', 0, txnBatch(pid, 0, 0))).toBe(0);
    await init('producing'); // fenced: the open transaction is aborted
    await init('producing');
    expect(await produce('producing', 0, txnBatch(pid, 0, 1))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });
});

describe('InitProducerId v3+ with the producer id and epoch held (KIP-360)', () => {
  it('bumps the epoch of the current incarnation, fences an older one', async () => {
    const first = await init('kip360', 10_000, 4);
    const pid = first.producerId as number;
    const held = (version: number) =>
      raw.request(22, version, {
        transactionalId: 'kip360',
        transactionTimeoutMs: 10_000,
        producerId: pid,
        producerEpoch: 0,
      });
    expect(await held(4)).toMatchObject({ errorCode: 0, producerId: pid, producerEpoch: 1 });
    expect((await held(4)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    const staleV3 = await held(3);
    expect(staleV3.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });
});
