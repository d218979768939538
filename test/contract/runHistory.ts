import { beforeEach, describe, expect, it } from "vitest";
import type {
  AttemptRecord,
  RunMetadataRecord,
  RunSummary,
  UserlandSpan,
} from "../../shared/domain/schemas.js";
import type { RunQuery, RunStore } from "../../shared/ports/index.js";
import { filler, makeEvent, makeRun, makeStep, T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";
import { allPages } from "./pages.js";
import type { RunStoreHarness } from "./runStore.js";

/** Every run the listing returns, following cursors; fails on a repeat. */
function listAll(store: RunStore, q: RunQuery, limit: number): Promise<RunSummary[]> {
  return allPages(
    async (cursor) => {
      const { runs, cursor: next } = await store.listRuns(q, { limit, ...(cursor ? { cursor } : {}) });
      return { items: runs, ...(next ? { cursor: next } : {}) };
    },
    limit,
    (r) => r.runId,
  );
}

function failedAttempt(runId: string, version: number, over: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    runId,
    stepId: "h1",
    name: "charge",
    attempt: version,
    startedAt: T0 + version * 1000,
    endedAt: T0 + version * 1000 + 50,
    version,
    error: { name: "Error", message: `attempt ${version} failed` },
    ...over,
  };
}

/**
 * What the RunStore keeps for traces and listings: failed attempts, API-written metadata, single
 * step reads, and runs listed by time with filters and cursors.
 */
export function describeRunHistory(name: string, make: () => Promise<RunStoreHarness>): void {
  describe(`RunStore history and listing contract: ${name}`, () => {
    let store: RunStore;
    beforeEach(async () => {
      ({ store } = await make());
    });

    it("returns a run's steps, failed attempts and metadata together", async () => {
      const run = makeRun();
      await store.createRun(run);
      const attempt = failedAttempt(run.runId, 0);
      expect(await store.commitTransition(run.runId, 0, { attempts: [attempt], set: {}, at: T0 + 100 })).toBe(
        true,
      );
      const step = {
        ...makeStep(run.runId, "h1"),
        attempts: 1,
        startedAt: T0 + 900,
        metadata: [
          {
            kind: "userland.cost",
            scope: "step" as const,
            op: "set" as const,
            values: { usd: 1 },
            updatedAt: T0,
          },
        ],
      };
      expect(
        await store.commitTransition(run.runId, 1, {
          steps: [step],
          set: { stack: ["h1"], firstAttemptAt: T0 + 5 },
          at: T0 + 1000,
        }),
      ).toBe(true);
      const meta: RunMetadataRecord = {
        runId: run.runId,
        entry: {
          kind: "inngest.score",
          scope: "run",
          op: "set",
          values: { accuracy: 0.9 },
          updatedAt: T0 + 2000,
        },
        writeId: `01W${randomSuffix(23).toUpperCase()}`,
      };
      await store.addMetadata([meta]);

      const history = await store.getRunHistory(run.runId);
      expect(history?.run.firstAttemptAt).toBe(T0 + 5);
      expect(history?.steps).toEqual([step]);
      expect(history?.attempts).toEqual([attempt]);
      expect(history?.metadata).toEqual([meta]);
      // The engine's own read is not burdened with trace items.
      const state = await store.getRunState(run.runId);
      expect(state?.steps).toEqual([step]);
    });

    it("keeps the app's exported spans with the run, a re-export of a span replacing it", async () => {
      const run = makeRun();
      await store.createRun(run);
      const span: UserlandSpan = {
        runId: run.runId,
        spanId: "00f067aa0ba902b7",
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        stepId: "h1",
        attempt: 0,
        name: "llm call",
        kind: "CLIENT",
        serviceName: "shop",
        startedAt: T0,
        endedAt: T0 + 20,
        status: "OK",
        attributes: { "gen_ai.usage.input_tokens": 18, nested: { a: [1, "b"] } },
        resourceAttributes: { "service.name": "shop" },
      };
      await store.addUserlandSpans([span]);
      await store.addUserlandSpans([{ ...span, status: "ERROR", statusMessage: "timeout" }]);
      expect((await store.getRunHistory(run.runId))?.userlandSpans).toEqual([
        { ...span, status: "ERROR", statusMessage: "timeout" },
      ]);
    });

    it("writes no attempt of a transition that lost its race", async () => {
      const run = makeRun();
      await store.createRun(run);
      expect(
        await store.commitTransition(run.runId, 5, {
          attempts: [failedAttempt(run.runId, 5)],
          set: {},
          at: T0,
        }),
      ).toBe(false);
      expect((await store.getRunHistory(run.runId))?.attempts).toEqual([]);
    });

    it("keeps an attempt error larger than a DynamoDB item", async () => {
      const run = makeRun();
      await store.createRun(run);
      const attempt = failedAttempt(run.runId, 0, { error: { name: "Error", message: filler(450 * 1024) } });
      await store.commitTransition(run.runId, 0, { attempts: [attempt], set: {}, at: T0 });
      expect((await store.getRunHistory(run.runId))?.attempts).toEqual([attempt]);
    });

    it("reads one step by id, and nothing for an unknown step or run", async () => {
      const run = makeRun();
      await store.createRun(run);
      const step = makeStep(run.runId, "h1", { data: { ok: true } });
      await store.commitTransition(run.runId, 0, { steps: [step], set: {}, at: T0 });
      expect(await store.getStep(run.runId, "h1")).toEqual(step);
      expect(await store.getStep(run.runId, "h2")).toBeUndefined();
      expect(await store.getRunHistory(makeRun().runId)).toBeUndefined();
    });

    it("lists the runs of a window newest first, each exactly once across pages", async () => {
      const fnSlug = `app-listed-${randomSuffix()}`;
      // Across a UTC day boundary, with a tie on the queue time.
      const times = [T0 - 7_200_000, T0 - 1, T0, T0, T0 + 60_000, T0 + 3_600_000];
      const runs = times.map((startedAt) => makeRun({ fnSlug, startedAt, updatedAt: startedAt }));
      for (const r of runs) await store.createRun(r);
      const q: RunQuery = { from: T0 - 8_000_000, until: T0 + 4_000_000, fnSlugs: [fnSlug] };
      const listed = await listAll(store, q, 2);
      expect(listed.map((r) => r.runId).sort()).toEqual(runs.map((r) => r.runId).sort());
      const queued = listed.map((r) => r.startedAt);
      expect(queued).toEqual([...queued].sort((a, b) => b - a));
      const asc = await listAll(store, { ...q, order: "asc" }, 4);
      expect(asc.map((r) => r.startedAt)).toEqual([...queued].reverse());
      expect(await store.countRuns(q)).toBe(runs.length);
      const first = runs[0];
      expect(listed.find((r) => r.runId === first?.runId)).toEqual({
        runId: first?.runId,
        fnSlug,
        appId: first?.appId,
        status: "Running",
        eventId: first?.eventId,
        eventName: "test/event",
        startedAt: first?.startedAt,
      });
    });

    it("filters by status, function and app, and by the window's bounds", async () => {
      const fnSlug = `app-filtered-${randomSuffix()}`;
      const appId = `app-${randomSuffix()}`;
      const done = makeRun({ fnSlug, appId });
      const running = makeRun({ fnSlug, appId, startedAt: T0 + 10, updatedAt: T0 + 10 });
      const early = makeRun({ fnSlug, appId, startedAt: T0 - 10_000, updatedAt: T0 - 10_000 });
      for (const r of [done, running, early]) await store.createRun(r);
      await store.commitTransition(done.runId, 0, {
        set: { status: "Completed", endedAt: T0 + 50, output: 1, next: [], firstAttemptAt: T0 + 1 },
        at: T0 + 50,
      });
      const window = { from: T0 - 1, until: T0 + 1000 };
      const ids = async (q: RunQuery) => (await listAll(store, q, 10)).map((r) => r.runId).sort();
      expect(await ids({ ...window, fnSlugs: [fnSlug] })).toEqual([done.runId, running.runId].sort());
      expect(await ids({ ...window, fnSlugs: [fnSlug], statuses: ["Completed"] })).toEqual([done.runId]);
      expect(await ids({ ...window, appIds: [appId], statuses: ["Running", "Failed"] })).toEqual([
        running.runId,
      ]);
      expect(await ids({ ...window, fnSlugs: [`${fnSlug}-none`] })).toEqual([]);
      expect(await store.countRuns({ ...window, fnSlugs: [fnSlug], statuses: ["Completed"] })).toBe(1);
      const [summary] = await listAll(store, { ...window, fnSlugs: [fnSlug], statuses: ["Completed"] }, 10);
      expect(summary).toMatchObject({ status: "Completed", endedAt: T0 + 50, firstAttemptAt: T0 + 1 });
    });

    it("lists each run with its first event's name, also when its events are kept in the payload bucket", async () => {
      const fnSlug = `app-named-${randomSuffix()}`;
      const small = makeRun({ fnSlug, events: [makeEvent({ name: "shop/order.paid" })] });
      const large = makeRun({
        fnSlug,
        startedAt: T0 + 1,
        updatedAt: T0 + 1,
        events: [
          makeEvent({ name: "shop/order.batched", data: { blob: filler(70_000) } }),
          makeEvent({ name: "shop/other" }),
        ],
      });
      for (const r of [small, large]) await store.createRun(r);
      const listed = await listAll(store, { from: T0 - 1, until: T0 + 10, fnSlugs: [fnSlug] }, 10);
      expect(listed.map((r) => [r.runId, r.eventName])).toEqual([
        [large.runId, "shop/order.batched"],
        [small.runId, "shop/order.paid"],
      ]);
    });

    it("refuses more than 100 values in one filter with a 400, and takes exactly 100", async () => {
      const window = { from: T0 - 1, until: T0 + 1 };
      const slugs = (n: number) => Array.from({ length: n }, (_, i) => `app-none-${i}`);
      expect((await store.listRuns({ ...window, fnSlugs: slugs(100) }, { limit: 10 })).runs).toEqual([]);
      await expect(store.listRuns({ ...window, fnSlugs: slugs(101) }, { limit: 10 })).rejects.toMatchObject({
        status: 400,
      });
      await expect(store.countRuns({ ...window, appIds: slugs(101) })).rejects.toMatchObject({ status: 400 });
    });
  });
}
