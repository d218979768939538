/**
 * Concurrency limits on the memory ports: leases taken at dispatch, jobs parked in score order
 * when a key is full, slots refilled on release, and expired leases reclaimed by the check timer.
 */
import { describe, expect, it, vi } from "vitest";
import { executeJob } from "../../../../shared/core/engine/executeJob.js";
import { recoverStalledRuns } from "../../../../shared/core/recovery/sweep.js";
import { handleEvents } from "../../../../shared/core/runner/pipeline.js";
import { cancelRun } from "../../../../shared/core/runs/cancel.js";
import { deliverTimer } from "../../../../shared/core/scheduling/timerKinds.js";
import type { Job } from "../../../../shared/domain/schemas.js";
import { makeAccepted } from "../../../fixtures/records.js";
import { complete, ops, stepRun } from "../../../fixtures/sdk.js";
import { seeded } from "../../../helpers/seeded.js";
import { type Deps, type World, world } from "../pauses/world.js";

const ALL = "*all*";
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Counts the app's requests in flight per tenant, and the most ever at once. */
function inFlight() {
  const now = new Map<string, number>();
  const peak = new Map<string, number>();
  return {
    peak,
    /** Most requests in flight at once over all tenants. */
    total: () => peak.get(ALL) ?? 0,
    async during<T>(tenant: string, work: () => Promise<T>): Promise<T> {
      for (const k of [tenant, ALL]) {
        const n = (now.get(k) ?? 0) + 1;
        now.set(k, n);
        peak.set(k, Math.max(peak.get(k) ?? 0, n));
      }
      try {
        return await work();
      } finally {
        for (const k of [tenant, ALL]) now.set(k, (now.get(k) ?? 1) - 1);
      }
    },
    tenants: () => [...peak.entries()].filter(([k]) => k !== ALL),
  };
}

/** A two-request function: one step, then the result. Each request takes a few event-loop turns. */
async function syncTwoStep(w: World, config: Record<string, unknown>, counter: ReturnType<typeof inFlight>) {
  const fn = w.fn("limited", [w.ev("go")], { config: { id: "limited", ...config } });
  await w.sync([
    [
      fn,
      (call) =>
        counter.during(String(call.event.data.tenant ?? ""), async () => {
          for (let i = 0; i < 3; i++) await tick();
          const done = call.steps.s1 !== undefined;
          return done ? complete({ ok: true }) : ops(stepRun("s1", 1));
        }),
    ],
  ]);
  return fn;
}

/**
 * Two runs of one tenant of a limit-1 function: a's start taken off the work queue (it holds the
 * slot) and b's parked behind it.
 */
async function oneAdmittedOneParked(w: World) {
  const fn = await syncTwoStep(w, { concurrency: 1 }, inFlight());
  const a = makeAccepted({ name: w.ev("go"), data: { tenant: "a" } });
  const b = makeAccepted({ name: w.ev("go"), data: { tenant: "a" } });
  await handleEvents(w.deps, [a, b]);
  const [admitted] = w.ports.work.receive(1);
  const runA = (await w.runOf(fn, a)).runId;
  expect(admitted?.job.runId).toBe(runA);
  return { fn, admitted: admitted?.job as Job, runA, runB: (await w.runOf(fn, b)).runId };
}

/** Runs queued jobs with `workers` concurrent executors until the queue stays empty. */
async function drain(w: World, workers: number, run: (job: Job) => Promise<unknown>): Promise<void> {
  let idle = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const [queued] = w.ports.work.receive(1);
        if (queued) {
          idle = 0;
          await run(queued.job);
          continue;
        }
        if (++idle > workers * 20) return;
        await tick();
      }
    }),
  );
}

describe("concurrency limits", () => {
  it("never runs more than the limit per key, parks the rest and runs every run to the end", async () => {
    const w = await world();
    const counter = inFlight();
    const fn = await syncTwoStep(w, { concurrency: { limit: 2, key: "event.data.tenant" } }, counter);
    const events = Array.from({ length: 30 }, (_, i) =>
      makeAccepted({ name: w.ev("go"), data: { tenant: `t${i % 3}` } }),
    );
    await handleEvents(w.deps, events);
    // 3 tenants × 2 slots admitted; the other 24 starts wait parked, not queued.
    expect(w.ports.work.peek()).toHaveLength(6);
    await drain(w, 8, (job) => executeJob(w.deps, job, { receiveCount: 1, remainingMs: 60_000 }));
    for (const e of events) expect((await w.runOf(fn, e)).status).toBe("Completed");
    expect(Math.max(...counter.tenants().map(([, n]) => n))).toBe(2);
    expect(
      counter
        .tenants()
        .map(([k]) => k)
        .sort(),
    ).toEqual(["t0", "t1", "t2"]);
    expect(counter.total()).toBeGreaterThan(2);
  });

  it("a function without a limit sends its jobs straight to the queue and touches no counter", async () => {
    const w = await world();
    const counter = inFlight();
    await syncTwoStep(w, {}, counter);
    const events = Array.from({ length: 5 }, () => makeAccepted({ name: w.ev("go"), data: { tenant: "a" } }));
    await handleEvents(w.deps, events);
    expect(w.ports.work.peek()).toHaveLength(5);
    expect(w.ports.concurrency.peak.size).toBe(0);
  });

  it("gives parked jobs of older runs and higher priorities the freed slots first", async () => {
    const w = await world();
    const counter = inFlight();
    const fn = await syncTwoStep(w, { concurrency: 1, priority: { run: "event.data.boost" } }, counter);
    const at = w.ports.clock.now();
    const first = makeAccepted({ name: w.ev("go"), data: { tenant: "a", boost: 0 } }, at);
    const late = makeAccepted({ name: w.ev("go"), data: { tenant: "a", boost: 0 } }, at + 1000);
    const boosted = makeAccepted({ name: w.ev("go"), data: { tenant: "a", boost: 120 } }, at + 2000);
    w.ports.clock.set(at);
    await handleEvents(w.deps, [first]);
    w.ports.clock.set(at + 1000);
    await handleEvents(w.deps, [late]);
    w.ports.clock.set(at + 2000);
    await handleEvents(w.deps, [boosted]);
    const order: string[] = [];
    await drain(w, 1, async (job) => {
      if (job.stepId === "step" && job.version === 0) order.push(job.runId);
      await executeJob(w.deps, job, { receiveCount: 1, remainingMs: 60_000 });
    });
    const ids = await Promise.all([first, boosted, late].map(async (e) => (await w.runOf(fn, e)).runId));
    expect(order).toEqual(ids);
  });

  it("a run's next step goes before runs waiting to start", async () => {
    const w = await world();
    const counter = inFlight();
    const fn = await syncTwoStep(w, { concurrency: 1 }, counter);
    const a = makeAccepted({ name: w.ev("go"), data: { tenant: "a" } });
    const b = makeAccepted({ name: w.ev("go"), data: { tenant: "a" } });
    await handleEvents(w.deps, [a, b]);
    const runA = (await w.runOf(fn, a)).runId;
    const seen: string[] = [];
    // remainingMs below the inline minimum: every job goes through the queue.
    await drain(w, 1, async (job) => {
      seen.push(job.runId === runA ? "a" : "b");
      await executeJob(w.deps, job, { receiveCount: 1, remainingMs: 1000 });
    });
    expect(seen).toEqual(["a", "a", "b", "b"]);
  });
});

describe("concurrency leases", () => {
  it("a request longer than its lease keeps its slot: the executor renews it every third of the lease", async () => {
    const w = await world();
    w.deps.leaseMs = 30;
    const fn = w.fn("long", [w.ev("go")], { config: { id: "long", concurrency: 1 } });
    let liveAtEnd = -1;
    await w.sync([
      [
        fn,
        async () => {
          // 60 ms pass on the run's clock (two leases) while the request runs, in real time too.
          for (let i = 0; i < 3; i++) {
            w.ports.clock.advance(20);
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
          liveAtEnd = (await w.ports.concurrency.status(`f:${fn.slug}`, w.ports.clock.now())).live;
          return complete("done");
        },
      ],
    ]);
    await handleEvents(w.deps, [makeAccepted({ name: w.ev("go") })]);
    await w.runJobs();
    expect(liveAtEnd).toBe(1);
  });

  it("a job of a cancelled run gives its lease back at once, and the waiting run takes the slot", async () => {
    const w = await world();
    const { admitted, runA, runB } = await oneAdmittedOneParked(w);
    await cancelRun(w.deps, runA, "api");
    expect(await executeJob(w.deps, admitted, { receiveCount: 1, remainingMs: 60_000 })).toBe("stale");
    // No clock moved: b's start was sent by the release, not by the lease's expiry.
    expect(w.ports.work.peek().map((q) => q.job.runId)).toEqual([runB]);
  });

  it("a second delivery of a job another executor is running is dropped, not run beside it", async () => {
    const w = await world();
    const calls: string[] = [];
    const fn = w.fn("once", [w.ev("go")], { config: { id: "once", concurrency: 2 } });
    await w.sync([
      [
        fn,
        async () => {
          calls.push("request");
          for (let i = 0; i < 3; i++) await tick();
          return complete("done");
        },
      ],
    ]);
    await handleEvents(w.deps, [makeAccepted({ name: w.ev("go") })]);
    const [queued] = w.ports.work.receive(1);
    const job = queued?.job as Job;
    const results = await Promise.all([
      executeJob(w.deps, job, { receiveCount: 1, remainingMs: 60_000 }),
      executeJob(w.deps, job, { receiveCount: 2, remainingMs: 60_000 }),
    ]);
    expect(results.sort()).toEqual(["applied", "stale"]);
    expect(calls).toEqual(["request"]);
  });

  it("a slot whose holder never comes back is reclaimed when its lease expires, by the key's check timer", async () => {
    const w = await world();
    w.deps.leaseMs = 10_000;
    // a's start was admitted and then lost for good (say, its executor died and the message went
    // to the dead-letter queue); b waits parked.
    const { runB } = await oneAdmittedOneParked(w);
    expect(w.ports.work.peek()).toHaveLength(0);
    w.ports.clock.advance(9_999);
    for (const m of w.ports.timers.takeDue(w.ports.clock.now())) await deliverTimer(w.deps, m.item);
    expect(w.ports.work.peek()).toHaveLength(0);
    w.ports.clock.advance(2);
    const due = w.ports.timers.takeDue(w.ports.clock.now());
    expect(due.map((m) => m.item.kind)).toEqual(["flowCheck"]);
    for (const m of due) await deliverTimer(w.deps, m.item);
    expect(w.ports.work.peek().map((q) => q.job.runId)).toEqual([runB]);
  });
});

describe("concurrency lease timing", () => {
  it("a lease lasts 60 s by default: the key's check reclaims it at exactly 60,000 ms, not before", async () => {
    const w = await world();
    const { fn, runB } = await oneAdmittedOneParked(w);
    w.ports.clock.advance(59_999);
    expect(w.ports.timers.takeDue(w.ports.clock.now())).toEqual([]);
    expect((await w.ports.concurrency.status(`f:${fn.slug}`, w.ports.clock.now())).live).toBe(1);
    w.ports.clock.advance(1);
    const due = w.ports.timers.takeDue(w.ports.clock.now());
    expect(due.map((m) => m.item.kind)).toEqual(["flowCheck"]);
    for (const m of due) await deliverTimer(w.deps, m.item);
    expect(w.ports.work.peek().map((q) => q.job.runId)).toEqual([runB]);
  });

  it("renews a running job's lease every third of the lease", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const w = await world();
      w.deps.leaseMs = 3000;
      const fn = w.fn("renewed", [w.ev("go")], { config: { id: "renewed", concurrency: 1 } });
      const store = w.ports.concurrency;
      const extend = store.extend.bind(store);
      let renewals = 0;
      store.extend = (key, lease) => {
        renewals++;
        return extend(key, lease);
      };
      const seen: number[] = [];
      await w.sync([
        [
          fn,
          async () => {
            for (const ms of [999, 1, 999, 1]) {
              vi.advanceTimersByTime(ms);
              seen.push(renewals);
            }
            return complete("done");
          },
        ],
      ]);
      await handleEvents(w.deps, [makeAccepted({ name: w.ev("go") })]);
      await w.runJobs();
      expect(seen).toEqual([0, 1, 1, 2]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("concurrency under crashes (property)", () => {
  it("across 1,000 runs with random keys and executors killed at random points, no limit is exceeded and no run is lost", async () => {
    const w = await world();
    const counter = inFlight();
    const leaseMs = 30_000;
    w.deps.leaseMs = leaseMs;
    const fn = await syncTwoStep(
      w,
      { concurrency: [{ limit: 3, key: "event.data.tenant" }, { limit: 8 }] },
      counter,
    );
    const random = seeded(42);
    const events = Array.from({ length: 1000 }, () =>
      makeAccepted({ name: w.ev("go"), data: { tenant: `t${Math.floor(random() * 5)}` } }),
    );
    for (let i = 0; i < events.length; i += 100) await handleEvents(w.deps, events.slice(i, i + 100));

    // A killed executor stops at a random store call and never goes on: its leases stay taken
    // until they expire, and its message comes back after the visibility timeout.
    const invisible: Job[] = [];
    let kills = 0;
    const killable = (job: Job): Deps => {
      if (random() >= 0.05) return w.deps;
      kills++;
      invisible.push(job);
      let calls = Math.floor(random() * 12);
      const hang = () => new Promise<never>(() => {});
      const wrap = <T extends object>(target: T): T =>
        new Proxy(target, {
          get(obj, prop, receiver) {
            const value = Reflect.get(obj, prop, receiver);
            if (typeof value !== "function") return value;
            return (...args: unknown[]) => (calls-- <= 0 ? hang() : value.apply(obj, args));
          },
        });
      return {
        ...w.deps,
        runs: wrap(w.deps.runs),
        concurrency: wrap(w.ports.concurrency),
        work: wrap(w.deps.work),
        timers: wrap(w.deps.timers),
      };
    };
    for (let round = 0; round < 40; round++) {
      await drain(w, 16, async (job) => {
        const deps = killable(job);
        const running = executeJob(deps, job, { receiveCount: 2, remainingMs: 60_000 });
        // A killed executor hangs forever: its worker goes on to the next message.
        if (deps === w.deps) await running;
      });
      const open = await Promise.all(events.map((e) => w.runOf(fn, e)));
      if (open.every((r) => r.status === "Completed")) break;
      // Time passes: leases expire, killed messages come back, check timers and the sweep run.
      w.ports.clock.advance(leaseMs + 1000);
      w.ports.work.send(invisible.splice(0));
      for (const m of w.ports.timers.takeDue(w.ports.clock.now())) await deliverTimer(w.deps, m.item);
      await recoverStalledRuns(w.deps, { dueBefore: w.ports.clock.now() - leaseMs });
    }
    const runs = await Promise.all(events.map((e) => w.runOf(fn, e)));
    expect(kills).toBeGreaterThan(20);
    expect(runs.filter((r) => r.status !== "Completed")).toEqual([]);
    // Both limits were reached (16 executors could run more), and never passed.
    expect(Math.max(...counter.tenants().map(([, n]) => n))).toBe(3);
    expect(counter.total()).toBe(8);
  }, 120_000);
});
