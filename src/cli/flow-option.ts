// Which flow a command judges by: `--flow FILE` (or a bundled flow's name), else the project file's "flow"
// (evt.config.json), else the bundled workflow's flow when its topics are on the cluster (so that `evt trace`
// on the demo judges orders without being told), else none: conventions only. `--no-flow` says none.

import path from 'node:path';
import type { Cluster } from '../client/wire/index.js';
import { FlowError, type Flow } from '../flow/model.js';
import { usageError } from './errors.js';

export interface FlowChoice {
  flow: Flow | null;
  /** how the flow was chosen, for the scan report ("flow shop: its topics are on this cluster") */
  note: string | null;
}

export interface FlowFlags {
  /** a flow file or bundled name; false: --no-flow */
  flow?: string | boolean;
  /** replaces the flow's prefix of topic names and group ids */
  prefix?: string;
}

export async function chooseFlow(flags: FlowFlags, cluster: Cluster | null, cwd: string): Promise<FlowChoice> {
  const { loadFlow } = await import('../flow/load.js');
  const load = async (spec: string, why: string | null): Promise<FlowChoice> => {
    try {
      return { flow: await loadFlow(spec, { prefix: flags.prefix }), note: why };
    } catch (err) {
      if (err instanceof FlowError) throw usageError(err.message);
      throw err;
    }
  };
  if (flags.flow === false) return { flow: null, note: null };
  if (typeof flags.flow === 'string') return load(flags.flow, null);
  const { loadProjectConfig } = await import('../client/config-file.js');
  const project = loadProjectConfig(cwd);
  if (project?.data.flow) {
    const spec = project.data.flow;
    const { BUNDLED_FLOWS } = await import('../flow/load.js');
    return load(
      BUNDLED_FLOWS[spec] ? spec : path.resolve(path.dirname(project.path), spec),
      `flow ${spec} from ${project.path}`,
    );
  }
  if (!cluster) return { flow: null, note: null };
  const { detectWorkflow } = await import('../workflow/flow.js');
  const found = detectWorkflow(await cluster.topicNames());
  if (!found) return { flow: null, note: null };
  if (found.prefix === 'shop.' && flags.prefix === undefined)
    return load(
      'shop',
      "the bundled flow shop (the demo's topics are on this cluster; --no-flow to judge by conventions only)",
    );
  const { workflowFlow } = await import('../workflow/flow.js');
  const { workflowNames } = await import('../workflow/names.js');
  return {
    flow: workflowFlow(workflowNames(flags.prefix ?? found.prefix)),
    note: `the bundled workflow's flow with prefix "${flags.prefix ?? found.prefix}" (its topics are on this cluster)`,
  };
}
