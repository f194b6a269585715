// Record filters for tail (and later trace): --key, --grep, --header and --where. All given filters must
// match (AND).
//
//   --key order-1              the key equals this (UTF-8)
//   --grep 'REJECT(ED)?'       a regular expression found in the value (JSON values as their JSON text)
//   --header evt-producer=orders   a header with this value; --header name   the header is present
//   --where status=CONFIRMED   a JSON field compared with a value: = != > >= < <= and ~ (regex);
//   --where total>100          paths are dotted: customer.id, lines.0.sku (or lines[0].sku)

import type { ConsumedRecord } from '../client/records.js';
import { asText } from '../flow/json-path.js';
import { usageError } from './errors.js';

export interface FilterOptions {
  key?: string;
  grep?: string;
  headers?: string[];
  where?: string[];
}

export type RecordPredicate = (record: ConsumedRecord, decodedValue: unknown) => boolean;

type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';

interface Condition {
  path: string[];
  op: Op;
  raw: string;
  test: (actual: unknown) => boolean;
}

function regex(source: string, option: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw usageError(`${option}: invalid regular expression: ${(err as Error).message}`);
  }
}

export function parsePath(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p.length > 0);
}

export function getPath(value: unknown, path: string[]): unknown {
  let cur = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** The literal on the right of a comparison: JSON literals (numbers, true, false, null, "quoted") or text. */
function literal(raw: string): unknown {
  const t = raw.trim();
  if (t === 'null' || t === 'true' || t === 'false' || /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t) || t.startsWith('"')) {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  }
  return t;
}

function compare(actual: unknown, expected: unknown): number | undefined {
  if (typeof expected === 'number') {
    const n =
      typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    return Number.isNaN(n) ? undefined : n - expected;
  }
  if (actual === undefined || actual === null || typeof actual === 'object') return undefined;
  const a = asText(actual);
  const e = String(expected);
  return a < e ? -1 : a > e ? 1 : 0;
}

function equals(actual: unknown, expected: unknown): boolean {
  if (expected === null) return actual === null;
  if (typeof expected === 'boolean') return actual === expected;
  if (typeof expected === 'number') return compare(actual, expected) === 0;
  return actual !== undefined && actual !== null && typeof actual !== 'object' && asText(actual) === expected;
}

export function parseWhere(expr: string): Condition {
  const m = /^([^=!<>~]+?)\s*(!=|>=|<=|=|>|<|~)\s*(.*)$/.exec(expr);
  if (!m || m[1].trim() === '') {
    throw usageError(
      `--where: "${expr}" is not <path><op><value> (ops: = != > >= < <= ~), e.g. status=CONFIRMED or total>100`,
    );
  }
  const path = parsePath(m[1].trim());
  const op = m[2] as Op;
  const raw = m[3];
  // `total>>5` or `total=>5` would compare with the text ">5" and match nothing: a mistyped operator
  if (op !== '~' && /^\s*[=!<>~]/.test(raw))
    throw usageError(
      `--where: "${expr}" has no operator "${op}${raw.trim()[0]}" (ops: = != > >= < <= ~; quote a value that starts with one: total>"=5")`,
    );
  if (op !== '=' && op !== '!=' && raw.trim() === '')
    throw usageError(`--where: "${expr}" has nothing to compare with after "${op}" (e.g. total>100)`);
  const expected = literal(raw);
  let test: (a: unknown) => boolean;
  switch (op) {
    case '=':
      test = (a) => equals(a, expected);
      break;
    case '!=':
      test = (a) => !equals(a, expected);
      break;
    case '~': {
      const re = regex(raw, '--where');
      test = (a) => a !== undefined && a !== null && re.test(asText(a));
      break;
    }
    default: {
      const want = (c: number) => (op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c <= 0);
      test = (a) => {
        const c = compare(a, expected);
        return c !== undefined && want(c);
      };
    }
  }
  return { path, op, raw, test };
}

function headerFilter(spec: string): (r: ConsumedRecord) => boolean {
  const eq = spec.indexOf('=');
  if (eq === 0) throw usageError(`--header: "${spec}" needs a name (name=value or name)`);
  const name = eq < 0 ? spec : spec.slice(0, eq);
  if (eq < 0) return (r) => r.headers.some((h) => h.key === name);
  const want = spec.slice(eq + 1);
  return (r) => r.headers.some((h) => h.key === name && h.value !== null && h.value.toString('utf8') === want);
}

function valueText(decoded: unknown): string {
  if (decoded === null || decoded === undefined) return '';
  return typeof decoded === 'string' ? decoded : JSON.stringify(decoded);
}

/** Builds one predicate from the options; undefined when there is nothing to filter. */
export function buildFilter(options: FilterOptions): RecordPredicate | undefined {
  const tests: RecordPredicate[] = [];
  if (options.key !== undefined) {
    const key = Buffer.from(options.key, 'utf8');
    tests.push((r) => r.key !== null && r.key.equals(key));
  }
  if (options.grep !== undefined) {
    const re = regex(options.grep, '--grep');
    tests.push((_r, v) => re.test(valueText(v)));
  }
  for (const h of options.headers ?? []) {
    const f = headerFilter(h);
    tests.push((r) => f(r));
  }
  for (const w of options.where ?? []) {
    const c = parseWhere(w);
    tests.push((_r, v) => c.test(getPath(v, c.path)));
  }
  if (tests.length === 0) return undefined;
  return (r, v) => tests.every((t) => t(r, v));
}
