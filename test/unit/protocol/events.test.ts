import { decodeTime, isValid } from "ulid";
import { describe, expect, it } from "vitest";
import { EVENT_BODY_ERROR, parseEventPayload, seededIds } from "../../../shared/protocol/events.js";

const NOW = Date.UTC(2026, 5, 1);
const SEED = "1743130137367,eii2YKXRVTJPuA==";
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Independent reference for PROTOCOL 2.5: the 128-bit ULID as one BigInt, base32-encoded. */
function referenceSeededUlid(header: string, index: number): string {
  const [millis = "0", b64 = ""] = header.split(",");
  const bytes = [...Buffer.from(b64, "base64")];
  let entropy = 0n;
  for (const b of bytes) entropy = (entropy << 8n) | BigInt(b);
  const low = (entropy + BigInt(index)) & 0xffffffffn; // bytes 6..9 as uint32, wrapping
  entropy = (entropy & ~0xffffffffn) | low;
  let value = (BigInt(millis) << 80n) | entropy;
  let out = "";
  for (let i = 0; i < 26; i++) {
    out = CROCKFORD[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

function parse(body: unknown, seedHeader?: string | null) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  return parseEventPayload(raw, { nowMs: NOW, seedHeader });
}

function errorOf(body: unknown) {
  const out = parse(body);
  if (out.ok) throw new Error("expected the payload to be rejected");
  return out;
}

describe("parseEventPayload: accepted bodies", () => {
  it("accepts a single event object and fills the defaults", () => {
    const out = parse({ name: "demo/hello", data: { a: 1 } });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const [accepted] = out.events;
    expect(accepted?.receivedAt).toBe(NOW);
    expect(accepted?.event).toEqual({
      name: "demo/hello",
      data: { a: 1 },
      ts: NOW,
      user: {},
      id: accepted?.internalId,
    });
    expect(isValid(accepted?.internalId ?? "")).toBe(true);
  });

  it("keeps meta, merging the sessions a run propagated under the sender's own (null cuts one)", () => {
    const out = parse({
      name: "demo/meta",
      meta: {
        sessions: { user: "u-2", tenant: null },
        propagated_sessions: { user: "u-1", tenant: "t-1", chat: "c-1" },
        other: 1,
      },
    });
    if (!out.ok) throw new Error(out.error);
    expect(out.events[0]?.event.meta).toEqual({ other: 1, sessions: { user: "u-2", chat: "c-1" } });
    const bare = parse({ name: "demo/meta", meta: {} });
    expect(bare.ok && bare.events[0]?.event.meta).toBeUndefined();
    expect(errorOf({ name: "demo/meta", meta: "x" }).error).toBe("event meta must be an object");
  });

  it("accepts an array and keeps request order", () => {
    const out = parse([
      { name: "a/1" },
      { name: "a/2", id: "user-id", ts: 1700000000000, v: "2024-01-01.1" },
    ]);
    expect(out.ok && out.events.map((e) => e.event.name)).toEqual(["a/1", "a/2"]);
    if (!out.ok) return;
    expect(out.events[1]?.event).toMatchObject({ id: "user-id", ts: 1700000000000, v: "2024-01-01.1" });
    expect(out.events[1]?.internalId).not.toBe("user-id");
  });

  it("treats null or missing data as {} and deletes data._inngest", () => {
    const out = parse([
      { name: "a", data: null },
      { name: "b" },
      { name: "c", data: { x: 1, _inngest: { fn_id: "f" } } },
    ]);
    expect(out.ok && out.events.map((e) => e.event.data)).toEqual([{}, {}, { x: 1 }]);
  });

  it("fills ts with now when it is 0", () => {
    const out = parse({ name: "a", ts: 0 });
    expect(out.ok && out.events[0]?.event.ts).toBe(NOW);
  });

  it("keeps the given user object", () => {
    const out = parse({ name: "a", user: { id: "u1" } });
    expect(out.ok && out.events[0]?.event.user).toEqual({ id: "u1" });
  });

  it("accepts wildcard-looking and unicode names", () => {
    expect(parse({ name: "app/*" }).ok).toBe(true);
    expect(parse({ name: "émoji/🎉" }).ok).toBe(true);
  });
});

describe("parseEventPayload: rejected bodies", () => {
  it.each(["not json", "42", '"str"', "null", "[]"])("rejects %j with the Go message", (raw) => {
    expect(errorOf(raw)).toEqual({ ok: false, status: 400, error: EVENT_BODY_ERROR });
  });

  it("rejects a missing or empty name, path-indexed for arrays", () => {
    expect(errorOf({ data: {} }).error).toBe("event name is empty");
    expect(errorOf([{ name: "a" }, { name: "b" }, { name: "" }]).error).toBe(
      "events[2]: event name is empty",
    );
  });

  it("rejects reserved inngest/ names case-insensitively", () => {
    expect(errorOf({ name: "inngest/function.failed" }).error).toBe(
      "event name is reserved for internal use",
    );
    expect(errorOf([{ name: "INNGEST/x" }]).error).toBe("events[0]: event name is reserved for internal use");
  });

  it("rejects a name longer than 512 characters", () => {
    expect(parse({ name: "n".repeat(512) }).ok).toBe(true);
    expect(errorOf({ name: "n".repeat(513) }).error).toMatch(/too long/);
  });

  it("rejects an event larger than 512 KiB with 413", () => {
    const out = errorOf({ name: "big", data: { blob: "x".repeat(512 * 1024) } });
    expect(out.status).toBe(413);
    expect(out.error).toMatch(/too large/);
  });

  it("rejects a body larger than 3 MiB with 413", () => {
    const events = Array.from({ length: 7 }, () => ({ name: "a", data: { blob: "x".repeat(500 * 1024) } }));
    expect(errorOf(events).status).toBe(413);
  });

  it("rejects more than 5000 events", () => {
    const events = Array.from({ length: 5001 }, () => ({ name: "a" }));
    expect(errorOf(events).error).toMatch(/5000/);
    expect(parse(events.slice(1)).ok).toBe(true);
  });

  it("rejects ts outside 1980..2100 and non-integer ts", () => {
    expect(errorOf({ name: "a", ts: 1000 }).error).toMatch(/1980/);
    expect(errorOf({ name: "a", ts: Date.UTC(2100, 0, 1) }).error).toMatch(/2100/);
    expect(errorOf({ name: "a", ts: "yesterday" }).error).toMatch(/integer/);
    expect(errorOf({ name: "a", ts: 1.5 }).error).toMatch(/integer/);
  });

  it("rejects data, user, id or v of the wrong type", () => {
    expect(errorOf({ name: "a", data: [1] }).error).toBe("event data must be an object");
    expect(errorOf({ name: "a", data: "x" }).error).toBe("event data must be an object");
    expect(errorOf({ name: "a", user: 1 }).error).toMatch(/user/);
    expect(errorOf({ name: "a", id: 7 }).error).toMatch(/id/);
    expect(errorOf({ name: "a", v: 2 }).error).toMatch(/\bv\b/);
    expect(errorOf({ name: 5 }).error).toMatch(/name must be a string/);
    expect(errorOf([1]).error).toBe("events[0]: event must be an object");
  });

  it("never throws on arbitrary generated bodies (property)", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const atoms: unknown[] = [null, 0, -1, 1.5, "", "a", "inngest/x", true, [], {}, { _inngest: 1 }];
    const pick = () => atoms[rand(atoms.length)];
    for (let i = 0; i < 2000; i++) {
      const event: Record<string, unknown> = {};
      for (const key of ["name", "data", "id", "ts", "user", "v", "extra"]) if (rand(2)) event[key] = pick();
      const body = rand(3) === 0 ? event : [event, pick()];
      const out = parse(body);
      if (!out.ok) expect([400, 413]).toContain(out.status);
      else for (const e of out.events) expect(typeof e.event.name).toBe("string");
    }
  });
});

describe("seeded internal ids", () => {
  it("derives ids from the seed header exactly as PROTOCOL 2.5 describes", () => {
    const ids = seededIds(SEED, 3, NOW);
    expect(ids).toEqual([0, 1, 2].map((i) => referenceSeededUlid(SEED, i)));
    expect(decodeTime(ids[0] ?? "")).toBe(1743130137367);
  });

  it("gives the same ids for the same header and different ids for consecutive indexes", () => {
    const first = parse([{ name: "a" }, { name: "b" }], SEED);
    const retry = parse([{ name: "a" }, { name: "b" }], SEED);
    expect(first.ok && retry.ok).toBe(true);
    if (!first.ok || !retry.ok) return;
    expect(retry.events.map((e) => e.internalId)).toEqual(first.events.map((e) => e.internalId));
    expect(first.events[0]?.internalId).not.toBe(first.events[1]?.internalId);
    expect(first.events[0]?.event.id).toBe(first.events[0]?.internalId);
  });

  it("wraps the index addition within bytes 6..9", () => {
    const header = `1700000000000,${Buffer.from([1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xff, 0xff]).toString("base64")}`;
    const [id0, id1] = seededIds(header, 2, NOW);
    expect(id1).toBe(referenceSeededUlid(header, 1));
    // 0xffffffff + 1 wraps to 0 without carrying into byte 5.
    expect(id1).toBe(
      referenceSeededUlid(
        `1700000000000,${Buffer.from([1, 2, 3, 4, 5, 6, 0, 0, 0, 0]).toString("base64")}`,
        0,
      ),
    );
    expect(id0).not.toBe(id1);
  });

  it.each([
    ["", "empty"],
    ["abc", "no comma"],
    ["1,2,3", "three parts"],
    ["0,eii2YKXRVTJPuA==", "zero millis"],
    ["-5,eii2YKXRVTJPuA==", "negative millis"],
    ["x,eii2YKXRVTJPuA==", "non-numeric millis"],
    ["1743130137367,eii2YKXRVTJP", "wrong length"],
    ["1743130137367,eii2YKXRVTJPuA", "missing padding"],
    ["1743130137367,eii2YKXR_TJPuA==", "url-safe alphabet"],
  ])("falls back to fresh ULIDs when the header is invalid (%j: %s)", (header) => {
    const ids = seededIds(header, 2, NOW);
    expect(ids.every((id) => isValid(id) && decodeTime(id) === NOW)).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
    expect(seededIds(header, 2, NOW)).not.toEqual(ids);
  });

  it("mints fresh ids in increasing order within one millisecond", () => {
    const ids = seededIds(undefined, 50, NOW);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
  });
});
