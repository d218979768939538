/**
 * Debounce and batching never lose an event: random interleavings (concurrent deliveries and
 * timers), crashes before and after every store write, run creation and timer schedule, and
 * redelivered stream records. At the end every event is in exactly one batch run, or, for
 * debounce, in at most one run and, if in none, superseded by a newer event whose run started after
 * it arrived. Seeded, so a failure names the seed that reproduces it.
 */
import { describe, expect, it } from "vitest";
import { memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../../shared/adapters/memory/ManualClock.js";
import { handleEvents } from "../../../../shared/core/runner/pipeline.js";
import { deliverTimer } from "../../../../shared/core/scheduling/timerKinds.js";
import type { AcceptedEvent, FunctionRecord, RunRecord } from "../../../../shared/domain/schemas.js";
import { makeAccepted, makeApp, makeFunction, T0 } from "../../../fixtures/records.js";
import { seeded } from "../../../helpers/seeded.js";
import type { Deps } from "./bufferWorld.js";

class Crash extends Error {}

/** `target` whose named methods crash at random, before or after doing their work. */
function faulty<T extends object>(target: T, methods: readonly string[], crashes: () => boolean): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string" || !methods.includes(prop)) return value;
      return async (...args: unknown[]) => {
        if (crashes()) throw new Crash(`crash before ${prop}`);
        const result: unknown = await Reflect.apply(value, obj, args);
        if (crashes()) throw new Crash(`crash after ${prop}`);
        return result;
      };
    },
  });
}

const BUFFER_METHODS = [
  "appendBatch",
  "startBatch",
  "getBatch",
  "sealBatch",
  "deleteBatch",
  "getDebounce",
  "putDebounce",
  "deleteDebounce",
  "claimEvents",
  "claimOf",
] as const;

interface Outcome {
  fn: FunctionRecord;
  runs: RunRecord[];
  sent: AcceptedEvent[];
  /** Clock when each event (by internal id) was first handed to the runner. */
  arrivedAt: Map<string, number>;
  keyOf: (e: AcceptedEvent) => string;
}

async function simulate(seed: number, config: Record<string, unknown>): Promise<Outcome> {
  const random = seeded(seed);
  const ports = memoryPorts(new ManualClock(T0));
  let faults = true;
  const crashes = () => faults && random() < 0.04;
  const deps: Deps = {
    ...ports,
    buffers: faulty(ports.buffers, BUFFER_METHODS, crashes),
    runs: faulty(ports.runs, ["createRun"], crashes),
    timers: faulty(ports.timers, ["schedule"], crashes),
  };
  const appId = `app-${seed}`;
  const fn = makeFunction(appId, "fn", [`${appId}/go`], { config: { id: `${appId}-fn`, ...config } });
  await ports.registry.putAppSync(makeApp(appId, [fn]), [fn]);

  const TOTAL = 60;
  const sent: AcceptedEvent[] = [];
  const arrivedAt = new Map<string, number>();
  /** Records waiting for (re)delivery, with how many more times each will be delivered again. */
  const stream: { accepted: AcceptedEvent; redeliveries: number }[] = [];
  const keyOf = (e: AcceptedEvent) => String(e.event.data.k);

  const newEvent = async () => {
    if (sent.length >= TOTAL) return;
    const now = ports.clock.now();
    // Some events carry an older `ts` (debounce ignores them).
    const ts = random() < 0.2 ? now - Math.floor(random() * 1500) : now;
    const accepted = makeAccepted({ name: `${appId}/go`, data: { k: random() < 0.5 ? "a" : "b" }, ts }, now);
    sent.push(accepted);
    stream.push({ accepted, redeliveries: random() < 0.3 ? 1 + Math.floor(random() * 2) : 0 });
  };
  const deliver = async () => {
    const i = Math.floor(random() * stream.length);
    const record = stream[i];
    if (!record) return;
    stream.splice(i, 1);
    if (!arrivedAt.has(record.accepted.internalId))
      arrivedAt.set(record.accepted.internalId, ports.clock.now());
    try {
      await handleEvents(deps, [record.accepted]);
      if (record.redeliveries > 0) stream.push({ ...record, redeliveries: record.redeliveries - 1 });
    } catch (err) {
      if (!(err instanceof Crash)) throw err;
      stream.push(record); // the stream hands the record over again
    }
  };
  // The timer handler's clock runs a little ahead of the runner's (two machines): a fire can then
  // overlap events that still see the cycle open.
  const timerDeps: Deps = { ...deps, clock: { now: () => ports.clock.now() + (faults ? 400 : 0) } };
  const fireTimers = async () => {
    for (const message of ports.timers.takeDue(timerDeps.clock.now())) {
      try {
        await deliverTimer(timerDeps, message.item);
      } catch (err) {
        if (!(err instanceof Crash)) throw err;
        await ports.timers.schedule(message.item, message.dueAt); // the queue delivers it again
      }
    }
  };
  const actions = [newEvent, newEvent, deliver, deliver, deliver, fireTimers, async () => {}];

  for (let step = 0; step < 400; step++) {
    const concurrent = 1 + Math.floor(random() * 4);
    await Promise.all(
      Array.from({ length: concurrent }, () => actions[Math.floor(random() * actions.length)]?.()),
    );
    ports.clock.advance(Math.floor(random() * 150));
  }
  // Then the world heals: everything is delivered and every timer falls due.
  faults = false;
  while (sent.length < TOTAL) await newEvent();
  while (stream.length > 0) await deliver();
  for (let i = 0; i < 200 && ports.timers.pending().length > 0; i++) {
    ports.clock.advance(500);
    await fireTimers();
  }
  expect(ports.timers.pending()).toEqual([]);
  expect(ports.buffers.held()).toEqual({ batches: [], debounces: [] });

  const { runs: summaries } = await ports.runs.listRuns(
    { from: 0, until: Number.MAX_SAFE_INTEGER, fnSlugs: [fn.slug], order: "asc" },
    { limit: 10_000 },
  );
  const runs = (await Promise.all(summaries.map((s) => ports.runs.getRun(s.runId)))).filter(
    (r): r is RunRecord => r !== undefined,
  );
  return { fn, runs, sent, arrivedAt, keyOf };
}

/** How many runs hold each event (by its id, which is its internal id here). */
function runsPerEvent(runs: RunRecord[]): Map<string, RunRecord[]> {
  const per = new Map<string, RunRecord[]>();
  for (const run of runs) for (const e of run.events) per.set(e.id, [...(per.get(e.id) ?? []), run]);
  return per;
}

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe("batching under crashes, races and redeliveries", () => {
  it.each(SEEDS)("seed %i: every event runs in exactly one batch", async (seed) => {
    const { runs, sent, keyOf } = await simulate(seed, {
      batchEvents: { maxSize: 4, timeout: "1s", key: "event.data.k" },
    });
    const per = runsPerEvent(runs);
    for (const e of sent) expect(per.get(e.internalId)?.length, `event ${e.internalId}`).toBe(1);
    expect([...per.keys()].sort()).toEqual(sent.map((e) => e.internalId).sort());
    for (const run of runs) {
      expect(run.events.length).toBeLessThanOrEqual(4);
      expect(new Set(run.events.map((e) => String(e.data.k))).size).toBe(1);
      expect(run.eventId).toBe(run.events[0]?.id);
    }
    expect(sent.map(keyOf).length).toBe(60);
  });
});

describe("debounce under crashes, races and redeliveries", () => {
  it.each(SEEDS)(
    "seed %i: every event runs once, or a newer one that ran after it superseded it",
    async (seed) => {
      const { runs, sent, arrivedAt, keyOf } = await simulate(seed, {
        debounce: { period: "1s", timeout: "3s", key: "event.data.k" },
      });
      const per = runsPerEvent(runs);
      for (const run of runs) expect(run.events).toHaveLength(1);
      for (const e of sent) {
        const holding = per.get(e.internalId) ?? [];
        expect(holding.length, `event ${e.internalId} ran more than once`).toBeLessThanOrEqual(1);
        if (holding.length === 1) continue;
        const arrived = arrivedAt.get(e.internalId) ?? Number.POSITIVE_INFINITY;
        const superseding = runs.find((r) => {
          const last = r.events[0];
          return (
            last !== undefined &&
            String(last.data.k) === keyOf(e) &&
            last.ts >= e.event.ts &&
            r.startedAt >= arrived
          );
        });
        expect(superseding, `event ${e.internalId} was lost`).toBeDefined();
      }
      expect(runs.length).toBeGreaterThan(0);
    },
  );
});
