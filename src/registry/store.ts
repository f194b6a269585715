// The registry's state: schemas by global id, subjects with their versions, compatibility levels. Every
// change is written to `<dataDir>/registry.json` atomically before it is answered; in memory when there is
// no data dir. Calls are synchronous, so requests never interleave inside one operation.

import fs from 'node:fs';
import path from 'node:path';
import type avro from 'avsc';
import { writeFileAtomic } from '../common/atomic-file.js';
import {
  canonicalSchema,
  checkCompatibility,
  DEFAULT_COMPATIBILITY,
  isCompatibilityLevel,
  parseAvroSchema,
  type CompatibilityLevel,
} from './compatibility.js';
import {
  incompatible,
  invalidCompatibilityLevel,
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

export const REGISTRY_FILE = 'registry.json';

interface VersionEntry {
  version: number;
  id: number;
  deleted: boolean;
}

interface PersistedRegistry {
  format: 1;
  nextId: number;
  global: CompatibilityLevel;
  schemas: { id: number; schema: string }[];
  subjects: { subject: string; versions: VersionEntry[] }[];
  configs: { subject: string; compatibility: CompatibilityLevel }[];
}

export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schema: string;
}

/** `latest` or a version number (already validated by the caller). */
export type VersionRef = number | 'latest';

export class RegistryStore {
  private nextId = 1;
  private global: CompatibilityLevel = DEFAULT_COMPATIBILITY;
  private readonly schemas = new Map<number, string>(); // id → canonical schema
  private readonly ids = new Map<string, number>(); // canonical schema → id
  private readonly subjects = new Map<string, VersionEntry[]>();
  private readonly configs = new Map<string, CompatibilityLevel>();
  private readonly types = new Map<number, avro.Type>();

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
    for (const { id, schema } of data.schemas) {
      this.schemas.set(id, schema);
      this.ids.set(schema, id);
    }
    for (const { subject, versions } of data.subjects) this.subjects.set(subject, versions);
    for (const { subject, compatibility } of data.configs) this.configs.set(subject, compatibility);
  }

  private save(): void {
    if (!this.file) return;
    const data: PersistedRegistry = {
      format: 1,
      nextId: this.nextId,
      global: this.global,
      schemas: [...this.schemas].map(([id, schema]) => ({ id, schema })),
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
    this.types.clear();
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

  private typeOf(id: number): avro.Type {
    let type = this.types.get(id);
    if (!type) {
      type = parseAvroSchema(this.schemas.get(id)!);
      this.types.set(id, type);
    }
    return type;
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
    return { subject, version: e.version, id: e.id, schema: this.schemas.get(e.id)! };
  }

  // ---- subjects and versions ----

  /** Registers a schema under a subject: the same schema again returns its id and adds no version. */
  register(subject: string, schemaText: unknown): { id: number } {
    const type = parseAvroSchema(schemaText);
    const canonical = canonicalSchema(type);
    const existingId = this.ids.get(canonical);
    const live = this.live(subject);
    if (existingId !== undefined && live.some((v) => v.id === existingId)) return { id: existingId };
    const problems = checkCompatibility(
      type,
      live.map((v) => ({ version: v.version, type: this.typeOf(v.id) })),
      this.compatibilityFor(subject),
    );
    if (problems.length > 0) throw incompatible(problems);
    return this.mutate(() => {
      let id = existingId;
      if (id === undefined) {
        id = this.nextId++;
        this.schemas.set(id, canonical);
        this.ids.set(canonical, id);
        this.types.set(id, type);
      }
      const versions = this.subjects.get(subject) ?? [];
      const version = versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      versions.push({ version, id, deleted: false });
      this.subjects.set(subject, versions);
      return { id };
    });
  }

  /** Is this schema registered (live) under the subject? */
  lookup(subject: string, schemaText: unknown): SubjectVersion {
    const canonical = canonicalSchema(parseAvroSchema(schemaText));
    const live = this.live(subject);
    if (live.length === 0) throw subjectNotFound(subject);
    const id = this.ids.get(canonical);
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

  getSchemaById(id: number): string {
    const schema = this.schemas.get(id);
    if (schema === undefined || !this.referenced(id)) throw schemaNotFound();
    return schema;
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

  private referenced(id: number): boolean {
    for (const versions of this.subjects.values()) if (versions.some((v) => v.id === id)) return true;
    return false;
  }

  /** Soft delete (all live versions) or, after one, permanent delete of a subject; returns the versions deleted. */
  deleteSubject(subject: string, permanent: boolean): number[] {
    const all = this.subjects.get(subject);
    if (!all || all.length === 0) throw subjectNotFound(subject);
    const live = all.filter((v) => !v.deleted);
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
    return this.mutate(() => {
      e.deleted = true;
      return e.version;
    });
  }

  // ---- compatibility ----

  /** Checks a schema against a subject: `latest` as registering would (transitive levels look at every version), a number against that version only. */
  testCompatibility(subject: string, ref: VersionRef, schemaText: unknown): string[] {
    const type = parseAvroSchema(schemaText);
    const level = this.compatibilityFor(subject);
    if (ref === 'latest') {
      const live = this.live(subject);
      if (live.length === 0) throw subjectNotFound(subject);
      return checkCompatibility(
        type,
        live.map((v) => ({ version: v.version, type: this.typeOf(v.id) })),
        level,
      );
    }
    const e = this.entry(subject, ref, false);
    return checkCompatibility(type, [{ version: e.version, type: this.typeOf(e.id) }], level);
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
