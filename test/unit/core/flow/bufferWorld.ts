/**
 * A small world for the debounce and batch tests: every port in memory, the real runner pipeline
 * and timer handlers, a clock the test moves, and readers for the runs a function got.
 */
import { type MemoryPorts, memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../../shared/adapters/memory/ManualClock.js";
import { handleEvents, type RunnerDeps } from "../../../../shared/core/runner/pipeline.js";
import { deliverTimer, type TimerKindDeps } from "../../../../shared/core/scheduling/timerKinds.js";
import type { JsonObject } from "../../../../shared/domain/json.js";
import type {
  AcceptedEvent,
  FunctionRecord,
  InngestEvent,
  RunRecord,
} from "../../../../shared/domain/schemas.js";
import { makeAccepted, makeApp, makeFunction, T0 } from "../../../fixtures/records.js";
import { randomSuffix } from "../../../helpers/randomSuffix.js";

export type Deps = RunnerDeps & TimerKindDeps;

export interface BufferWorld {
  ports: MemoryPorts<ManualClock>;
  deps: Deps;
  ev(name: string): string;
  /** A function of this world's app with `config` merged into its synced config (not yet synced). */
  fn(id: string, events: string[], config: JsonObject): FunctionRecord;
  sync(fns: FunctionRecord[]): Promise<void>;
  /** Accepts an event now (its `ts` now unless given) and passes it through the runner. */
  send(event: Partial<InngestEvent>): Promise<AcceptedEvent>;
  /** Passes an accepted event (again) through the runner. */
  deliver(accepted: AcceptedEvent): Promise<void>;
  /** Delivers every timer due by now, including those the deliveries schedule, until none is due. */
  fireDueTimers(): Promise<number>;
  /** Moves the clock and fires what fell due. */
  advance(ms: number): Promise<void>;
  /** The runs of `fn`, oldest first (same time: lowest first `data.n` first), as stored. */
  runsOf(fn: FunctionRecord): Promise<RunRecord[]>;
}

export function bufferWorld(): BufferWorld {
  const ports = memoryPorts(new ManualClock(T0));
  const deps: Deps = ports;
  const appId = `app-${randomSuffix()}`;
  const w: BufferWorld = {
    ports,
    deps,
    ev: (name) => `${appId}/${name}`,
    fn: (id, events, config) =>
      makeFunction(appId, id, events, { config: { id: `${appId}-${id}`, ...config } }),
    async sync(fns) {
      await ports.registry.putAppSync(makeApp(appId, fns), fns);
    },
    async send(event) {
      const accepted = makeAccepted(event, ports.clock.now());
      await handleEvents(deps, [accepted]);
      return accepted;
    },
    deliver: (accepted) => handleEvents(deps, [accepted]),
    async fireDueTimers() {
      let fired = 0;
      for (let round = 0; round < 100; round++) {
        const due = ports.timers.takeDue(ports.clock.now());
        if (due.length === 0) return fired;
        for (const message of due) await deliverTimer(deps, message.item);
        fired += due.length;
      }
      throw new Error("timers kept falling due");
    },
    async advance(ms) {
      ports.clock.advance(ms);
      await w.fireDueTimers();
    },
    async runsOf(fn) {
      const { runs } = await ports.runs.listRuns(
        { from: 0, until: Number.MAX_SAFE_INTEGER, fnSlugs: [fn.slug], order: "asc" },
        { limit: 1000 },
      );
      const records = await Promise.all(runs.map((r) => ports.runs.getRun(r.runId)));
      // Runs created in the same millisecond: by their first event's `data.n` (the order sent).
      const n = (r: RunRecord) => Number(r.events[0]?.data.n ?? 0);
      return records
        .filter((r): r is RunRecord => r !== undefined)
        .sort((a, b) => a.startedAt - b.startedAt || n(a) - n(b));
    },
  };
  return w;
}

/** The `data.n` of each event of a run, in order. */
export const numbersOf = (run: RunRecord | undefined) => run?.events.map((e) => e.data.n) ?? [];
