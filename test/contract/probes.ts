/**
 * What a contract suite reads back from the ports that only send (queue, timers, stream). The AWS
 * side reads the emulator (ReceiveMessage, ListSchedules, GetRecords); the memory side reads the
 * adapters' test methods. Probes may see other tests' messages: suites pick out their own by id.
 */
import type { AcceptedEvent, Job, TimerMessage } from "../../shared/domain/schemas.js";
import { waitFor } from "../helpers/waitFor.js";

/** One message of the work queue: its body, message group and deduplication id. */
export interface QueuedJob {
  job: Job;
  group: string;
  dedupId: string;
}

export interface WorkQueueProbe {
  /** Takes the messages available now off the queue (deleting them), in delivery order; maybe []. */
  take(): Promise<QueuedJob[]>;
}

export interface TimerProbe {
  /** Every timer message scheduled so far that can be seen now (copies included). */
  scheduled(): Promise<TimerMessage[]>;
}

export interface EventStreamProbe {
  /** Every event on the stream so far, once per record. */
  read(): Promise<AcceptedEvent[]>;
}

/** Takes messages until `done` holds for everything taken so far (deadline-bound). */
export async function takeUntil(
  probe: WorkQueueProbe,
  done: (taken: QueuedJob[]) => boolean,
  what: string,
): Promise<QueuedJob[]> {
  const taken: QueuedJob[] = [];
  await waitFor(
    async () => {
      taken.push(...(await probe.take()));
      return done(taken);
    },
    { timeoutMs: 15_000, intervalMs: 25, what },
  );
  return taken;
}
