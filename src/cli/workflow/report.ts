// How a simulation shows itself: one progress line (stderr) while it runs, and the summary (stdout) at the
// end, as text or as the JSON document `--json` prints.

import { formatDuration } from '../../common/time.js';
import { ORDER_STATES, type OrderState, type ServiceName } from '../../workflow/catalogue.js';
import type { SimulationProgress, SimulationSummary } from '../../workflow/runtime/simulation.js';
import type { LatencySummary } from '../../common/stats.js';

const SHORT: Record<OrderState, string> = {
  PLACED: 'placed',
  CONFIRMED: 'confirmed',
  REJECTED: 'rejected',
  SHIPPED: 'shipped',
  COMPLETED: 'completed',
  CANCEL_PENDING: 'cancelling',
  CANCELLED: 'cancelled',
};

/** `12.0s sent 600/1000 | placed 12 confirmed 30 ... | 49.8 settled/s | lag orders 3 ... | down: inventory` */
export function progressLine(p: SimulationProgress): string {
  const states = ORDER_STATES.filter((s) => (p.byState[s] ?? 0) > 0)
    .map((s) => `${SHORT[s]} ${p.byState[s]}`)
    .join(' ');
  const lag = Object.entries(p.lag)
    .map(([s, n]) => `${s} ${n ?? '?'}`)
    .join(' ');
  const parts = [
    `${formatDuration(p.elapsedMs, 'seconds')}${p.phase === 'draining' ? ' draining,' : ''} sent ${p.sent}${p.planned !== null ? `/${p.planned}` : ''}`,
    states || 'no orders yet',
    `${p.rate.toFixed(1)} settled/s`,
  ];
  if (lag) parts.push(`lag ${lag}`);
  if (p.down.length) parts.push(`down: ${p.down.join(', ')}`);
  return parts.join(' | ');
}

function ms(n: number): string {
  return Number.isFinite(n) ? `${Math.round(n)}ms` : '-';
}

function latencyLine(label: string, l: LatencySummary): string {
  return `${label.padEnd(11)} p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (${l.count} orders)`;
}

export function summaryLines(s: SimulationSummary): string[] {
  const total = s.orders.requested;
  const pct = (n: number) => (total ? `${((100 * n) / total).toFixed(1)}%` : '-');
  const lines = [
    `simulated ${total} orders (seed ${String(s.seed)}${s.runTag ? `, run ${s.runTag}` : ''}) in ${formatDuration(s.durationMs.total, 'seconds')}: ${s.sentPerSecond.toFixed(1)} orders/s sent for ${formatDuration(s.durationMs.sending, 'seconds')}, ${s.decidedPerSecond.toFixed(1)} orders/s decided`,
    `topics      ${s.topics.workflow.join(', ')}`,
  ];
  for (const state of ORDER_STATES) {
    const n = s.orders.byState[state] ?? 0;
    if (n === 0 && state !== 'COMPLETED' && state !== 'REJECTED' && state !== 'CANCELLED') continue;
    let line = `  ${state.padEnd(14)} ${String(n).padStart(7)}  ${pct(n).padStart(6)}`;
    if (state === 'REJECTED' && n > 0) {
      line +=
        '   ' +
        Object.entries(s.orders.rejected)
          .map(([reason, c]) => `${reason} ${c}`)
          .join(', ');
    }
    lines.push(line);
  }
  lines.push(`latency     from request to decision (confirmed or final) and to the final state:`);
  lines.push(`  ${latencyLine('decision', s.latencyMs.decision)}`);
  lines.push(`  ${latencyLine('final', s.latencyMs.completion)}`);
  lines.push(
    `compensations: ${s.compensations.stockReleased} stock releases, ${s.compensations.paymentsVoided} payment voids`,
  );
  const dlq = Object.entries(s.deadLetters);
  lines.push(
    dlq.length
      ? `dead letters: ${dlq.map(([svc, n]) => `${s.topics.deadLetters[svc as ServiceName]} ${n}`).join(', ')} (${s.poisonSent} poison records sent); first: ${Object.values(s.deadLetterErrors)[0]?.[0] ?? ''}`
      : `dead letters: none (${s.poisonSent} poison records sent)`,
  );
  if (s.chaos.length)
    lines.push(
      `chaos: ${s.chaos.map((a) => `${a.kind} ${a.service} at ${formatDuration(a.atMs, 'seconds')} for ${formatDuration(a.forMs, 'seconds')}`).join('; ')}`,
    );
  if (s.drainCutShort)
    lines.push(
      `drain: cut short, ${s.drainCutShort.unsettled} order${s.drainCutShort.unsettled === 1 ? '' : 's'} not final yet (so the terminal and compensated invariants were not checked)`,
    );
  if (s.violations.length === 0)
    lines.push(
      `invariants: all hold (single writer, stock, ${s.drainCutShort ? '' : 'terminal, '}confirmed, ${s.drainCutShort ? '' : 'compensated, '}exactly once)`,
    );
  else {
    lines.push(`invariants: ${s.violations.length} violation(s)`);
    for (const v of s.violations.slice(0, 50)) lines.push(`  ${v.invariant}: ${v.message}`);
    if (s.violations.length > 50) lines.push(`  ... and ${s.violations.length - 50} more (--json lists them all)`);
  }
  return lines;
}

/** The JSON document of `--json`: the summary without the per-order map. */
export function summaryJson(s: SimulationSummary): Record<string, unknown> {
  const { outcomes: _outcomes, ...rest } = s;
  return { ...rest, ok: s.violations.length === 0 };
}
