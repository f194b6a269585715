// Values in Confluent's schema registry wire format (magic byte 0, a 4-byte schema id, Avro) that tail cannot
// decode: no registry is configured, or the registry did not give the schema. Said once on stderr, in one
// line naming the schema id and what to do, rather than letting undecoded bytes scroll by unexplained.

import { schemaIdOf } from '../../codec/wire-format.js';
import { printLine } from '../io.js';

export class WireNotice {
  private said = false;

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    /** the registry's URL, or null when none is configured */
    private readonly registry: string | null,
  ) {}

  /** Whether a record's value still needs looking at (nothing said yet, and no registry to decode it). */
  get watching(): boolean {
    return !this.said && this.registry === null;
  }

  /** A record being printed: a value in the wire format with no registry to decode it is said once. */
  check(record: { topic: string; value: Buffer | null }): void {
    if (!this.watching) return;
    const id = schemaIdOf(record.value);
    if (id !== null) this.noRegistry(record.topic, id);
  }

  /** A wire-format value of `topic` with schema id `id`, and no registry configured. */
  noRegistry(topic: string, id: number): void {
    this.say(
      `evt: values of ${topic} are in the schema registry wire format (schema id ${id}) but no registry is configured, so they print undecoded; give --registry URL (or EVT_REGISTRY) to decode them`,
    );
  }

  /** The registry could not give schema `id` (needed by records of `topic`). */
  lookupFailed(topic: string, id: number, why: string): void {
    this.say(
      `evt: schema id ${id} (records of ${topic}) could not be fetched from the registry ${this.registry ?? '?'}: ${why}; they print undecoded: check --registry URL (or EVT_REGISTRY)`,
    );
  }

  private say(line: string): void {
    if (this.said) return;
    this.said = true;
    printLine(this.stderr, line);
  }
}
