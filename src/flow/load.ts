// Loading a flow: a bundled one by name (`shop`, the order workflow's), an evt flow file (JSON or YAML), or
// AsyncAPI documents (2.x or 3.x, JSON or YAML; a directory of them, one per service, is read whole). An evt
// flow file may name AsyncAPI documents to start from (`asyncapi: [...]`) and add what AsyncAPI cannot say.

import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { FlowError, flowFromFile, type Flow } from './model.js';

/** The flows evt ships, by name. */
export const BUNDLED_FLOWS: Readonly<Record<string, string>> = { shop: 'flows/shop.json' };

export interface LoadOptions {
  /** replaces the file's prefix of topic names and group ids */
  prefix?: string;
}

/** A flow by bundled name, file or directory; throws FlowError naming the file and what is wrong. */
export async function loadFlow(spec: string, options: LoadOptions = {}): Promise<Flow> {
  const bundled = BUNDLED_FLOWS[spec];
  const file = bundled ? path.join(packageRoot(), bundled) : spec;
  if (!fs.existsSync(file))
    throw new FlowError(
      `flow ${spec} not found: give a flow file (.json, .yaml), an AsyncAPI document or directory, or a bundled flow (${Object.keys(BUNDLED_FLOWS).join(', ')})`,
    );
  if (fs.statSync(file).isDirectory()) return fromAsyncApiFiles(asyncApiFilesIn(file), file, options.prefix);
  const doc = await readDocument(file);
  if (isAsyncApi(doc)) return fromAsyncApiFiles([{ doc, file }], file, options.prefix);
  const imports = (doc as { asyncapi?: unknown }).asyncapi;
  let base: Flow | null = null;
  if (imports !== undefined) {
    const list = Array.isArray(imports) ? imports : [imports];
    if (!list.every((x) => typeof x === 'string'))
      throw new FlowError(`${file}: asyncapi: expected a file name or a list of them`);
    const docs: { doc: unknown; file: string }[] = [];
    for (const name of list) {
      const p = path.resolve(path.dirname(file), name);
      if (!fs.existsSync(p)) throw new FlowError(`${file}: asyncapi: ${name} not found`);
      if (fs.statSync(p).isDirectory())
        docs.push(
          ...(await Promise.all(asyncApiFilesIn(p).map(async (f) => ({ doc: await readDocument(f), file: f })))),
        );
      else docs.push({ doc: await readDocument(p), file: p });
    }
    base = await fromAsyncApiFiles(docs, file, '');
  }
  const { asyncapi: _imports, ...rest } = doc as Record<string, unknown>;
  return flowFromFile(rest, file, base, options.prefix);
}

/** An AsyncAPI document says its version (`asyncapi: 2.6.0`); an evt flow file's `asyncapi` names documents. */
function isAsyncApi(doc: unknown): boolean {
  const v = doc !== null && typeof doc === 'object' ? (doc as { asyncapi?: unknown }).asyncapi : undefined;
  return typeof v === 'string' && /^\d+\./.test(v);
}

function asyncApiFilesIn(dir: string): string[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(json|ya?ml)$/.test(f))
    .map((f) => path.join(dir, f))
    .sort();
  if (files.length === 0) throw new FlowError(`${dir}: no .json, .yaml or .yml documents in it`);
  return files;
}

async function fromAsyncApiFiles(
  docs: { doc: unknown; file: string }[] | string[],
  source: string,
  prefix?: string,
): Promise<Flow> {
  const loaded = await Promise.all(
    docs.map(async (d) => (typeof d === 'string' ? { doc: await readDocument(d), file: d } : d)),
  );
  const { flowFromAsyncApi } = await import('./asyncapi.js');
  const flow = flowFromAsyncApi(loaded);
  flow.source = source;
  if (prefix) {
    flow.prefix = prefix;
    for (const t of flow.topics) t.name = prefix + t.name;
    for (const r of flow.reactions) r.groups = r.groups.map((g) => prefix + g);
  }
  return flow;
}

/** A JSON or YAML document (YAML is loaded only when a file is not JSON). */
export async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlowError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (/\.json$/i.test(file) || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      if (/\.json$/i.test(file)) throw new FlowError(`${file} is not JSON: ${(err as Error).message}`);
    }
  }
  const { parseDocument } = await import('yaml');
  const parsed = parseDocument(text, { prettyErrors: true });
  if (parsed.errors.length) {
    const e = parsed.errors[0];
    const line = e.linePos?.[0];
    throw new FlowError(`${file}${line ? `:${line.line}:${line.col}` : ''} is not YAML: ${e.message.split('\n')[0]}`);
  }
  return parsed.toJS() as unknown;
}
