// A data source with no cluster behind it: snapshots pushed by the caller, traces answered by a function of
// the caller's. Tests drive the components with it (test/tui/scene.ts has a scene of the demo's fault).

import type { TraceResult } from '../trace/trace.js';
import type { DashboardSource, Snapshot } from './source.js';

export class FakeSource implements DashboardSource {
  private latest: Snapshot | null;
  private readonly listeners = new Set<(s: Snapshot) => void>();
  /** ids traced, in order */
  readonly traced: string[] = [];
  closed = false;

  constructor(
    first: Snapshot | null,
    private readonly traces: (id: string) => Promise<TraceResult>,
  ) {
    this.latest = first;
  }

  current(): Snapshot | null {
    return this.latest;
  }

  subscribe(listener: (s: Snapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(snapshot: Snapshot): void {
    this.latest = snapshot;
    for (const l of this.listeners) l(snapshot);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  trace(id: string): Promise<TraceResult> {
    this.traced.push(id);
    return this.traces(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }
}
