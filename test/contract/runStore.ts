import { beforeEach, describe, expect, it } from "vitest";
import type { Job, RunRecord, ScheduledJob } from "../../shared/domain/schemas.js";
import type { RunStore, StalledRun } from "../../shared/ports/index.js";
import { makeJob } from "../fixtures/jobs.js";
import { filler, makeEvent, makeRun, makeStep, T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";
import { allPages } from "./pages.js";

export interface RunStoreHarness {
  store: RunStore;
}

const KEY_TTL_MS = 60_000;
/** Above DynamoDB's 400 KB item limit: stored only if the store offloads it. */
const LARGE = 450 * 1024;

/** Every stalled run the store lists before `dueBefore`, following cursors; fails on a repeat. */
function allStalled(store: RunStore, dueBefore: number, limit = 100): Promise<StalledRun[]> {
  return allPages(
    async (cursor) => {
      const { runs, cursor: next } = await store.listStalledRuns(dueBefore, {
        limit,
        ...(cursor ? { cursor } : {}),
      });
      return { items: runs, ...(next ? { cursor: next } : {}) };
    },
    limit,
    (r) => r.runId,
  );
}

async function stalledIds(store: RunStore, dueBefore: number): Promise<Set<string>> {
  return new Set((await allStalled(store, dueBefore)).map((r) => r.runId));
}

/** A run with one pending job (due at `dueAt`, or counted from `updatedAt` when absent). */
function pendingRun(opts: { updatedAt: number; dueAt?: number }): { run: RunRecord; next: ScheduledJob } {
  const run = makeRun({ startedAt: opts.updatedAt, updatedAt: opts.updatedAt });
  const job: Job = makeJob({ runId: run.runId, partition: run.runId, version: 0 });
  const next: ScheduledJob = { job, ...(opts.dueAt !== undefined ? { dueAt: opts.dueAt } : {}) };
  return { run: { ...run, next: [next] }, next };
}

/**
 * The RunStore port's contract (shared/ports/index.ts). Other tests' runs may share the store, so
 * every assertion looks at this test's own run ids only.
 */
export function describeRunStore(name: string, make: () => Promise<RunStoreHarness>): void {
  describe(`RunStore contract: ${name}`, () => {
    let store: RunStore;
    beforeEach(async () => {
      ({ store } = await make());
    });

    describe("createRun", () => {
      it("creates a run that reads back whole, with no steps", async () => {
        const run = makeRun();
        expect(await store.createRun(run)).toBe("created");
        expect(await store.getRun(run.runId)).toEqual(run);
        expect(await store.getRunState(run.runId)).toEqual({ run, steps: [] });
      });

      it("keeps a run's flow (limits, score) and a Skipped run's reason", async () => {
        const limited = makeRun({
          flow: { limits: [{ key: "f:fn:abc", limit: 3 }], score: 1234 },
        });
        expect(await store.createRun(limited)).toBe("created");
        expect(await store.getRun(limited.runId)).toEqual(limited);
        const skipped = makeRun({
          status: "Skipped",
          endedAt: 5,
          skipped: { reason: "singleton", holder: "01H" },
        });
        expect(await store.createRun(skipped)).toBe("created");
        expect(await store.getRun(skipped.runId)).toEqual(skipped);
      });

      it("reports a run created again as existing and keeps the first record", async () => {
        const run = makeRun();
        await store.createRun(run);
        expect(await store.createRun({ ...run, fnSlug: "other-fn" })).toBe("exists");
        expect(await store.getRun(run.runId)).toEqual(run);
      });

      it("reports a redelivered creation as existing although it holds the idempotency key itself", async () => {
        const run = makeRun();
        const key = { key: `k-${run.runId}`, expiresAt: run.startedAt + KEY_TTL_MS };
        expect(await store.createRun(run, key)).toBe("created");
        expect(await store.createRun(run, key)).toBe("exists");
      });

      it("refuses another run while the idempotency key is held, and stores nothing of it", async () => {
        const first = makeRun();
        const key = `k-${first.runId}`;
        await store.createRun(first, { key, expiresAt: T0 + KEY_TTL_MS });
        const second = makeRun({ startedAt: T0 + 1000 });
        expect(await store.createRun(second, { key, expiresAt: T0 + 1000 + KEY_TTL_MS })).toBe("duplicate");
        expect(await store.getRun(second.runId)).toBeUndefined();
        expect(await store.listRunsForEvent(second.eventId)).toEqual([]);
      });

      it("still holds the idempotency key at its expiry instant", async () => {
        const key = `k-${randomSuffix()}`;
        await store.createRun(makeRun(), { key, expiresAt: T0 + KEY_TTL_MS });
        const atExpiry = makeRun({ startedAt: T0 + KEY_TTL_MS });
        expect(await store.createRun(atExpiry, { key, expiresAt: T0 + 2 * KEY_TTL_MS })).toBe("duplicate");
      });

      it("counts a key whose expiry has passed as free, and the new run then holds it", async () => {
        const key = `k-${randomSuffix()}`;
        await store.createRun(makeRun(), { key, expiresAt: T0 + KEY_TTL_MS });
        const afterExpiry = makeRun({ startedAt: T0 + KEY_TTL_MS + 1000 });
        expect(
          await store.createRun(afterExpiry, { key, expiresAt: afterExpiry.startedAt + KEY_TTL_MS }),
        ).toBe("created");
        const third = makeRun({ startedAt: afterExpiry.startedAt + 1000 });
        expect(await store.createRun(third, { key, expiresAt: third.startedAt + KEY_TTL_MS })).toBe(
          "duplicate",
        );
      });

      it("creates runs with different idempotency keys independently", async () => {
        const a = makeRun();
        const b = makeRun();
        expect(await store.createRun(a, { key: `k-${a.runId}`, expiresAt: T0 + KEY_TTL_MS })).toBe("created");
        expect(await store.createRun(b, { key: `k-${b.runId}`, expiresAt: T0 + KEY_TTL_MS })).toBe("created");
      });

      it("keeps its own copy: changing the record passed in or read back changes nothing stored", async () => {
        const run = makeRun();
        const original = structuredClone(run);
        await store.createRun(run);
        run.stack.push("mutated");
        const read = await store.getRun(run.runId);
        read?.stack.push("mutated");
        if (read?.events[0]) read.events[0].data.changed = true;
        expect(await store.getRun(run.runId)).toEqual(original);
      });

      it("round-trips events larger than a DynamoDB item", async () => {
        const run = makeRun({ events: [makeEvent({ data: { big: filler(LARGE) } })] });
        await store.createRun(run);
        expect(await store.getRun(run.runId)).toEqual(run);
      });
    });

    describe("reads", () => {
      it("returns nothing for an unknown run", async () => {
        const runId = makeRun().runId;
        expect(await store.getRun(runId)).toBeUndefined();
        expect(await store.getRunState(runId)).toBeUndefined();
      });

      it("lists every run an event started, and none for an unknown event", async () => {
        const eventId = makeRun().eventId;
        const runs = [makeRun({ eventId }), makeRun({ eventId }), makeRun({ eventId })];
        for (const run of runs) expect(await store.createRun(run)).toBe("created");
        const listed = await store.listRunsForEvent(eventId);
        const byId = (a: RunRecord, b: RunRecord) => a.runId.localeCompare(b.runId);
        expect([...listed].sort(byId)).toEqual([...runs].sort(byId));
        expect(await store.listRunsForEvent(makeRun().eventId)).toEqual([]);
      });
      it("lists every run of an event that started more than a hundred", async () => {
        const eventId = makeRun().eventId;
        const runs = Array.from({ length: 101 }, () => makeRun({ eventId }));
        await Promise.all(runs.map((run) => store.createRun(run)));
        const listed = await store.listRunsForEvent(eventId);
        expect(listed.map((r) => r.runId).sort()).toEqual(runs.map((r) => r.runId).sort());
      });
    });

    describe("appendSteps", () => {
      /** A Running run whose job `job` is pending, with `bytes` of state stored already. */
      async function running(bytes = 0): Promise<{ run: RunRecord; job: Job }> {
        const base = makeRun();
        const job = makeJob({ runId: base.runId, partition: base.runId, version: 0 });
        const run = { ...base, next: [{ job }], ...(bytes ? { stateBytes: bytes } : {}) };
        expect(await store.createRun(run)).toBe("created");
        return { run, job };
      }
      const jobKey = (j: Job) => `${j.runId}-${j.version}-${j.stepId}-${j.attempt}`;

      it("stores the steps, appends them to the stack and bumps the version, without a read", async () => {
        const { run, job } = await running();
        const steps = [makeStep(run.runId, "c1", { data: 1 }), makeStep(run.runId, "c2", { data: 2 })];
        expect(
          await store.appendSteps(run.runId, {
            jobId: jobKey(job),
            steps,
            bytes: 20,
            maxStateBytes: 100,
            at: T0 + 7,
          }),
        ).toBe("ok");
        const state = await store.getRunState(run.runId);
        expect(state?.run).toMatchObject({
          version: 1,
          updatedAt: T0 + 7,
          stack: ["c1", "c2"],
          stateBytes: 20,
        });
        expect(state?.steps).toEqual(steps);
        // The run's pending job is unchanged: the request that checkpointed still runs.
        expect(state?.run.next).toEqual(run.next);
      });

      it("names the steps already stored and writes nothing, so a checkpoint sent again stores nothing twice", async () => {
        const { run, job } = await running();
        const first = makeStep(run.runId, "c1", { data: "first" });
        await store.appendSteps(run.runId, {
          jobId: jobKey(job),
          steps: [first],
          bytes: 10,
          maxStateBytes: 100,
          at: T0 + 1,
        });
        const before = await store.getRunState(run.runId);
        const again = { ...first, value: { data: "again" } };
        const result = await store.appendSteps(run.runId, {
          jobId: jobKey(job),
          steps: [again, makeStep(run.runId, "c2")],
          bytes: 20,
          maxStateBytes: 100,
          at: T0 + 2,
        });
        expect(result).toEqual({ stored: ["c1"] });
        expect(await store.getRunState(run.runId)).toEqual(before);
      });

      it("refuses as stale a job that is not pending, and a run that ended", async () => {
        const { run, job } = await running();
        const step = makeStep(run.runId, "c1");
        expect(
          await store.appendSteps(run.runId, {
            jobId: "other",
            steps: [step],
            bytes: 1,
            maxStateBytes: 100,
            at: T0,
          }),
        ).toBe("stale");
        await store.commitTransition(run.runId, 0, {
          set: { status: "Cancelled", endedAt: T0, next: [] },
          at: T0,
        });
        expect(
          await store.appendSteps(run.runId, {
            jobId: jobKey(job),
            steps: [step],
            bytes: 1,
            maxStateBytes: 100,
            at: T0,
          }),
        ).toBe("stale");
        expect(await store.getStep(run.runId, "c1")).toBeUndefined();
      });

      it("fills the state up to exactly the limit and refuses a byte more", async () => {
        const { run, job } = await running(90);
        const append = (id: string, bytes: number) =>
          store.appendSteps(run.runId, {
            jobId: jobKey(job),
            steps: [makeStep(run.runId, id)],
            bytes,
            maxStateBytes: 100,
            at: T0,
          });
        expect(await append("c1", 11)).toBe("full");
        expect(await append("c1", 10)).toBe("ok");
        expect(await append("c2", 1)).toBe("full");
        expect((await store.getRun(run.runId))?.stateBytes).toBe(100);
        // A run with no state yet weighs the steps alone.
        const fresh = await running();
        const step = makeStep(fresh.run.runId, "c1");
        expect(
          await store.appendSteps(fresh.run.runId, {
            jobId: jobKey(fresh.job),
            steps: [step],
            bytes: 101,
            maxStateBytes: 100,
            at: T0,
          }),
        ).toBe("full");
      });
    });

    describe("completeStep", () => {
      /** A Running run with planned steps a and b pending (a fan-out), and its two jobs. */
      async function fanOut(): Promise<{ run: RunRecord; a: Job; b: Job }> {
        const base = makeRun({ firstAttemptAt: T0 });
        const a = makeJob({ runId: base.runId, stepId: "a", partition: `${base.runId}~a`, version: 1 });
        const b = makeJob({ runId: base.runId, stepId: "b", partition: `${base.runId}~b`, version: 1 });
        const run = { ...base, next: [{ job: a }, { job: b }] };
        expect(await store.createRun(run)).toBe("created");
        return { run, a, b };
      }
      const jobKey = (j: Job) => `${j.runId}-${j.version}-${j.stepId}-${j.attempt}`;
      const settle = (run: RunRecord, job: Job, bytes = 5, maxStateBytes = 100) =>
        store.completeStep(run.runId, {
          jobId: jobKey(job),
          step: makeStep(run.runId, job.stepId, { data: job.stepId }),
          bytes,
          maxStateBytes,
          at: T0 + 3,
        });

      it("settles steps of a fan-out side by side, each leaving the pending set, and returns the run after", async () => {
        const { run, a, b } = await fanOut();
        const [first, second] = await Promise.all([settle(run, a), settle(run, b)]);
        const after = [first, second].map((r) => (typeof r === "object" ? r.run : undefined));
        // Whichever settled second sees nothing pending.
        expect(after.map((r) => r?.next.length).sort()).toEqual([0, 1]);
        const state = await store.getRunState(run.runId);
        expect(state?.run).toMatchObject({ version: 2, next: [], stateBytes: 10 });
        expect(state?.run.stack.sort()).toEqual(["a", "b"]);
        expect(state?.steps.map((s) => s.stepId)).toEqual(["a", "b"]);
      });

      it("settles a job once: a second delivery is stale and changes nothing", async () => {
        const { run, a } = await fanOut();
        expect(typeof (await settle(run, a))).toBe("object");
        const before = await store.getRunState(run.runId);
        expect(await settle(run, a)).toBe("stale");
        expect(await store.getRunState(run.runId)).toEqual(before);
      });

      it("is stale for a run that ended, and full past the state limit (exactly at it is fine)", async () => {
        const { run, a, b } = await fanOut();
        expect(await settle(run, a, 11, 10)).toBe("full");
        expect(typeof (await settle(run, a, 10, 10))).toBe("object");
        await store.commitTransition(run.runId, 1, {
          set: { status: "Cancelled", endedAt: T0, next: [] },
          at: T0,
        });
        expect(await settle(run, b)).toBe("stale");
      });
    });

    describe("commitTransition", () => {
      it("commits at the expected version: bumps it, sets updatedAt and the fields, stores the steps", async () => {
        const run = makeRun();
        await store.createRun(run);
        const step = makeStep(run.runId, "h1", { data: "one" });
        const next: ScheduledJob = { job: makeJob({ runId: run.runId, version: 1 }), dueAt: T0 + 9000 };
        const committed = await store.commitTransition(run.runId, 0, {
          steps: [step],
          set: { stack: ["h1"], requestVersion: 2, next: [next] },
          at: T0 + 5,
        });
        expect(committed).toBe(true);
        expect(await store.getRunState(run.runId)).toEqual({
          run: { ...run, version: 1, updatedAt: T0 + 5, stack: ["h1"], requestVersion: 2, next: [next] },
          steps: [step],
        });
      });

      it("returns false at a version that moved on, and writes nothing", async () => {
        const run = makeRun();
        await store.createRun(run);
        await store.commitTransition(run.runId, 0, { set: { stack: ["h1"] }, steps: [], at: T0 + 1 });
        const before = await store.getRunState(run.runId);
        const lost = await store.commitTransition(run.runId, 0, {
          steps: [makeStep(run.runId, "h2")],
          set: { stack: ["h2"], status: "Failed", endedAt: T0 + 2 },
          at: T0 + 2,
        });
        expect(lost).toBe(false);
        expect(await store.getRunState(run.runId)).toEqual(before);
      });

      it("returns false, not an error, for a lost race whose step the winner already wrote", async () => {
        const run = makeRun();
        await store.createRun(run);
        const step = makeStep(run.runId, "h1", { data: "winner" });
        await store.commitTransition(run.runId, 0, { steps: [step], set: { stack: ["h1"] }, at: T0 + 1 });
        const before = await store.getRunState(run.runId);
        const loser = { ...step, value: { data: "loser" } };
        expect(
          await store.commitTransition(run.runId, 0, { steps: [loser], set: { stack: ["h1"] }, at: T0 + 2 }),
        ).toBe(false);
        expect(await store.getRunState(run.runId)).toEqual(before);
      });

      it("returns false for a run that does not exist, and creates nothing", async () => {
        const runId = makeRun().runId;
        expect(await store.commitTransition(runId, 0, { set: { stack: ["h1"] }, at: T0 })).toBe(false);
        expect(await store.getRun(runId)).toBeUndefined();
      });

      it("throws when a step is already stored, and writes nothing of that transition", async () => {
        const run = makeRun();
        await store.createRun(run);
        const first = makeStep(run.runId, "h1", { data: 1 });
        await store.commitTransition(run.runId, 0, { steps: [first], set: { stack: ["h1"] }, at: T0 + 1 });
        const before = await store.getRunState(run.runId);
        await expect(
          store.commitTransition(run.runId, 1, {
            steps: [makeStep(run.runId, "h2"), makeStep(run.runId, "h1", { data: 2 })],
            set: { stack: ["h1", "h2", "h1"] },
            at: T0 + 2,
          }),
        ).rejects.toThrow();
        expect(await store.getRunState(run.runId)).toEqual(before);
      });

      it("throws when one transition carries the same step twice, and writes nothing", async () => {
        const run = makeRun();
        await store.createRun(run);
        await expect(
          store.commitTransition(run.runId, 0, {
            steps: [makeStep(run.runId, "h1", { data: 1 }), makeStep(run.runId, "h1", { data: 2 })],
            set: { stack: ["h1", "h1"] },
            at: T0 + 1,
          }),
        ).rejects.toThrow();
        expect(await store.getRunState(run.runId)).toEqual({ run, steps: [] });
      });

      it("leaves the fields a transition does not set as they were", async () => {
        const run = makeRun();
        await store.createRun(run);
        await store.commitTransition(run.runId, 0, { set: { requestVersion: 2, stack: ["a"] }, at: T0 + 1 });
        await store.commitTransition(run.runId, 1, { set: { stack: ["a", "b"] }, at: T0 + 2 });
        expect(await store.getRun(run.runId)).toEqual({
          ...run,
          requestVersion: 2,
          stack: ["a", "b"],
          version: 2,
          updatedAt: T0 + 2,
        });
      });

      it("stores a completion: status, end time and output", async () => {
        const run = makeRun();
        await store.createRun(run);
        await store.commitTransition(run.runId, 0, {
          set: { status: "Completed", endedAt: T0 + 5, output: { ok: true }, next: [] },
          at: T0 + 5,
        });
        expect(await store.getRun(run.runId)).toEqual({
          ...run,
          status: "Completed",
          endedAt: T0 + 5,
          output: { ok: true },
          next: [],
          version: 1,
          updatedAt: T0 + 5,
        });
      });

      it("stores a null output as null", async () => {
        const run = makeRun();
        await store.createRun(run);
        await store.commitTransition(run.runId, 0, {
          set: { status: "Completed", endedAt: T0 + 5, output: null, next: [] },
          at: T0 + 5,
        });
        const read = await store.getRun(run.runId);
        expect(read && "output" in read ? read.output : "absent").toBeNull();
      });

      it("stores a failure with its error, extra keys included", async () => {
        const run = makeRun();
        await store.createRun(run);
        const error = { name: "TypeError", message: "boom", stack: "at x", code: "E_BOOM" };
        await store.commitTransition(run.runId, 0, {
          set: { status: "Failed", endedAt: T0 + 5, error, next: [] },
          at: T0 + 5,
        });
        expect(await store.getRun(run.runId)).toMatchObject({ status: "Failed", error, version: 1 });
      });

      it("round-trips an output and a step value larger than a DynamoDB item", async () => {
        const run = makeRun();
        await store.createRun(run);
        const step = makeStep(run.runId, "big", { data: filler(LARGE, "s") });
        await store.commitTransition(run.runId, 0, { steps: [step], set: { stack: ["big"] }, at: T0 + 1 });
        await store.commitTransition(run.runId, 1, {
          set: { status: "Completed", endedAt: T0 + 2, output: { big: filler(LARGE, "o") }, next: [] },
          at: T0 + 2,
        });
        const state = await store.getRunState(run.runId);
        expect(state?.steps).toEqual([step]);
        expect(state?.run.output).toEqual({ big: filler(LARGE, "o") });
      });

      it("keeps its own copy of the steps: changing what was passed in changes nothing stored", async () => {
        const run = makeRun();
        await store.createRun(run);
        const step = makeStep(run.runId, "h1", { data: { n: 1 } });
        const transition = { steps: [step], set: { stack: ["h1"] }, at: T0 + 1 };
        await store.commitTransition(run.runId, 0, transition);
        transition.set.stack.push("mutated");
        step.value = "mutated";
        const state = await store.getRunState(run.runId);
        expect(state?.run.stack).toEqual(["h1"]);
        expect(state?.steps[0]?.value).toEqual({ data: { n: 1 } });
      });
    });

    describe("listStalledRuns", () => {
      it("lists a Running run whose job fell due before the cutoff, with its version and pending jobs", async () => {
        const { run, next } = pendingRun({ updatedAt: T0 - 10_000, dueAt: T0 });
        await store.createRun(run);
        const listed = (await allStalled(store, T0 + 1)).find((r) => r.runId === run.runId);
        expect(listed).toEqual({ runId: run.runId, version: 0, next: [next] });
      });

      it("does not list a run due exactly at the cutoff, and lists it when due one millisecond before", async () => {
        const { run } = pendingRun({ updatedAt: T0 - 10_000, dueAt: T0 });
        await store.createRun(run);
        expect(await stalledIds(store, T0)).not.toContain(run.runId);
        expect(await stalledIds(store, T0 + 1)).toContain(run.runId);
      });

      it("counts a pending job without a due time from the run's last transition", async () => {
        const created = T0 - 60_000;
        const { run } = pendingRun({ updatedAt: created });
        await store.createRun(run);
        expect(await stalledIds(store, created)).not.toContain(run.runId);
        expect(await stalledIds(store, created + 1)).toContain(run.runId);

        const job = makeJob({ runId: run.runId, partition: run.runId, version: 1 });
        await store.commitTransition(run.runId, 0, { set: { next: [{ job }] }, at: T0 });
        expect(await stalledIds(store, created + 1)).not.toContain(run.runId);
        expect(await stalledIds(store, T0)).not.toContain(run.runId);
        const listed = (await allStalled(store, T0 + 1)).find((r) => r.runId === run.runId);
        expect(listed).toEqual({ runId: run.runId, version: 1, next: [{ job }] });
      });

      it("counts the earliest of several pending jobs", async () => {
        const run = makeRun({ startedAt: T0 - 10_000, updatedAt: T0 - 10_000 });
        const job = makeJob({ runId: run.runId, partition: run.runId, version: 0 });
        await store.createRun({
          ...run,
          next: [
            { job, dueAt: T0 + 100 },
            { job: { ...job, stepId: "other" }, dueAt: T0 + 50 },
          ],
        });
        expect(await stalledIds(store, T0 + 50)).not.toContain(run.runId);
        expect(await stalledIds(store, T0 + 51)).toContain(run.runId);
      });

      it("leaves out runs that reached a final status", async () => {
        const ids: string[] = [];
        for (const status of ["Completed", "Failed", "Cancelled"] as const) {
          const { run } = pendingRun({ updatedAt: T0 - 10_000, dueAt: T0 - 5_000 });
          await store.createRun(run);
          await store.commitTransition(run.runId, 0, { set: { status, endedAt: T0, next: [] }, at: T0 });
          ids.push(run.runId);
        }
        const listed = await stalledIds(store, T0 + 3_600_000);
        for (const id of ids) expect(listed).not.toContain(id);
      });

      it("leaves out Running runs with no pending job", async () => {
        const idle = makeRun({ startedAt: T0 - 10_000, updatedAt: T0 - 10_000, next: [] });
        await store.createRun(idle);
        const { run: emptied } = pendingRun({ updatedAt: T0 - 10_000, dueAt: T0 - 5_000 });
        await store.createRun(emptied);
        await store.commitTransition(emptied.runId, 0, { set: { next: [] }, at: T0 - 1_000 });
        const listed = await stalledIds(store, T0 + 3_600_000);
        expect(listed).not.toContain(idle.runId);
        expect(listed).not.toContain(emptied.runId);
      });

      it("pages by limit, and following the cursor lists every stalled run exactly once", async () => {
        const base = T0 - 3_600_000;
        // Ties on the due time and distinct times both cross page boundaries.
        const due = [base, base, base, base, base + 1, base + 2, base + 2, base + 3, base + 4, base + 4];
        const mine = due.map((dueAt) => pendingRun({ updatedAt: base - 1000, dueAt }).run);
        for (const run of mine) await store.createRun(run);
        for (const limit of [1, 2, 3]) {
          const listed = await allStalled(store, base + 5, limit);
          const ids = listed.map((r) => r.runId);
          for (const run of mine) expect(ids.filter((id) => id === run.runId)).toHaveLength(1);
        }
      });
    });
  });
}
