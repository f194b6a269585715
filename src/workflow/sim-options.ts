// Parsers for the flags of `evt simulate`. Each fails with a usage error (exit 2) on one line that names
// the flag, quotes what was given and shows a form that works, since these specs are typed by hand.

import { parseInteger, usageError } from '../common/parse.js';
import { parseDurationText } from '../common/time.js';
import { SERVICES, type ServiceName } from './catalogue.js';

export interface LatencyRange {
  minMs: number;
  maxMs: number;
}

export interface ChaosAction {
  /** stop: paused, then resumes where it left off; kill: crashes without leaving its group, then restarts. */
  kind: 'stop' | 'kill';
  service: ServiceName;
  atMs: number;
  forMs: number;
}

export const MAX_INSTANCES = 16;
/** A killed service comes back after this unless `for` says otherwise. */
export const DEFAULT_KILL_FOR_MS = 1_000;

const RATE_EXAMPLE = 'e.g. --rate 50/s, --rate 50 or --rate 3000/m';
const LATENCY_EXAMPLE = 'e.g. --latency payments=20ms..200ms,fraud=5ms';
const INSTANCES_EXAMPLE = 'e.g. --instances orders=2,payments=3';
const CHAOS_EXAMPLE = "e.g. --chaos 'stop payments at 10s for 5s; kill orders at 20s for 2s'";

const PER_SECOND: Record<string, number> = { s: 1, m: 1 / 60, h: 1 / 3600 };

/** Orders per second from "50/s", "50" (per second) or "3000/m". */
export function parseRate(text: string, flag = '--rate'): number {
  const m = /^(\d+(?:\.\d+)?)(?:\s*\/\s*(s|m|h))?$/.exec(text.trim());
  const rate = m ? Number(m[1]) * PER_SECOND[m[2] ?? 's'] : NaN;
  if (!(rate > 0)) throw usageError(`${flag}: "${text}" is not a positive rate (${RATE_EXAMPLE})`);
  return rate;
}

/** A share in [0, 1], as "0.05" or "5%". */
export function parseFraction(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1))
    throw usageError(`${flag}: "${text}" is not a fraction from 0 to 1 (e.g. ${flag} 0.05 or ${flag} 5%)`);
  return value;
}

/** "payments=20ms..200ms,fraud=5ms": per service, a delay drawn from [min, max] (one value: exactly that). */
export function parseLatency(text: string, flag = '--latency'): Partial<Record<ServiceName, LatencyRange>> {
  const out: Partial<Record<ServiceName, LatencyRange>> = {};
  for (const [service, value] of perService(text, flag, LATENCY_EXAMPLE)) {
    const bounds = value.split('..');
    if (bounds.length > 2)
      throw usageError(`${flag}: "${service}=${value}" has more than one ".." (${LATENCY_EXAMPLE})`);
    const minMs = duration(bounds[0], flag, `${service}=${value}`, LATENCY_EXAMPLE);
    const maxMs = bounds.length === 2 ? duration(bounds[1], flag, `${service}=${value}`, LATENCY_EXAMPLE) : minMs;
    if (maxMs < minMs) throw usageError(`${flag}: "${service}=${value}" ends before it starts (${LATENCY_EXAMPLE})`);
    out[service] = { minMs, maxMs };
  }
  return out;
}

/** "orders=2,payments=3": instances per service, 1 to MAX_INSTANCES. */
export function parseInstances(text: string, flag = '--instances'): Partial<Record<ServiceName, number>> {
  const out: Partial<Record<ServiceName, number>> = {};
  for (const [service, value] of perService(text, flag, INSTANCES_EXAMPLE)) {
    out[service] = withExample(
      () => parseInteger(value, `${flag} ${service}`, { min: 1, max: MAX_INSTANCES }),
      INSTANCES_EXAMPLE,
    );
  }
  return out;
}

/**
 * One or more `;`-separated actions, sorted by when they happen:
 *   stop <service> at <duration> for <duration>   paused, then back
 *   kill <service> at <duration> [for <duration>]  crashed without leaving its group, restarted after `for`
 *                                                  (DEFAULT_KILL_FOR_MS when not given)
 */
export function parseChaos(spec: string, flag = '--chaos'): ChaosAction[] {
  const actions: ChaosAction[] = [];
  const parts = spec.split(';').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw usageError(`${flag}: no action given (${CHAOS_EXAMPLE})`);
  for (const part of parts) {
    if (part === '') continue;
    const words = part.split(/\s+/);
    const [kind, service, at, atText, forWord, forText, ...rest] = words;
    const bad = (why: string) => usageError(`${flag}: "${part}" ${why} (${CHAOS_EXAMPLE})`);
    if (kind !== 'stop' && kind !== 'kill') throw bad('does not start with stop or kill');
    if (!service) throw bad('names no service');
    if (!isService(service)) throw bad(`names no known service (services: ${SERVICES.join(', ')})`);
    if (at !== 'at' || atText === undefined) throw bad('says not when: add "at <duration>"');
    if (rest.length > 0 || (forWord !== undefined && (forWord !== 'for' || forText === undefined)))
      throw bad('has words after "at <duration>" other than "for <duration>"');
    if (kind === 'stop' && forWord === undefined) throw bad('says not for how long: add "for <duration>"');
    const atMs = duration(atText, flag, part, CHAOS_EXAMPLE);
    const forMs = forText === undefined ? DEFAULT_KILL_FOR_MS : duration(forText, flag, part, CHAOS_EXAMPLE);
    if (forMs === 0) throw bad('is down for no time');
    actions.push({ kind, service, atMs, forMs });
  }
  // stable: two actions at the same time keep the order they were written in
  return actions.sort((a, b) => a.atMs - b.atMs);
}

function isService(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

/** Splits "a=1,b=2" into known services and their values; a service given twice is a typo, not an override. */
function perService(text: string, flag: string, example: string): [ServiceName, string][] {
  const out: [ServiceName, string][] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw usageError(`${flag}: "${item}" is not <service>=<value> (${example})`);
    const service = item.slice(0, eq).trim();
    if (!isService(service))
      throw usageError(`${flag}: "${service}" is not a service (services: ${SERVICES.join(', ')}; ${example})`);
    if (out.some(([s]) => s === service)) throw usageError(`${flag}: ${service} is given twice (${example})`);
    out.push([service, item.slice(eq + 1).trim()]);
  }
  return out;
}

/** A duration >= 0 (parseDuration's message would offer -1 for "no limit", which means nothing here). */
function duration(text: string, flag: string, within: string, example: string): number {
  const ms = parseDurationText(text);
  if (ms === null)
    throw usageError(`${flag}: "${text}" in "${within}" is not a duration like 1500ms, 10s or 2m (${example})`);
  return ms;
}

function withExample<T>(parse: () => T, example: string): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof Error) throw usageError(`${e.message} (${example})`);
    throw e;
  }
}
