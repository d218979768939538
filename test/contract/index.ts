/**
 * One contract suite per port (shared/ports/index.ts). Each runs against the memory adapters
 * (test/unit/contract) and the AWS adapters on the emulators (test/integration/contract), so both
 * implementations are held to the same assertions.
 */
export { type BlobStoreHarness, describeBlobStore } from "./blobStore.js";
export { type BufferStoreHarness, describeBufferStore } from "./bufferStore.js";
export { type ConcurrencyStoreHarness, describeConcurrencyStore } from "./concurrencyStore.js";
export { describeEventStore, type EventStoreHarness } from "./eventStore.js";
export { describeEventStream, type EventStreamHarness } from "./eventStream.js";
export type { EventStreamProbe, QueuedJob, TimerProbe, WorkQueueProbe } from "./probes.js";
export { describeRegistryStore, type RegistryStoreHarness } from "./registryStore.js";
export { describeRunHistory } from "./runHistory.js";
export { describeRunStore, type RunStoreHarness } from "./runStore.js";
export { describeRunUsageStore, type RunUsageStoreHarness } from "./runUsageStore.js";
export { describeTimerService, type TimerServiceHarness } from "./timerService.js";
export { describeWorkQueue, type WorkQueueHarness } from "./workQueue.js";
