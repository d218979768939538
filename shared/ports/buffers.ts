/**
 * Debounce and batch buffers (SEMANTICS 5.3, 5.4): one item per (function, hashed key) holding the
 * events of its current *cycle* (one fill of the buffer, ended by one run), and one small claim per
 * event saying which cycle's run it went into. The protocol over them lives in core/flow
 * (debounce.ts, batch.ts); the stores only make each write atomic and conditional.
 */
import type { InngestEvent } from "../domain/schemas.js";

/** Which buffer: a function and the hash of its key expression's value ("" = one per function). */
export interface BufferRef {
  fnSlug: string;
  key: string;
}

/** An event held in a buffer, with the internal id it was accepted under. */
export interface BufferedEvent {
  internalId: string;
  event: InngestEvent;
}

/** A batch buffer without its events: what an append reports (the events stay in the store). */
export interface BatchState extends BufferRef {
  /** Id of this fill: the flush's run id and idempotency key derive from it. */
  cycle: string;
  /** Set by the flush before it starts the run: nothing is appended any more. */
  sealed: boolean;
  createdAt: number;
  /** When the flush timer (scheduled before the buffer was created) falls due. */
  flushAt: number;
  /** How many events it holds. */
  size: number;
  /** Sum of the `bytes` of the appended events (the byte cap). */
  bytes: number;
}

/** A batch buffer: the events of one cycle in arrival order. */
export interface BatchBuffer extends BatchState {
  events: BufferedEvent[];
}

/** How a new batch buffer starts (its first event is appended with it). */
export interface BatchStart {
  cycle: string;
  createdAt: number;
  flushAt: number;
  /** Epoch ms after which the item may be garbage-collected (it is long flushed by then). */
  expiresAt: number;
}

export interface BatchAppend {
  entry: BufferedEvent;
  /** What the entry counts against `maxBytes`. */
  bytes: number;
  /** A buffer whose flushAt is not after `now` is due: it takes no more events. */
  now: number;
  maxSize: number;
  maxBytes: number;
}

export type BatchAppendResult =
  /** Appended to the open buffer; the buffer as it is after the append. */
  | { result: "appended"; buffer: BatchState }
  /** Already in the buffer (a redelivered event): nothing was written. */
  | { result: "present"; buffer: BatchState }
  /** Sealed, due, or no room (maxSize events, or not `bytes` left under maxBytes): flush it first. */
  | { result: "closed"; buffer: BatchState }
  /** No buffer: start one (startBatch). */
  | { result: "absent" };

/** Whether a batch takes no more of `append`: sealed, due, full, or without room for its bytes. */
export function batchClosed(b: BatchState, a: BatchAppend): boolean {
  return b.sealed || b.flushAt <= a.now || b.size >= a.maxSize || b.bytes + a.bytes > a.maxBytes;
}

/** A pending debounce: the latest event of its cycle and when the cycle fires. */
export interface DebounceBuffer extends BufferRef {
  cycle: string;
  /** Bumped by every write; writes are conditional on the version read (optimistic). */
  version: number;
  /** Set by the fire before it starts the run: the stored event is final. */
  sealed: boolean;
  /** When the cycle began (its first event): the debounce timeout counts from here. */
  firstAt: number;
  fireAt: number;
  latest: BufferedEvent;
}

export interface BufferStore {
  /** Appends to the open, not yet due buffer if it has room and lacks the event (one atomic write). */
  appendBatch(ref: BufferRef, append: BatchAppend): Promise<BatchAppendResult>;
  /** Creates the buffer with its first event; false when one exists already (append to it). */
  startBatch(ref: BufferRef, entry: BufferedEvent, bytes: number, start: BatchStart): Promise<boolean>;
  getBatch(ref: BufferRef): Promise<BatchBuffer | undefined>;
  /** Seals cycle `cycle` (again is harmless): the sealed buffer, or undefined when that cycle is gone. */
  sealBatch(ref: BufferRef, cycle: string): Promise<BatchBuffer | undefined>;
  /** Deletes the buffer if it still holds cycle `cycle`. */
  deleteBatch(ref: BufferRef, cycle: string): Promise<void>;

  getDebounce(ref: BufferRef): Promise<DebounceBuffer | undefined>;
  /**
   * Stores `next` if the stored debounce is still at `expected` (its cycle and version; undefined =
   * none stored). False when it changed meanwhile: read it again and decide again.
   */
  putDebounce(
    next: DebounceBuffer,
    expected: { cycle: string; version: number } | undefined,
    expiresAt: number,
  ): Promise<boolean>;
  /** Deletes the debounce if it still holds cycle `cycle`. */
  deleteDebounce(ref: BufferRef, cycle: string): Promise<void>;

  /**
   * Claims events for a cycle of `fnSlug`: each belongs to the first cycle that claims it until its
   * claim expires (claiming again for the same cycle is harmless). Returns the ids held by another
   * cycle, which the caller leaves out.
   */
  claimEvents(
    fnSlug: string,
    cycle: string,
    internalIds: readonly string[],
    opts: { now: number; expiresAt: number },
  ): Promise<Set<string>>;
  /** The cycle an event was claimed for, unless the claim expired (before `now`). */
  claimOf(fnSlug: string, internalId: string, now: number): Promise<string | undefined>;
}
