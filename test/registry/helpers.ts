// Small HTTP helpers for the registry tests: JSON in, status and JSON (or text) out.

export const CT = 'application/vnd.schemaregistry.v1+json';

export interface Answer {
  status: number;
  body: any;
  text: string;
  contentType: string | null;
}

export async function call(base: string, method: string, path: string, body?: unknown, raw?: string): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': CT, accept: CT },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, contentType: res.headers.get('content-type') };
}

/** A record schema `R` with the given fields, as the JSON string the API takes. */
export function record(fields: { name: string; type: unknown; default?: unknown }[], name = 'R'): string {
  return JSON.stringify({ type: 'record', name, namespace: 'evt.test', fields });
}

export const V1 = record([{ name: 'id', type: 'string' }]);
export const V2_WITH_DEFAULT = record([
  { name: 'id', type: 'string' },
  { name: 'total', type: 'int', default: 0 },
]);
export const V2_NO_DEFAULT = record([
  { name: 'id', type: 'string' },
  { name: 'total', type: 'int' },
]);
