// React hooks over the outside world: the source's snapshots and the terminal's size.

import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { DashboardSource, Snapshot } from './source.js';

/** The latest snapshot, re-rendering when the source pushes one (it bounds the rate). */
export function useSnapshot(source: DashboardSource): Snapshot | null {
  const [snapshot, setSnapshot] = useState<Snapshot | null>(() => source.current());
  useEffect(() => source.subscribe(setSnapshot), [source]);
  return snapshot;
}

/** Columns and rows, following resizes; `fixed` wins (tests render at a chosen size). */
export function useTerminalSize(fixed?: { columns: number; rows: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed?.columns, fixed?.rows]);
  return fixed ?? size;
}
