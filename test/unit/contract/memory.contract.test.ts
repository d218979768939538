/** The port contracts against the in-memory adapters: no emulator, no network. */

import {
  MemoryBlobStore,
  MemoryCancellationStore,
  MemoryConcurrencyStore,
  MemoryEventStore,
  MemoryEventStream,
  MemoryGateStore,
  MemoryRegistryStore,
  MemoryRunStore,
  MemoryTimerService,
  MemoryWorkQueue,
  memoryPorts,
} from "../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../shared/adapters/memory/ManualClock.js";
import { MemoryBufferStore } from "../../../shared/adapters/memory/MemoryBufferStore.js";
import { MemoryRunUsageStore } from "../../../shared/adapters/memory/MemoryRunUsageStore.js";
import { describeBufferStore } from "../../contract/bufferStore.js";
import { describeCancellationStore } from "../../contract/cancellationStore.js";
import { describeConcurrencyStore } from "../../contract/concurrencyStore.js";
import { describeGateStore } from "../../contract/gateStore.js";
import {
  describeBlobStore,
  describeEventStore,
  describeEventStream,
  describeRegistryStore,
  describeRunHistory,
  describeRunStore,
  describeRunUsageStore,
  describeTimerService,
  describeWorkQueue,
} from "../../contract/index.js";
import { describePauseStore } from "../../contract/pauseStore.js";

const RETENTION_SECONDS = 3600;

describeBlobStore("memory", async () => ({ store: new MemoryBlobStore() }));

describeRegistryStore("memory", async () => ({ store: new MemoryRegistryStore() }));

describeEventStore("memory", async () => {
  const clock = new ManualClock();
  return {
    store: new MemoryEventStore(clock, RETENTION_SECONDS),
    clock,
    retentionSeconds: RETENTION_SECONDS,
  };
});

describeRunStore("memory", async () => ({ store: new MemoryRunStore() }));
describeRunHistory("memory", async () => ({ store: new MemoryRunStore() }));
describePauseStore("memory", async () => {
  const { runs } = memoryPorts();
  return { runs, pauses: runs.pauses };
});

describeWorkQueue("memory", async () => {
  const queue = new MemoryWorkQueue();
  return { queue, probe: { take: async () => queue.receive(10) } };
});

describeTimerService("memory", async () => {
  const timers = new MemoryTimerService();
  return { timers, clock: new ManualClock(), probe: { scheduled: async () => timers.pending() } };
});

describeEventStream("memory", async () => {
  const stream = new MemoryEventStream();
  return { stream, probe: { read: async () => stream.events() } };
});

describeCancellationStore("memory", async () => ({ store: new MemoryCancellationStore() }));

describeRunUsageStore("memory", async () => ({ store: new MemoryRunUsageStore() }));

describeGateStore("memory", async () => ({ store: new MemoryGateStore() }));

describeBufferStore("memory", async () => ({ store: new MemoryBufferStore() }));

describeConcurrencyStore("memory", async () => ({ store: new MemoryConcurrencyStore() }));
