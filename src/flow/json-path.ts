// The small part of JSONPath that flows need: where an entity id or an event type lives inside a decoded value
// (`$.parcel.parcelId`, `$.lines[*].sku`, `$['odd key']`), read in both directions: the values at a path,
// and the paths at which a value occurs (what `evt trace` reports as "matched by" and what `evt flow infer`
// learns from). AsyncAPI's runtime expressions (`$message.payload#/a/b`, a JSON pointer) parse to the same
// steps. A JSONPath library evaluates paths but cannot answer the second question, which is the one trace asks
// of every candidate record; members, indices and wildcards are all either needs.

export type PathStep = { kind: 'member'; name: string } | { kind: 'index'; index: number } | { kind: 'any' };

export interface JsonPath {
  /** as written in a flow file: `$.a.b[0]` */
  readonly text: string;
  readonly steps: readonly PathStep[];
}

export class PathError extends Error {
  override name = 'PathError';
}

/** A place in a record: its key, one header, or a path into its decoded value. */
export type RecordPath =
  | { from: 'key'; text: string }
  | { from: 'header'; text: string; name: string }
  | { from: 'value'; text: string; path: JsonPath };

/**
 * `$key`, `$headers.<name>` (or `$headers['<name>']`), or a value path `$.a.b[0]`, `$.lines[*].sku`, `$['a b']`.
 * Throws PathError with a message that does not name the file or field (the caller adds them).
 */
export function parseRecordPath(text: unknown): RecordPath {
  if (typeof text !== 'string')
    throw new PathError(
      `a path is a string like "$.orderId", not ${text === null ? 'null' : Array.isArray(text) ? 'a list' : typeof text === 'object' ? 'an object' : JSON.stringify(text)}`,
    );
  if (text === '$key') return { from: 'key', text };
  if (text.startsWith('$headers')) {
    const rest = text.slice('$headers'.length);
    if (rest.startsWith('.') && rest.length > 1) return { from: 'header', text, name: rest.slice(1) };
    const quoted = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]$/.exec(rest);
    if (quoted) return { from: 'header', text, name: unescape(quoted[1] ?? quoted[2]) };
    throw new PathError(`bad path "${text}": a header is $headers.<name> or $headers['<name>']`);
  }
  return { from: 'value', text, path: parsePath(text) };
}

/** A value path: `$.a.b[0].c`, `$.a[*]`, `$['a b']`, or a JSON pointer `/a/0/b`. */
export function parsePath(text: string): JsonPath {
  const src = text.trim();
  if (src.startsWith('/')) return { text: formatPath(pointerSteps(src)), steps: pointerSteps(src) };
  if (!src.startsWith('$'))
    throw new PathError(`bad path "${text}": a path starts with $ (the value), $key or $headers.<name>`);
  const steps: PathStep[] = [];
  let i = 1;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(rest))) steps.push({ kind: 'member', name: m[1] });
    else if ((m = /^\[(0|[1-9][0-9]*)\]/.exec(rest))) steps.push({ kind: 'index', index: Number(m[1]) });
    else if ((m = /^\[\*\]/.exec(rest)) || (m = /^\.\*/.exec(rest))) steps.push({ kind: 'any' });
    else if ((m = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest)) || (m = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest)))
      steps.push({ kind: 'member', name: unescape(m[1]) });
    else throw new PathError(`bad path "${text}" at "${rest}": expected .field, [index], [*] or ['field']`);
    i += m[0].length;
  }
  return { text: src, steps };
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** RFC 6901: `/a/0/b`, with ~1 for "/" and ~0 for "~"; a number is an array index or a member of that name. */
function pointerSteps(pointer: string): PathStep[] {
  const parts = pointer.split('/').slice(1);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === ''))
    throw new PathError(`${pointer}: a pointer names at least one field`);
  return parts.map((p) => {
    const name = p.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^(0|[1-9]\d*)$/.test(name) ? { kind: 'index', index: Number(name) } : { kind: 'member', name };
  });
}

export function formatPath(steps: readonly PathStep[]): string {
  let out = '$';
  for (const s of steps) {
    if (s.kind === 'any') out += '[*]';
    else if (s.kind === 'index') out += `[${s.index}]`;
    else out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name) ? `.${s.name}` : `['${s.name.replace(/(['\\])/g, '\\$1')}']`;
  }
  return out;
}

/** Every value at the path (several with wildcards; none when the value lacks it). */
export function valuesAt(value: unknown, path: JsonPath): unknown[] {
  let current: unknown[] = [value];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object') continue;
      if (step.kind === 'any')
        next.push(...(Array.isArray(v) ? (v as unknown[]) : Object.values(v as Record<string, unknown>)));
      else if (step.kind === 'index') {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
        else if (!Array.isArray(v) && String(step.index) in v)
          next.push((v as Record<string, unknown>)[String(step.index)]);
      } else if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, step.name))
        next.push((v as Record<string, unknown>)[step.name]);
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** A decoded value as text: scalars as String() writes them, objects and arrays as JSON (never "[object Object]"). */
export function asText(v: unknown): string {
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** Whether a scalar equals an id given as text: strings exactly, numbers and booleans by their text. */
export function scalarIs(v: unknown, id: string): boolean {
  if (typeof v === 'string') return v === id;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v) === id;
  return false;
}

/**
 * The paths at which `id` occurs as a scalar inside `value` (array indices generalised to [*], so that the
 * same place in two records reads the same), depth-first, at most `limit`.
 */
export function pathsOf(value: unknown, id: string, limit = 8): string[] {
  const found: string[] = [];
  const steps: PathStep[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (found.length >= limit || depth > 32) return;
    if (v === null || typeof v !== 'object') {
      if (steps.length && scalarIs(v, id)) {
        const text = formatPath(steps);
        if (!found.includes(text)) found.push(text);
      }
      return;
    }
    if (Array.isArray(v)) {
      steps.push({ kind: 'any' });
      for (const item of v) walk(item, depth + 1);
      steps.pop();
      return;
    }
    for (const [name, item] of Object.entries(v)) {
      steps.push({ kind: 'member', name });
      walk(item, depth + 1);
      steps.pop();
    }
  };
  walk(value, 0);
  return found;
}

/**
 * Every scalar leaf of a value with its path (indices generalised to [*]), for inference: at most `limit`
 * leaves, strings and integers only (what ids are), nothing deeper than `maxDepth`.
 */
export function scalarLeaves(value: unknown, limit = 200, maxDepth = 8): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  const steps: PathStep[] = [];
  const walk = (v: unknown): void => {
    if (out.length >= limit || steps.length > maxDepth) return;
    if (v === null || v === undefined) return;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) {
      if (steps.length) out.push({ path: formatPath(steps), value: String(v) });
      return;
    }
    if (typeof v !== 'object') return;
    if (Array.isArray(v)) {
      steps.push({ kind: 'any' });
      for (const item of v.slice(0, 20)) walk(item);
      steps.pop();
      return;
    }
    for (const [name, item] of Object.entries(v)) {
      steps.push({ kind: 'member', name });
      walk(item);
      steps.pop();
    }
  };
  walk(value);
  return out;
}
