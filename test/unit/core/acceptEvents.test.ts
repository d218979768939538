import { describe, expect, it } from "vitest";
import { acceptEvents, hashEventKey } from "../../../shared/core/ingest/acceptEvents.js";
import { UnauthorizedError, ValidationError } from "../../../shared/domain/errors.js";
import type { AcceptedEvent } from "../../../shared/domain/schemas.js";
import type { EventStream } from "../../../shared/ports/index.js";

function deps(mode: "dev" | "cloud", keys: string[] = []) {
  const put: AcceptedEvent[][] = [];
  const stream: EventStream = { put: async (events) => void put.push(events) };
  return {
    put,
    deps: { stream, clock: { now: () => 1_700_000_000_000 }, mode, eventKeyHashes: keys.map(hashEventKey) },
  };
}

describe("acceptEvents", () => {
  it("accepts any key in dev mode and puts the events on the stream in order", async () => {
    const d = deps("dev");
    const res = await acceptEvents(d.deps, {
      eventKey: "NO_EVENT_KEY_SET",
      body: JSON.stringify([{ name: "a" }, { name: "b" }]),
    });
    expect(res.status).toBe(200);
    expect(d.put).toHaveLength(1);
    expect(d.put[0]?.map((e) => e.event.name)).toEqual(["a", "b"]);
    expect(res.ids).toEqual(d.put[0]?.map((e) => e.internalId));
  });

  it("requires a configured key in cloud mode", async () => {
    const d = deps("cloud", ["secret-key"]);
    await expect(acceptEvents(d.deps, { eventKey: "wrong", body: '{"name":"a"}' })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(acceptEvents(d.deps, { eventKey: "", body: '{"name":"a"}' })).rejects.toThrow("required");
    const ok = await acceptEvents(d.deps, { eventKey: "secret-key", body: '{"name":"a"}' });
    expect(ok.ids).toHaveLength(1);
  });

  it("rejects invalid payloads without touching the stream", async () => {
    const d = deps("dev");
    await expect(acceptEvents(d.deps, { eventKey: "k", body: '{"data":{}}' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(d.put).toHaveLength(0);
  });
});
