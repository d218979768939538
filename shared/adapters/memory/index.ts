/**
 * In-memory implementations of every port, for fast unit tests. They pass the same contract suite
 * as the AWS adapters (test/contract) and add read methods for tests (what was queued, scheduled,
 * streamed) and failure injection (a commit or a send that throws).
 */
import type { Clock } from "../../ports/index.js";
import { ManualClock } from "./ManualClock.js";
import { MemoryAppHttp } from "./MemoryAppHttp.js";
import { MemoryBlobStore } from "./MemoryBlobStore.js";
import { MemoryBufferStore } from "./MemoryBufferStore.js";
import { MemoryCancellationStore } from "./MemoryCancellationStore.js";
import { MemoryConcurrencyStore } from "./MemoryConcurrencyStore.js";
import { DEFAULT_EVENT_RETENTION_SECONDS, MemoryEventStore } from "./MemoryEventStore.js";
import { MemoryEventStream } from "./MemoryEventStream.js";
import { MemoryGateStore } from "./MemoryGateStore.js";
import type { MemoryPauseStore } from "./MemoryPauseStore.js";
import { MemoryRegistryStore } from "./MemoryRegistryStore.js";
import { MemoryRunStore } from "./MemoryRunStore.js";
import { MemoryRunUsageStore } from "./MemoryRunUsageStore.js";
import { MemoryTimerService } from "./MemoryTimerService.js";
import { MemoryWorkQueue } from "./MemoryWorkQueue.js";

export { ManualClock } from "./ManualClock.js";
export { MemoryAppHttp, type ScriptedAnswer } from "./MemoryAppHttp.js";
export { MemoryBlobStore } from "./MemoryBlobStore.js";
export { MemoryBufferStore } from "./MemoryBufferStore.js";
export { MemoryCancellationStore } from "./MemoryCancellationStore.js";
export { MemoryConcurrencyStore } from "./MemoryConcurrencyStore.js";
export { DEFAULT_EVENT_RETENTION_SECONDS, MemoryEventStore } from "./MemoryEventStore.js";
export { MemoryEventStream } from "./MemoryEventStream.js";
export { MemoryGateStore } from "./MemoryGateStore.js";
export { MemoryPauseStore } from "./MemoryPauseStore.js";
export { MemoryRegistryStore } from "./MemoryRegistryStore.js";
export { MemoryRunStore } from "./MemoryRunStore.js";
export { MemoryTimerService } from "./MemoryTimerService.js";
export { MemoryWorkQueue, type QueuedJob } from "./MemoryWorkQueue.js";

export interface MemoryPorts<C extends Clock = Clock> {
  clock: C;
  registry: MemoryRegistryStore;
  events: MemoryEventStore;
  runs: MemoryRunStore;
  /** The pauses the run store writes (the same object as runs.pauses). */
  pauses: MemoryPauseStore;
  work: MemoryWorkQueue;
  timers: MemoryTimerService;
  stream: MemoryEventStream;
  blobs: MemoryBlobStore;
  appHttp: MemoryAppHttp;
  cancellations: MemoryCancellationStore;
  buffers: MemoryBufferStore;
  gates: MemoryGateStore;
  concurrency: MemoryConcurrencyStore;
  runUsage: MemoryRunUsageStore;
}

/** Every port in memory, sharing one clock (a ManualClock unless one is given). */
export function memoryPorts(): MemoryPorts<ManualClock>;
export function memoryPorts<C extends Clock>(
  clock: C,
  opts?: { eventRetentionSeconds?: number },
): MemoryPorts<C>;
export function memoryPorts(
  clock: Clock = new ManualClock(),
  opts: { eventRetentionSeconds?: number } = {},
): MemoryPorts {
  const runs = new MemoryRunStore();
  return {
    clock,
    registry: new MemoryRegistryStore(),
    events: new MemoryEventStore(clock, opts.eventRetentionSeconds ?? DEFAULT_EVENT_RETENTION_SECONDS),
    runs,
    pauses: runs.pauses,
    work: new MemoryWorkQueue(),
    timers: new MemoryTimerService(),
    stream: new MemoryEventStream(),
    blobs: new MemoryBlobStore(),
    appHttp: new MemoryAppHttp(),
    cancellations: new MemoryCancellationStore(),
    buffers: new MemoryBufferStore(),
    gates: new MemoryGateStore(),
    concurrency: new MemoryConcurrencyStore(),
    runUsage: new MemoryRunUsageStore(),
  };
}
