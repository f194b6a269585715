// The registry's state: schemas by global id, subjects with their versions, compatibility levels. Every
// change is written to `<dataDir>/registry.json` atomically before it is answered; in memory when there is
// no data dir. Calls are synchronous, so requests never interleave inside one operation.

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic-file.js';
import {
  checkCompatibility,
  DEFAULT_COMPATIBILITY,
  isCompatibilityLevel,
  type CompatibilityLevel,
  type PreviousSchema,
} from './compatibility.js';
import {
  incompatible,
  invalidCompatibilityLevel,
  invalidSchema,
  referenceExists,
  schemaNotFound,
  storeError,
  subjectConfigNotFound,
  subjectNotFound,
  subjectNotSoftDeleted,
  subjectSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
  versionSoftDeleted,
} from './errors.js';
import {
  PROVIDERS,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaReference,
  type SchemaType,
} from './types/index.js';

export const REGISTRY_FILE = 'registry.json';

interface VersionEntry {
  version: number;
  id: number;
  deleted: boolean;
}

/** A schema as the registry keeps it: the text (Avro in canonical form), its type and its references. */
export interface StoredSchema {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
}

/** A schema as a request gives it (the type and references already checked for shape). */
export type SchemaInput = StoredSchema;

interface PersistedRegistry {
  format: 1;
  nextId: number;
  global: CompatibilityLevel;
  // schemaType and references are absent for Avro without references: files of earlier versions load unchanged
  schemas: { id: number; schema: string; schemaType?: SchemaType; references?: SchemaReference[] }[];
  subjects: { subject: string; versions: VersionEntry[] }[];
  configs: { subject: string; compatibility: CompatibilityLevel }[];
}

/** A schema as the API answers it: schemaType only when not AVRO, references only when there are some (as Confluent). */
export interface SchemaAnswer {
  schemaType?: SchemaType;
  references?: SchemaReference[];
  schema: string;
}

export interface SubjectVersion extends SchemaAnswer {
  subject: string;
  version: number;
  id: number;
}

/** `latest` or a version number (already validated by the caller). */
export type VersionRef = number | 'latest';

export function schemaAnswer(s: StoredSchema): SchemaAnswer {
  return {
    ...(s.schemaType === 'AVRO' ? {} : { schemaType: s.schemaType }),
    ...(s.references.length > 0 ? { references: s.references } : {}),
    schema: s.schema,
  };
}

export class RegistryStore {
  private nextId = 1;
  private global: CompatibilityLevel = DEFAULT_COMPATIBILITY;
  private readonly schemas = new Map<number, StoredSchema>();
  private readonly ids = new Map<string, number>(); // identity (type, canonical form, references) → id
  private readonly subjects = new Map<string, VersionEntry[]>();
  private readonly configs = new Map<string, CompatibilityLevel>();
  private readonly parsed = new Map<number, ParsedSchema>();

  private constructor(private readonly file: string | null) {}

  /** Opens the registry of a data dir (null: in memory). A damaged file is an error, never silently dropped. */
  static open(dataDir: string | null): RegistryStore {
    if (!dataDir) return new RegistryStore(null);
    fs.mkdirSync(dataDir, { recursive: true });
    const store = new RegistryStore(path.join(dataDir, REGISTRY_FILE));
    if (fs.existsSync(store.file!)) store.load(fs.readFileSync(store.file!, 'utf8'));
    return store;
  }

  private load(text: string): void {
    let data: PersistedRegistry;
    try {
      data = JSON.parse(text) as PersistedRegistry;
      if (data?.format !== 1) throw new Error(`unknown format ${JSON.stringify(data?.format)}`);
    } catch (err) {
      throw new Error(`cannot read the schema registry's ${this.file}: ${(err as Error).message}`);
    }
    this.nextId = data.nextId;
    this.global = isCompatibilityLevel(data.global) ? data.global : DEFAULT_COMPATIBILITY;
    for (const { id, schema, schemaType, references } of data.schemas) {
      this.schemas.set(id, { schema, schemaType: schemaType ?? 'AVRO', references: references ?? [] });
    }
    for (const { subject, versions } of data.subjects) this.subjects.set(subject, versions);
    for (const { subject, compatibility } of data.configs) this.configs.set(subject, compatibility);
    // identities after everything is loaded: references name other subjects' versions
    for (const [id, stored] of this.schemas) {
      try {
        this.ids.set(this.identity(stored, this.parsedOf(id)), id);
      } catch {
        // a schema that no longer parses is still served by id; registering it again makes a new one
      }
    }
  }

  private save(): void {
    if (!this.file) return;
    const data: PersistedRegistry = {
      format: 1,
      nextId: this.nextId,
      global: this.global,
      schemas: [...this.schemas].map(([id, s]) => ({ id, ...schemaAnswer(s) })),
      subjects: [...this.subjects].map(([subject, versions]) => ({ subject, versions })),
      configs: [...this.configs].map(([subject, compatibility]) => ({ subject, compatibility })),
    };
    try {
      writeFileAtomic(this.file, JSON.stringify(data) + '\n');
    } catch (err) {
      throw storeError((err as Error).message);
    }
  }

  /** Runs a change and persists it; on a failed write the in-memory state is rolled back to the file's. */
  private mutate<T>(change: () => T): T {
    const before = this.file ? this.snapshot() : undefined;
    const result = change();
    try {
      this.save();
    } catch (err) {
      if (before) this.restore(before);
      throw err;
    }
    return result;
  }

  private snapshot() {
    return {
      nextId: this.nextId,
      global: this.global,
      schemas: new Map(this.schemas),
      ids: new Map(this.ids),
      subjects: new Map([...this.subjects].map(([s, v]) => [s, v.map((e) => ({ ...e }))])),
      configs: new Map(this.configs),
    };
  }

  private restore(s: ReturnType<RegistryStore['snapshot']>): void {
    this.nextId = s.nextId;
    this.global = s.global;
    this.parsed.clear();
    for (const [a, b] of [
      [this.schemas, s.schemas],
      [this.ids, s.ids],
      [this.subjects, s.subjects],
      [this.configs, s.configs],
    ] as [Map<unknown, unknown>, Map<unknown, unknown>][]) {
      a.clear();
      for (const [k, v] of b) a.set(k, v);
    }
  }

  // ---- schemas, their references and identity ----

  /**
   * The schemas a list of references needs, their own references first (depth first, each once), as the
   * type providers take them. A reference to a subject-version that does not exist is 42201, as Confluent.
   */
  private resolve(references: SchemaReference[], seen = new Set<number>()): ResolvedReference[] {
    const out: ResolvedReference[] = [];
    for (const ref of references) {
      const all = this.subjects.get(ref.subject) ?? [];
      const e = all.find((v) => v.version === ref.version);
      if (!e) throw invalidSchema(`No schema reference found for subject "${ref.subject}" and version ${ref.version}`);
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      const stored = this.schemas.get(e.id)!;
      out.push(...this.resolve(stored.references, seen), { name: ref.name, schema: stored.schema });
    }
    return out;
  }

  /** Fixes `latest` (-1) references to the version they mean now. */
  private pinReferences(references: SchemaReference[]): SchemaReference[] {
    return references.map((r) => {
      if (r.version !== -1) return r;
      const live = this.live(r.subject);
      if (live.length === 0)
        throw invalidSchema(`No schema reference found for subject "${r.subject}" and version latest`);
      return { ...r, version: live[live.length - 1].version };
    });
  }

  private parse(input: StoredSchema): ParsedSchema {
    return PROVIDERS[input.schemaType].parse(input.schema, this.resolve(input.references));
  }

  /** What makes two schemas one: the same text under another type, or with other references, is another schema. */
  private identity(input: StoredSchema, parsed: ParsedSchema): string {
    const refs = input.references.map((r) => [r.name, r.subject, r.version]);
    return `${input.schemaType}\u0000${parsed.canonical}\u0000${JSON.stringify(refs)}`;
  }

  private parsedOf(id: number): ParsedSchema {
    let p = this.parsed.get(id);
    if (!p) {
      p = this.parse(this.schemas.get(id)!);
      this.parsed.set(id, p);
    }
    return p;
  }

  private previous(entries: VersionEntry[]): PreviousSchema[] {
    return entries.map((v) => ({
      version: v.version,
      schemaType: this.schemas.get(v.id)!.schemaType,
      parsed: this.parsedOf(v.id),
    }));
  }

  private live(subject: string): VersionEntry[] {
    return (this.subjects.get(subject) ?? []).filter((v) => !v.deleted);
  }

  private entry(subject: string, ref: VersionRef, includeDeleted: boolean): VersionEntry {
    const all = this.subjects.get(subject) ?? [];
    const candidates = includeDeleted ? all : all.filter((v) => !v.deleted);
    if (candidates.length === 0) throw subjectNotFound(subject);
    const found = ref === 'latest' ? candidates[candidates.length - 1] : candidates.find((v) => v.version === ref);
    if (!found) throw versionNotFound(ref);
    return found;
  }

  private view(subject: string, e: VersionEntry): SubjectVersion {
    return { subject, version: e.version, id: e.id, ...schemaAnswer(this.schemas.get(e.id)!) };
  }

  // ---- subjects and versions ----

  /** Registers a schema under a subject: the same schema again returns its id and adds no version. */
  register(subject: string, given: SchemaInput): { id: number } {
    const input = { ...given, references: this.pinReferences(given.references) };
    const parsed = this.parse(input);
    const key = this.identity(input, parsed);
    const existingId = this.ids.get(key);
    const live = this.live(subject);
    if (existingId !== undefined && live.some((v) => v.id === existingId)) return { id: existingId };
    const problems = checkCompatibility(
      { schemaType: input.schemaType, parsed },
      this.previous(live),
      this.compatibilityFor(subject),
    );
    if (problems.length > 0) throw incompatible(problems);
    return this.mutate(() => {
      let id = existingId;
      if (id === undefined) {
        id = this.nextId++;
        // Avro is kept in canonical form (as before); the other types as given: their canonical forms are not text
        const schema = input.schemaType === 'AVRO' ? parsed.canonical : input.schema;
        this.schemas.set(id, { ...input, schema });
        this.ids.set(key, id);
        this.parsed.set(id, parsed);
      }
      const versions = this.subjects.get(subject) ?? [];
      const version = versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      versions.push({ version, id, deleted: false });
      this.subjects.set(subject, versions);
      return { id };
    });
  }

  /** Is this schema registered (live) under the subject? */
  lookup(subject: string, given: SchemaInput): SubjectVersion {
    const input = { ...given, references: this.pinReferences(given.references) };
    const key = this.identity(input, this.parse(input));
    const live = this.live(subject);
    if (live.length === 0) throw subjectNotFound(subject);
    const id = this.ids.get(key);
    const found = live.find((v) => v.id === id);
    if (!found) throw schemaNotFound();
    return this.view(subject, found);
  }

  listSubjects(includeDeleted = false): string[] {
    return [...this.subjects]
      .filter(([, versions]) => versions.some((v) => includeDeleted || !v.deleted))
      .map(([s]) => s)
      .sort();
  }

  listVersions(subject: string, includeDeleted = false): number[] {
    const versions = (this.subjects.get(subject) ?? []).filter((v) => includeDeleted || !v.deleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  getVersion(subject: string, ref: VersionRef, includeDeleted = false): SubjectVersion {
    return this.view(subject, this.entry(subject, ref, includeDeleted));
  }

  getSchemaById(id: number): SchemaAnswer {
    const schema = this.schemas.get(id);
    if (schema === undefined || !this.used(id)) throw schemaNotFound();
    return schemaAnswer(schema);
  }

  /** The live subject-versions using a schema id. */
  versionsOfId(id: number): { subject: string; version: number }[] {
    this.getSchemaById(id);
    const out: { subject: string; version: number }[] = [];
    for (const [subject, versions] of this.subjects) {
      for (const v of versions) if (v.id === id && !v.deleted) out.push({ subject, version: v.version });
    }
    return out;
  }

  private used(id: number): boolean {
    for (const versions of this.subjects.values()) if (versions.some((v) => v.id === id)) return true;
    return false;
  }

  /** The ids of the schemas (of live versions) whose references name this subject-version. */
  referencedBy(subject: string, ref: VersionRef): number[] {
    const { version } = this.entry(subject, ref, false);
    return this.referrers(subject, version);
  }

  private referrers(subject: string, version: number): number[] {
    const ids = new Set<number>();
    for (const versions of this.subjects.values()) {
      for (const v of versions) {
        if (v.deleted) continue;
        const refs = this.schemas.get(v.id)!.references;
        if (refs.some((r) => r.subject === subject && r.version === version)) ids.add(v.id);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** A version other schemas reference cannot be deleted (Confluent's 42206). */
  private refuseIfReferenced(subject: string, versions: VersionEntry[]): void {
    const referenced = versions.find((v) => this.referrers(subject, v.version).length > 0);
    if (referenced) throw referenceExists(subject, referenced.version);
  }

  /** Soft delete (all live versions) or, after one, permanent delete of a subject; returns the versions deleted. */
  deleteSubject(subject: string, permanent: boolean): number[] {
    const all = this.subjects.get(subject);
    if (!all || all.length === 0) throw subjectNotFound(subject);
    const live = all.filter((v) => !v.deleted);
    this.refuseIfReferenced(subject, all);
    if (permanent) {
      if (live.length > 0) throw subjectNotSoftDeleted(subject);
      return this.mutate(() => {
        this.subjects.delete(subject);
        this.configs.delete(subject);
        return all.map((v) => v.version);
      });
    }
    if (live.length === 0) throw subjectSoftDeleted(subject);
    return this.mutate(() => {
      for (const v of live) v.deleted = true;
      return live.map((v) => v.version);
    });
  }

  /** Soft delete of one version or, after one, its permanent delete; returns the version number. */
  deleteVersion(subject: string, ref: VersionRef, permanent: boolean): number {
    const all = this.subjects.get(subject);
    if (!all || all.length === 0) throw subjectNotFound(subject);
    if (permanent) {
      const e = this.entry(subject, ref, true);
      if (!e.deleted) throw versionNotSoftDeleted(subject, e.version);
      this.refuseIfReferenced(subject, [e]);
      return this.mutate(() => {
        all.splice(all.indexOf(e), 1);
        if (all.length === 0) this.subjects.delete(subject);
        return e.version;
      });
    }
    if (ref !== 'latest') {
      const e = all.find((v) => v.version === ref);
      if (e?.deleted) throw versionSoftDeleted(subject, e.version);
    }
    const e = this.entry(subject, ref, false);
    this.refuseIfReferenced(subject, [e]);
    return this.mutate(() => {
      e.deleted = true;
      return e.version;
    });
  }

  // ---- compatibility ----

  /** Checks a schema against a subject: `latest` as registering would (transitive levels look at every version), a number against that version only. */
  testCompatibility(subject: string, ref: VersionRef, given: SchemaInput): string[] {
    const input = { ...given, references: this.pinReferences(given.references) };
    const candidate = { schemaType: input.schemaType, parsed: this.parse(input) };
    const level = this.compatibilityFor(subject);
    if (ref === 'latest') {
      const live = this.live(subject);
      if (live.length === 0) throw subjectNotFound(subject);
      return checkCompatibility(candidate, this.previous(live), level);
    }
    return checkCompatibility(candidate, this.previous([this.entry(subject, ref, false)]), level);
  }

  // ---- config ----

  /** The level that applies to a subject: its own, else the global one. */
  compatibilityFor(subject: string): CompatibilityLevel {
    return this.configs.get(subject) ?? this.global;
  }

  getGlobalCompatibility(): CompatibilityLevel {
    return this.global;
  }

  setGlobalCompatibility(level: unknown): CompatibilityLevel {
    if (!isCompatibilityLevel(level)) throw invalidCompatibilityLevel(level);
    return this.mutate(() => (this.global = level));
  }

  resetGlobalCompatibility(): CompatibilityLevel {
    const previous = this.global;
    this.mutate(() => (this.global = DEFAULT_COMPATIBILITY));
    return previous;
  }

  /** The subject's own level; with `defaultToGlobal`, the global one when it has none. */
  getSubjectCompatibility(subject: string, defaultToGlobal: boolean): CompatibilityLevel {
    const own = this.configs.get(subject);
    if (own) return own;
    if (defaultToGlobal) return this.global;
    throw subjectConfigNotFound(subject);
  }

  setSubjectCompatibility(subject: string, level: unknown): CompatibilityLevel {
    if (!isCompatibilityLevel(level)) throw invalidCompatibilityLevel(level);
    return this.mutate(() => {
      this.configs.set(subject, level);
      return level;
    });
  }

  /** Removes a subject's own level (the global one applies again); returns the removed level. */
  deleteSubjectCompatibility(subject: string): CompatibilityLevel {
    const own = this.configs.get(subject);
    if (!own) {
      if (!this.subjects.has(subject)) throw subjectNotFound(subject);
      throw subjectConfigNotFound(subject);
    }
    this.mutate(() => this.configs.delete(subject));
    return own;
  }
}
