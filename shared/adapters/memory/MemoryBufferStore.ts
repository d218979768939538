import {
  type BatchAppend,
  type BatchAppendResult,
  type BatchBuffer,
  type BatchStart,
  type BatchState,
  type BufferedEvent,
  type BufferRef,
  type BufferStore,
  batchClosed,
  type DebounceBuffer,
} from "../../ports/index.js";

const refKey = (ref: BufferRef) => `${ref.fnSlug}\u0000${ref.key}`;

const stateOf = ({ events: _events, ...state }: BatchBuffer): BatchState => state;

/**
 * Buffers in maps, every operation atomic like the Dynamo store's conditional writes. Expiry is
 * not modelled for buffers (the Dynamo store never drops a buffer on read either); claims expire.
 */
export class MemoryBufferStore implements BufferStore {
  private readonly batches = new Map<string, BatchBuffer>();
  private readonly debounces = new Map<string, DebounceBuffer>();
  private readonly claims = new Map<string, { cycle: string; expiresAt: number }>();

  async appendBatch(ref: BufferRef, append: BatchAppend): Promise<BatchAppendResult> {
    const buffer = this.batches.get(refKey(ref));
    if (!buffer) return { result: "absent" };
    if (buffer.events.some((e) => e.internalId === append.entry.internalId)) {
      return { result: "present", buffer: stateOf(buffer) };
    }
    if (batchClosed(buffer, append)) return { result: "closed", buffer: stateOf(buffer) };
    buffer.events.push(structuredClone(append.entry));
    buffer.size += 1;
    buffer.bytes += append.bytes;
    return { result: "appended", buffer: stateOf(buffer) };
  }

  async startBatch(ref: BufferRef, entry: BufferedEvent, bytes: number, start: BatchStart): Promise<boolean> {
    const key = refKey(ref);
    if (this.batches.has(key)) return false;
    this.batches.set(key, {
      fnSlug: ref.fnSlug,
      key: ref.key,
      cycle: start.cycle,
      sealed: false,
      createdAt: start.createdAt,
      flushAt: start.flushAt,
      events: [structuredClone(entry)],
      size: 1,
      bytes,
    });
    return true;
  }

  async getBatch(ref: BufferRef): Promise<BatchBuffer | undefined> {
    const buffer = this.batches.get(refKey(ref));
    return buffer ? structuredClone(buffer) : undefined;
  }

  async sealBatch(ref: BufferRef, cycle: string): Promise<BatchBuffer | undefined> {
    const buffer = this.batches.get(refKey(ref));
    if (!buffer || buffer.cycle !== cycle) return undefined;
    buffer.sealed = true;
    return structuredClone(buffer);
  }

  async deleteBatch(ref: BufferRef, cycle: string): Promise<void> {
    if (this.batches.get(refKey(ref))?.cycle === cycle) this.batches.delete(refKey(ref));
  }

  async getDebounce(ref: BufferRef): Promise<DebounceBuffer | undefined> {
    const debounce = this.debounces.get(refKey(ref));
    return debounce ? structuredClone(debounce) : undefined;
  }

  async putDebounce(
    next: DebounceBuffer,
    expected: { cycle: string; version: number } | undefined,
    _expiresAt: number,
  ): Promise<boolean> {
    const key = refKey(next);
    const stored = this.debounces.get(key);
    const matches = expected
      ? stored?.cycle === expected.cycle && stored.version === expected.version
      : stored === undefined;
    if (!matches) return false;
    this.debounces.set(key, structuredClone(next));
    return true;
  }

  async deleteDebounce(ref: BufferRef, cycle: string): Promise<void> {
    if (this.debounces.get(refKey(ref))?.cycle === cycle) this.debounces.delete(refKey(ref));
  }

  async claimEvents(
    fnSlug: string,
    cycle: string,
    internalIds: readonly string[],
    opts: { now: number; expiresAt: number },
  ): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const id of internalIds) {
      const key = `${fnSlug}\u0000${id}`;
      const held = this.claims.get(key);
      if (held && held.cycle !== cycle && held.expiresAt >= opts.now) taken.add(id);
      else this.claims.set(key, { cycle, expiresAt: opts.expiresAt });
    }
    return taken;
  }

  async claimOf(fnSlug: string, internalId: string, now: number): Promise<string | undefined> {
    const held = this.claims.get(`${fnSlug}\u0000${internalId}`);
    return held && held.expiresAt >= now ? held.cycle : undefined;
  }

  /** Every buffer still held (tests: nothing left behind). */
  held(): { batches: BatchBuffer[]; debounces: DebounceBuffer[] } {
    return {
      batches: structuredClone([...this.batches.values()]),
      debounces: structuredClone([...this.debounces.values()]),
    };
  }
}
