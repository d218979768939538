import { beforeEach, describe, expect, it } from "vitest";
import { eventPartition, refOf, signalPartition } from "../../shared/domain/pauses.js";
import type { InngestEvent, Pause, RunRecord } from "../../shared/domain/schemas.js";
import type { PauseStore, RunStore } from "../../shared/ports/index.js";
import { filler, makeEvent, makeRun, makeStep, T0 } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";

export interface PauseStoreHarness {
  /** The run store whose transitions write the pauses `pauses` reads. */
  runs: RunStore;
  pauses: PauseStore;
}

const HOUR = 60 * 60 * 1000;

/** An event name of this test only (the stores may be shared with other tests). */
const uniqueName = () => `contract/${randomSuffix()}`;

/** A run id that sorts after every id made before it in this process (ULID-like: time, then random). */
let runSeq = 0;
function orderedRunId(): string {
  runSeq++;
  return `01R${String(runSeq).padStart(6, "0")}${randomSuffix(17).toUpperCase()}`;
}

/** A step's wait on `eventName`, unindexed unless `index` is given (override any field). */
function waitPause(
  run: Pick<RunRecord, "runId" | "fnSlug" | "eventId">,
  eventName: string,
  overrides: Partial<Pause> & { index?: { path: string; key: string } } = {},
): Pause {
  const { index, ...rest } = overrides;
  const stepId = rest.stepId ?? `h-${randomSuffix()}`;
  return {
    pauseId: `${run.runId}:${stepId}`,
    partition: eventPartition(eventName, index),
    kind: "wait",
    stepId,
    eventName,
    createdAt: T0,
    expiresAt: T0 + HOUR,
    runId: run.runId,
    fnSlug: run.fnSlug,
    triggerEventId: run.eventId,
    ...(index ? { indexPath: index.path } : {}),
    ...rest,
  };
}

function signalWait(run: Pick<RunRecord, "runId" | "fnSlug" | "eventId">, signal: string): Pause {
  const stepId = `h-${randomSuffix()}`;
  return {
    pauseId: `${run.runId}:${stepId}`,
    partition: signalPartition(signal),
    kind: "signal",
    stepId,
    signal,
    createdAt: T0,
    expiresAt: T0 + HOUR,
    runId: run.runId,
    fnSlug: run.fnSlug,
    triggerEventId: run.eventId,
  };
}

const ids = (pauses: Pause[]) => pauses.map((p) => p.pauseId).sort();

/**
 * The PauseStore port's contract together with the pause writes of RunStore (createRun's pauses,
 * commitTransition's put / consume / remove). Event names and signals are unique per test, so the
 * stores may be shared.
 */
export function describePauseStore(name: string, make: () => Promise<PauseStoreHarness>): void {
  describe(`PauseStore contract: ${name}`, () => {
    let runs: RunStore;
    let pauses: PauseStore;
    beforeEach(async () => {
      ({ runs, pauses } = await make());
    });

    /** A new Running run at version 0. */
    async function newRun(overrides: Partial<RunRecord> = {}): Promise<RunRecord> {
      const run = makeRun({ runId: orderedRunId(), ...overrides });
      expect(await runs.createRun(run)).toBe("created");
      return run;
    }

    /** Commits `put` at the run's current version (the wait begins); returns the new version. */
    async function begin(run: RunRecord, put: Pause[]): Promise<number> {
      const current = await runs.getRun(run.runId);
      if (!current) throw new Error(`run ${run.runId} missing`);
      const committed = await runs.commitTransition(run.runId, current.version, {
        pauses: { put },
        set: { pauses: [...(current.pauses ?? []), ...put.map(refOf)], next: [] },
        at: T0,
      });
      expect(committed).toBe(true);
      return current.version + 1;
    }

    const eventOf = (eventName: string, data: InngestEvent["data"] = {}) =>
      makeEvent({ name: eventName, data });

    /** What the runner does for one event: the name's indexed paths, then the candidates. */
    const find = async (event: InngestEvent) =>
      pauses.candidates(event, await pauses.indexedPaths(event.name));

    it("lists the indexed paths in use on a name, the unindexed partition as an empty path", async () => {
      const eventName = uniqueName();
      expect(await pauses.indexedPaths(eventName)).toEqual([]);
      const run = await newRun();
      await begin(run, [
        waitPause(run, eventName),
        waitPause(run, eventName, { index: { path: "data.id", key: "s:o1" } }),
      ]);
      expect((await pauses.indexedPaths(eventName)).sort()).toEqual(["", "data.id"]);
    });

    it("finds nothing for an event name no pause waits on", async () => {
      expect(await find(eventOf(uniqueName()))).toEqual([]);
    });

    it("finds an unindexed pause for every event of its name, and not for other names", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName);
      await begin(run, [pause]);

      expect(ids(await find(eventOf(eventName)))).toEqual([pause.pauseId]);
      expect(ids(await find(eventOf(eventName, { id: "anything" })))).toEqual([pause.pauseId]);
      expect(await find(eventOf(uniqueName()))).toEqual([]);
    });

    it("finds an indexed pause only for events with its value at its path", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName, {
        index: { path: "data.id", key: "s:o1" },
        expression: 'async.data.id == "o1"',
      });
      expect(pause.partition).toBe(`EVT#${eventName}#data.id#s:o1`);
      await begin(run, [pause]);

      expect(ids(await find(eventOf(eventName, { id: "o1" })))).toEqual([pause.pauseId]);
      expect(await find(eventOf(eventName, { id: "o2" }))).toEqual([]);
      expect(await find(eventOf(eventName))).toEqual([]);
      // The index key is typed: the number 1 does not select the string "1"'s partition.
      expect(await find(eventOf(eventName, { id: 1 }))).toEqual([]);
    });

    it("finds the name's unindexed pauses and the indexed ones an event selects together", async () => {
      const eventName = uniqueName();
      const a = await newRun();
      const b = await newRun();
      const c = await newRun();
      const unindexed = waitPause(a, eventName);
      const o1 = waitPause(b, eventName, { index: { path: "data.id", key: "s:o1" } });
      const byUser = waitPause(c, eventName, { index: { path: "user.email", key: "s:u@x" } });
      await begin(a, [unindexed]);
      await begin(b, [o1]);
      await begin(c, [byUser]);

      const both = makeEvent({ name: eventName, data: { id: "o1" }, user: { email: "u@x" } });
      expect(ids(await find(both))).toEqual(ids([unindexed, o1, byUser]));
      expect(ids(await find(eventOf(eventName, { id: "o2" })))).toEqual([unindexed.pauseId]);
    });

    it("consumes a pause: it is deleted with the transition's step and run update", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName);
      const version = await begin(run, [pause]);
      const step = makeStep(run.runId, pause.stepId ?? "", { name: eventName });

      expect(
        await runs.commitTransition(run.runId, version, {
          steps: [step],
          pauses: { consume: refOf(pause) },
          set: { pauses: [], stack: [step.stepId] },
          at: T0,
        }),
      ).toBe(true);

      expect(await find(eventOf(eventName))).toEqual([]);
      const state = await runs.getRunState(run.runId);
      expect(state?.run).toMatchObject({ version: version + 1, pauses: [], stack: [step.stepId] });
      expect(state?.steps).toEqual([step]);
    });

    it("refuses a second consume of the same pause: false, and nothing of it is written", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName);
      const version = await begin(run, [pause]);
      const first = makeStep(run.runId, pause.stepId ?? "", { first: true });
      await runs.commitTransition(run.runId, version, {
        steps: [first],
        pauses: { consume: refOf(pause) },
        set: { pauses: [] },
        at: T0,
      });
      const before = await runs.getRunState(run.runId);

      // The other side of the race, at the version it now reads: the pause is gone.
      const late = makeStep(run.runId, "h-other", null);
      expect(
        await runs.commitTransition(run.runId, version + 1, {
          steps: [late],
          pauses: { consume: refOf(pause) },
          set: { stack: ["h-other"], next: [] },
          at: T0 + 1,
        }),
      ).toBe(false);

      expect(await runs.getRunState(run.runId)).toEqual(before);
      expect(await runs.getStep(run.runId, "h-other")).toBeUndefined();
      expect((await runs.getRun(run.runId))?.version).toBe(version + 1);
    });

    it("refuses a consume with no step as well (a pause gone is a lost race)", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName);
      const version = await begin(run, [pause]);
      await runs.commitTransition(run.runId, version, {
        pauses: { remove: [refOf(pause)] },
        set: {},
        at: T0,
      });

      expect(
        await runs.commitTransition(run.runId, version + 1, {
          pauses: { consume: refOf(pause) },
          set: { status: "Completed" },
          at: T0,
        }),
      ).toBe(false);
      expect(await runs.getRun(run.runId)).toMatchObject({ status: "Running", version: version + 1 });
    });

    it("keeps a pause that a transition at a stale version tried to consume", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName);
      const version = await begin(run, [pause]);

      expect(
        await runs.commitTransition(run.runId, version - 1, {
          pauses: { consume: refOf(pause) },
          set: { pauses: [] },
          at: T0,
        }),
      ).toBe(false);
      expect(ids(await find(eventOf(eventName)))).toEqual([pause.pauseId]);
    });

    it("removes pauses without a condition: present ones are deleted, absent ones are no obstacle", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const kept = waitPause(run, eventName);
      const removed = waitPause(run, eventName);
      const version = await begin(run, [kept, removed]);
      const neverStored = waitPause(run, eventName);

      expect(
        await runs.commitTransition(run.runId, version, {
          pauses: { remove: [refOf(removed), refOf(neverStored)] },
          set: { status: "Cancelled", pauses: [refOf(kept)] },
          at: T0,
        }),
      ).toBe(true);

      expect(ids(await find(eventOf(eventName)))).toEqual([kept.pauseId]);
      expect(await runs.getRun(run.runId)).toMatchObject({ status: "Cancelled", version: version + 1 });
    });

    it("commits a consume whose pause is also listed among the removals", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName);
      const version = await begin(run, [pause]);

      expect(
        await runs.commitTransition(run.runId, version, {
          pauses: { consume: refOf(pause), remove: [refOf(pause)] },
          set: { pauses: [] },
          at: T0,
        }),
      ).toBe(true);
      expect(await find(eventOf(eventName))).toEqual([]);
    });

    it("stores the pauses created with a run, and none when its creation is refused", async () => {
      const eventName = uniqueName();
      const run = makeRun({ runId: orderedRunId() });
      const { stepId: _none, ...wait } = waitPause(run, eventName, {
        kind: "cancel",
        index: { path: "data.id", key: "s:o1" },
      });
      const cancel: Pause = { ...wait, pauseId: `${run.runId}:cancel:0` };

      expect(await runs.createRun({ ...run, pauses: [refOf(cancel)] }, undefined, [cancel])).toBe("created");

      expect(await find(eventOf(eventName, { id: "o1" }))).toEqual([cancel]);
      expect((await runs.getRun(run.runId))?.pauses).toEqual([refOf(cancel)]);

      // A second run refused by the idempotency key leaves no pause behind.
      const key = { key: `k-${run.runId}`, expiresAt: T0 + HOUR };
      const holder = makeRun({ runId: orderedRunId() });
      expect(await runs.createRun(holder, key)).toBe("created");
      const refused = makeRun({ runId: orderedRunId() });
      const orphan = waitPause(refused, eventName);
      expect(await runs.createRun(refused, key, [orphan])).toBe("duplicate");
      expect(ids(await find(eventOf(eventName, { id: "o1" })))).toEqual([cancel.pauseId]);
    });

    it("finds the newest waiter of a signal, and nothing for a signal nobody waits on", async () => {
      const signal = `sig-${randomSuffix()}`;
      const older = await newRun();
      const newer = await newRun();
      const olderWait = signalWait(older, signal);
      const newerWait = signalWait(newer, signal);
      await begin(newer, [newerWait]);
      await begin(older, [olderWait]);

      expect(await pauses.forSignal(signal)).toEqual(newerWait);
      expect(await pauses.forSignal(`sig-${randomSuffix()}`)).toBeUndefined();
      // A signal wait is not an event wait.
      expect(await find(eventOf(signal))).toEqual([]);
    });

    it("reads a pause back whole: expression, event parts, index path, times and ids", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName, {
        kind: "invoke",
        name: "wait for it",
        expression: "async.data.id == event.data.id && async.data.n > 1",
        event: { data: { id: "o1", nested: { list: [1, "two", null, { deep: true }] } } },
        index: { path: "data.id", key: "s:o1" },
        createdAt: T0 + 5,
        expiresAt: T0 + 7 * 24 * HOUR + 123,
      });

      await begin(run, [pause]);

      expect(await find(eventOf(eventName, { id: "o1" }))).toEqual([pause]);
    });

    it("reads a pause back whole when its event parts are large", async () => {
      const eventName = uniqueName();
      const run = await newRun();
      const pause = waitPause(run, eventName, {
        expression: "async.data.body == event.data.body",
        event: { data: { body: filler(4000) } },
      });

      await begin(run, [pause]);

      expect(await find(eventOf(eventName))).toEqual([pause]);
    });
  });
}
