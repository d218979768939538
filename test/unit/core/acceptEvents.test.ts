import { describe, expect, it } from "vitest";
import { acceptEvents } from "../../../shared/core/ingest/acceptEvents.js";
import {
  fixedEventKeyHashes,
  hashEventKey,
  parseEventKeyHashes,
} from "../../../shared/core/ingest/eventKeys.js";
import { UnauthorizedError, ValidationError } from "../../../shared/domain/errors.js";
import type { AcceptedEvent } from "../../../shared/domain/schemas.js";
import type { EventStream } from "../../../shared/ports/index.js";
import { recordingMetrics } from "./metrics/recording.js";

function deps(mode: "dev" | "cloud", keys: string[] = []) {
  const put: AcceptedEvent[][] = [];
  const stream: EventStream = { put: async (events) => void put.push(events) };
  return {
    put,
    deps: {
      stream,
      clock: { now: () => 1_700_000_000_000 },
      mode,
      eventKeyHashes: fixedEventKeyHashes(keys.map(hashEventKey)),
    },
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

  it("refuses the SDKs' NO_EVENT_KEY_SET placeholder in cloud mode as a missing key, even when its hash is listed", async () => {
    const d = deps("cloud", ["NO_EVENT_KEY_SET"]);

    await expect(
      acceptEvents(d.deps, { eventKey: "NO_EVENT_KEY_SET", body: '{"name":"a"}' }),
    ).rejects.toThrow("Event key is required");
    expect(d.put).toHaveLength(0);
  });

  it("rejects invalid payloads without touching the stream", async () => {
    const d = deps("dev");
    await expect(acceptEvents(d.deps, { eventKey: "k", body: '{"data":{}}' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(d.put).toHaveLength(0);
  });

  it("counts every event of an accepted batch once it is on the stream", async () => {
    const metrics = recordingMetrics();
    const d = deps("dev");

    await acceptEvents(
      { ...d.deps, metrics },
      { eventKey: "k", body: JSON.stringify([{ name: "a" }, { name: "b" }, { name: "c" }]) },
    );

    expect(metrics.counts).toEqual({ eventsAccepted: 3 });
  });

  it("counts nothing when the batch is refused or the stream fails", async () => {
    const metrics = recordingMetrics();
    const refused = deps("cloud", ["secret-key"]);
    const failing = {
      ...deps("dev").deps,
      stream: { put: async () => Promise.reject(new Error("throttled")) },
    };

    await expect(
      acceptEvents({ ...refused.deps, metrics }, { eventKey: "wrong", body: '{"name":"a"}' }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      acceptEvents({ ...failing, metrics }, { eventKey: "k", body: '{"name":"a"}' }),
    ).rejects.toThrow("throttled");

    expect(metrics.counts).toEqual({});
  });

  it("asks the key source on every cloud-mode request, so a rotated key applies as soon as the source has it", async () => {
    let current = [hashEventKey("old-key")];
    const d = { ...deps("cloud").deps, eventKeyHashes: async () => current };
    const send = (eventKey: string) => acceptEvents(d, { eventKey, body: '{"name":"a"}' });
    await expect(send("old-key")).resolves.toMatchObject({ status: 200 });

    current = [hashEventKey("new-key")];

    await expect(send("new-key")).resolves.toMatchObject({ status: 200 });
    await expect(send("old-key")).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("never asks for the keys in dev mode", async () => {
    const d = { ...deps("dev").deps, eventKeyHashes: () => Promise.reject(new Error("no parameter store")) };

    await expect(acceptEvents(d, { eventKey: "any", body: '{"name":"a"}' })).resolves.toMatchObject({
      status: 200,
    });
  });
});

describe("parseEventKeyHashes", () => {
  it("reads a comma-separated list of sha256 hex digests, lowercased", () => {
    const a = hashEventKey("a");
    const b = hashEventKey("b");

    expect(parseEventKeyHashes(` ${a.toUpperCase()},${b} `)).toEqual([a, b]);
  });

  it("leaves out what is not a digest, so a placeholder accepts no key", () => {
    expect(parseEventKeyHashes("none")).toEqual([]);
    expect(parseEventKeyHashes(`${hashEventKey("a").slice(1)},,x`)).toEqual([]);
  });
});
