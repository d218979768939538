/** The runner's dependencies and the shape of its stages (event consumers). */
import type { AcceptedEvent } from "../../domain/schemas.js";
import type {
  BufferStore,
  CancellationStore,
  Clock,
  EventStore,
  GateStore,
  PauseStore,
  RegistryStore,
  RunStore,
} from "../../ports/index.js";
import type { DispatchDeps } from "../scheduling/dispatch.js";

export interface RunnerDeps extends DispatchDeps {
  registry: RegistryStore;
  events: EventStore;
  runs: RunStore;
  pauses: PauseStore;
  /** Bulk cancellations: a run created inside one's window is cancelled at once. */
  cancellations: CancellationStore;
  /** Debounce and batch buffers (core/flow/debounce.ts, batch.ts). */
  buffers: BufferStore;
  /** Throttle and rate-limit state, singleton locks (core/flow). */
  gates: GateStore;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** What creating a run needs: the runner's deps without the event store (timers create runs too). */
export type CreateRunDeps = Omit<RunnerDeps, "events">;

/** What a consumer reports about one event, for the event's stored record. */
export interface ConsumerOutcome {
  /** Runs this event started. */
  startedRunIds?: string[];
}

/** One stage of the runner: what an arriving event does besides being stored. */
export interface EventConsumer {
  readonly name: string;
  consume(accepted: AcceptedEvent): Promise<ConsumerOutcome>;
}

/** Builds a consumer for one batch (a consumer may cache per batch, e.g. function lookups). */
export type ConsumerFactory = (deps: RunnerDeps) => EventConsumer;
