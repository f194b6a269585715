/**
 * Ids seen lately, oldest forgotten first. Bounded: a long-running process would otherwise keep every id
 * forever. Callers use it where forgetting is safe: the workflow's services dedupe event ids (every handler
 * also guards on state, so an old redelivery is still harmless), the dashboard remembers finished entities.
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 200_000) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }
  get size(): number {
    return this.ids.size;
  }
}
