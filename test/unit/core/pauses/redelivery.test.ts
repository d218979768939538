import { beforeEach, describe, expect, it } from "vitest";
import type { FunctionRecord, Job } from "../../../../shared/domain/schemas.js";
import { INTERNAL_EVENTS } from "../../../../shared/protocol/constants.js";
import { T0 } from "../../../fixtures/records.js";
import { complete, ops, stepRun } from "../../../fixtures/sdk.js";
import { HOUR, invokeOp, MINUTE, named, type World, world } from "./world.js";

let w: World;
let parent: FunctionRecord;
let child: FunctionRecord;

beforeEach(async () => {
  w = await world();
  parent = w.fn("parent", [w.ev("start")], { config: { timeouts: { finish: "2h" } } });
  child = w.fn("child");
  await w.sync([
    [
      parent,
      ({ steps }) => {
        if (!("s1" in steps)) return ops(stepRun("s1", 1));
        if (!("i1" in steps)) return ops(invokeOp("i1", { function_id: child.slug, timeout: "1h" }));
        return complete("done");
      },
    ],
    [child, () => complete("child done")],
  ]);
});

/** Takes the next queued job without running it. */
function takeJob(): Job {
  const [queued] = w.ports.work.receive(1);
  if (!queued) throw new Error("no job queued");
  return queued.job;
}

/** Forgets everything sent so far: as if the executor crashed before sending it. */
function loseDispatch(): void {
  w.ports.work.drain();
  w.ports.stream.take();
  w.ports.timers.takeDue(Number.MAX_SAFE_INTEGER);
}

describe("a job redelivered after its transition committed", () => {
  it("re-sends the transition's next job and its timers", async () => {
    await w.send({ name: w.ev("start") });
    const start = takeJob();
    expect(await w.execute(start)).toBe("applied");
    const sent = { jobs: w.ports.work.peek().map((q) => q.job), timers: w.ports.timers.pending() };
    expect(sent.timers).toMatchObject([
      { item: { kind: "runTimeout", which: "finish" }, dueAt: T0 + 2 * HOUR },
    ]);
    loseDispatch();

    expect(await w.execute(start, 2)).toBe("redispatched");

    expect(w.ports.work.peek().map((q) => q.job)).toEqual(sent.jobs);
    expect(w.ports.timers.pending()).toEqual(sent.timers);
    expect(w.requestsOf(parent)).toHaveLength(1);
  });

  it("re-sends the transition's events and timers: the invoke and its timeout", async () => {
    await w.send({ name: w.ev("start") });
    await w.execute(takeJob());
    w.ports.clock.advance(MINUTE);
    const discovery = takeJob();
    expect(await w.execute(discovery)).toBe("applied");
    const events = w.ports.stream.events();
    const timers = w.ports.timers.pending().filter((t) => t.item.kind === "pauseTimeout");
    expect(named(events, INTERNAL_EVENTS.functionInvoked)).toHaveLength(1);
    expect(timers).toHaveLength(1);
    loseDispatch();

    expect(await w.execute(discovery, 2)).toBe("redispatched");

    // The same event (same internal id) and the same timer again, and no new request.
    expect(w.ports.stream.events()).toEqual(events);
    expect(w.ports.timers.pending()).toContainEqual(timers[0]);
    expect(w.requestsOf(parent)).toHaveLength(2);
  });

  it("re-sends the finish events of the job that ended the run, under the same ids", async () => {
    const quick = w.fn("quick", [w.ev("quick")]);
    await w.sync([
      [parent, () => complete(null)],
      [child, () => complete(null)],
      [quick, () => complete({ ok: 1 })],
    ]);
    await w.send({ name: w.ev("quick") });
    const start = takeJob();
    expect(await w.execute(start)).toBe("applied");
    const finished = w.ports.stream.events();
    expect(finished.map((e) => e.event.name)).toEqual([INTERNAL_EVENTS.functionFinished]);
    loseDispatch();

    expect(await w.execute(start, 2)).toBe("redispatched");

    expect(w.ports.stream.events()).toEqual(finished);
    expect(w.ports.work.peek()).toEqual([]);
  });

  it("does nothing for a first delivery one version behind", async () => {
    await w.send({ name: w.ev("start") });
    const start = takeJob();
    await w.execute(start);
    loseDispatch();

    expect(await w.execute(start, 1)).toBe("stale");

    expect(w.ports.work.peek()).toEqual([]);
    expect(w.ports.timers.pending()).toEqual([]);
  });
});
