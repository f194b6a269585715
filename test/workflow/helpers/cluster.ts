// A workflow test bed: an in-process broker with its schema registry, the topics created (under the default
// prefix, or the one given), a worker runtime (cluster connection, producer, codec, names) and a long-lived
// admin client, closed together.

import type { AdminClient } from '../../../src/client/admin.js';
import { createAdminClient } from '../../../src/client/wire/admin.js';
import { Cluster } from '../../../src/client/wire/cluster.js';
import type { ConnectionSettings } from '../../../src/client/settings.js';
import { RegistryClient } from '../../../src/codec/registry-client.js';
import type { RunningBroker } from '../../../src/broker/broker.js';
import { DEFAULT_WORKFLOW_CONFIG, type WorkflowConfig } from '../../../src/workflow/config.js';
import { workflowNames } from '../../../src/workflow/names.js';
import { openRuntime, type OpenRuntime } from '../../../src/workflow/runtime/runtime.js';
import { ensureWorkflowTopics } from '../../../src/workflow/runtime/topics.js';
import { startTestBroker } from '../../helpers/broker.js';

export interface WorkflowBed {
  broker: RunningBroker;
  settings: ConnectionSettings;
  registry: RegistryClient;
  admin: AdminClient;
  rt: OpenRuntime;
  /** stderr lines the runtime logged */
  logs: string[];
  close(): Promise<void>;
}

export async function startWorkflowBed(
  config: Partial<WorkflowConfig> = {},
  partitions = 3,
  prefix?: string,
): Promise<WorkflowBed> {
  const names = workflowNames(prefix);
  const broker = await startTestBroker({ registryPort: 0 });
  const settings: ConnectionSettings = {
    brokers: [broker.bootstrap],
    clientId: 'evt-test',
    timeoutMs: 10_000,
    source: 'test',
  };
  const registry = new RegistryClient({ url: broker.registryUrl!, source: 'test', timeoutMs: 10_000 });
  const cluster = await Cluster.connect(settings);
  const admin = createAdminClient(cluster);
  await ensureWorkflowTopics(admin, names, partitions);
  const logs: string[] = [];
  const rt = await openRuntime(settings, registry, { ...DEFAULT_WORKFLOW_CONFIG, ...config }, names, (line) =>
    logs.push(line),
  );
  return {
    broker,
    settings,
    registry,
    admin,
    rt,
    logs,
    async close() {
      await rt.close();
      cluster.close();
      await broker.close();
    },
  };
}
