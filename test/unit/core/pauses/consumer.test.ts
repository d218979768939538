/**
 * The runner's resume-and-cancel stage on its own: which events a pause admits (both sides of
 * each boundary), and how often it reads the pause paths of an event name.
 */
import { describe, expect, it } from "vitest";
import { memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../../shared/adapters/memory/ManualClock.js";
import { admits } from "../../../../shared/core/pauses/consumer.js";
import { handleEvents } from "../../../../shared/core/runner/pipeline.js";
import type { Pause } from "../../../../shared/domain/schemas.js";
import { makeAccepted, T0 } from "../../../fixtures/records.js";

const pause: Pause = {
  pauseId: "01RUN:w",
  partition: "EVT#a/reply",
  kind: "wait",
  stepId: "w",
  eventName: "a/reply",
  createdAt: T0,
  expiresAt: T0 + 60_000,
  runId: "01RUN",
  fnSlug: "app-fn",
  triggerEventId: "01TRIGGER",
};

describe("which events a pause admits", () => {
  it("takes an event received at the instant the wait began, not one a millisecond before", () => {
    expect(admits(pause, makeAccepted({ name: "a/reply" }, T0))).toBe(true);
    expect(admits(pause, makeAccepted({ name: "a/reply" }, T0 - 1))).toBe(false);
  });

  it("takes an event a millisecond before the wait expires, not one at the instant it expires", () => {
    expect(admits(pause, makeAccepted({ name: "a/reply" }, T0 + 59_999))).toBe(true);
    expect(admits(pause, makeAccepted({ name: "a/reply" }, T0 + 60_000))).toBe(false);
  });

  it("never takes the run's own triggering event", () => {
    const own = { ...makeAccepted({ name: "a/reply" }, T0 + 1), internalId: "01TRIGGER" };
    expect(admits(pause, own)).toBe(false);
  });

  it("lets a cancel pause (made with its run) take events from the run's start on, not before it", () => {
    const cancel: Pause = { ...pause, kind: "cancel" };
    expect(admits(cancel, makeAccepted({ name: "a/reply" }, T0))).toBe(true);
    expect(admits(cancel, makeAccepted({ name: "a/reply" }, T0 - 1))).toBe(false);
  });

  it("decides by the condition once everything else admits the event", () => {
    const conditional: Pause = { ...pause, expression: "async.data.n > 5", event: {} };
    expect(admits(conditional, makeAccepted({ name: "a/reply", data: { n: 6 } }, T0))).toBe(true);
    expect(admits(conditional, makeAccepted({ name: "a/reply", data: { n: 5 } }, T0))).toBe(false);
  });
});

describe("the resume-and-cancel stage", () => {
  it("reads the pause paths of each event name once per batch, and nothing more for a name nobody waits on", async () => {
    const ports = memoryPorts(new ManualClock(T0));
    const asked: string[] = [];
    const indexedPaths = ports.pauses.indexedPaths.bind(ports.pauses);
    const candidates = ports.pauses.candidates.bind(ports.pauses);
    let searched = 0;
    ports.pauses.indexedPaths = async (name) => {
      asked.push(name);
      return indexedPaths(name);
    };
    ports.pauses.candidates = async (event, paths) => {
      searched++;
      return candidates(event, paths);
    };

    await handleEvents(ports, [
      makeAccepted({ name: "a/one" }),
      makeAccepted({ name: "a/one" }),
      makeAccepted({ name: "a/two" }),
      makeAccepted({ name: "a/one" }),
    ]);

    expect(asked).toEqual(["a/one", "a/two"]);
    expect(searched).toBe(0);
  });
});
