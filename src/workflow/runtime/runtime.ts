// What the workers of one process share: a wire-client connection to the cluster, one idempotent producer
// for every instance's output, the workflow codec (schemas registered once) and the names the workflow has on
// this cluster (its prefix). Built once per process by `evt simulate`, `evt worker` and `evt demo`.

import type { ConnectionSettings } from '../../client/settings.js';
import { Cluster, WireProducer } from '../../client/wire/index.js';
import type { RegistryClient } from '../../codec/registry-client.js';
import type { WorkerService } from '../catalogue.js';
import type { WorkflowConfig } from '../config.js';
import type { WorkflowNames } from '../names.js';
import { WorkflowCodec } from './codec.js';
import { ServiceWorker, type WorkerOptions, type WorkerRuntime } from './worker.js';

export interface OpenRuntime extends WorkerRuntime {
  /** flushes the producer and closes the connections (after the workers have stopped) */
  close(): Promise<void>;
}

export async function openRuntime(
  settings: ConnectionSettings,
  registry: RegistryClient,
  config: WorkflowConfig,
  names: WorkflowNames,
  log: (line: string) => void,
  verbose = false,
): Promise<OpenRuntime> {
  const cluster = await Cluster.connect(settings, { log: verbose ? (m) => log(`evt: ${m}`) : undefined });
  try {
    const codec = await WorkflowCodec.create(registry, names);
    // a short linger: workflow latency is a chain of hops, each of which waits for it
    const producer = await WireProducer.create(cluster, {
      lingerMs: 1,
      autoCreateTopics: false,
      compression: config.compression,
    });
    return {
      settings,
      cluster,
      producer,
      codec,
      names,
      config,
      log,
      async close() {
        await producer.close().catch(() => {});
        cluster.close();
      },
    };
  } catch (err) {
    cluster.close();
    throw err;
  }
}

/** Starts `count` instances of a service, labelled `<service>#1..n` (after `first - 1`). */
export async function startInstances(
  rt: WorkerRuntime,
  service: WorkerService,
  count: number,
  options: Omit<WorkerOptions, 'service' | 'instance'> = {},
  first = 1,
): Promise<ServiceWorker[]> {
  const labels = Array.from({ length: count }, (_, i) => `${service}#${first + i}`);
  return Promise.all(labels.map((instance) => ServiceWorker.start(rt, { ...options, service, instance })));
}
