import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../shared/protocol/constants.js";
import { type EventPayloadResult, parseEventPayload } from "../../../shared/protocol/events.js";

const NOW = Date.UTC(2026, 5, 1);

/**
 * The text of one event nested `depth` levels: the event object is level 1, `data` level 2, and
 * each `{"a": ...}` inside data one more. Built as text so that no recursion builds or prints it.
 */
function eventText(depth: number): string {
  const inner = depth - 2;
  return `{"name":"demo/deep","data":${'{"a":'.repeat(inner)}{}${"}".repeat(inner)}}`;
}

const parse = (body: string): EventPayloadResult => parseEventPayload(body, { nowMs: NOW });

function tooDeep(depth: number): string {
  return `event nests ${depth} levels deep (objects and arrays); the limit is 128`;
}

describe("parseEventPayload: nesting depth of one event", () => {
  it("limits an event to 128 levels", () => {
    expect(LIMITS.eventMaxDepth).toBe(128);
  });

  it("counts the event object as level 1 and its data as level 2", () => {
    expect(parse(eventText(2)).ok).toBe(true);
    expect(parse('{"name":"demo/flat"}').ok).toBe(true);
  });

  it("accepts an event nested exactly eventMaxDepth levels", () => {
    const out = parse(eventText(LIMITS.eventMaxDepth));
    expect(out.ok).toBe(true);
  });

  it("refuses an event nested one level deeper than the limit with a 400 naming the depth", () => {
    expect(parse(eventText(LIMITS.eventMaxDepth + 1))).toEqual({
      ok: false,
      status: 400,
      error: tooDeep(129),
    });
  });

  it("counts arrays inside data as levels too", () => {
    // event (1), data (2), then arrays: 126 of them reach 128, 127 reach 129.
    const withArrays = (n: number) => `{"name":"demo/deep","data":{"a":${"[".repeat(n)}${"]".repeat(n)}}}`;
    expect(parse(withArrays(126)).ok).toBe(true);
    expect(parse(withArrays(127))).toEqual({ ok: false, status: 400, error: tooDeep(129) });
  });

  it("does not count brackets inside string values", () => {
    const body = JSON.stringify({ name: "demo/brackets", data: { text: "[{".repeat(1000) } });
    expect(parse(body).ok).toBe(true);
  });

  it("refuses an event nested 20,000 deep with a 400 instead of overflowing the stack", () => {
    const body = eventText(20_000);
    let out: EventPayloadResult | undefined;
    expect(() => {
      out = parse(body);
    }).not.toThrow();
    expect(out).toEqual({ ok: false, status: 400, error: tooDeep(20_000) });
  });
});

describe("parseEventPayload: nesting depth in an array of events", () => {
  it("does not count the array around the events", () => {
    expect(parse(`[${eventText(LIMITS.eventMaxDepth)}]`).ok).toBe(true);
  });

  it("names the event's own depth, not the array's, when an event in an array is too deep", () => {
    expect(parse(`[${eventText(LIMITS.eventMaxDepth + 1)}]`)).toEqual({
      ok: false,
      status: 400,
      error: tooDeep(129),
    });
  });

  it("does not count the array when whitespace precedes it", () => {
    expect(parse(` \n\t[${eventText(LIMITS.eventMaxDepth)}]`).ok).toBe(true);
    expect(parse(` \n\t[${eventText(LIMITS.eventMaxDepth + 1)}]`)).toMatchObject({ status: 400 });
  });

  it("refuses the whole request when any one event is too deep", () => {
    const body = `[${eventText(3)},${eventText(LIMITS.eventMaxDepth + 1)}]`;
    expect(parse(body)).toEqual({ ok: false, status: 400, error: tooDeep(129) });
  });

  it("accepts several events each at the limit", () => {
    const body = `[${eventText(LIMITS.eventMaxDepth)},${eventText(LIMITS.eventMaxDepth)}]`;
    const out = parse(body);
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.events).toHaveLength(2);
  });

  it("refuses an array of events nested 20,000 deep with a 400 and does not throw", () => {
    const out = parse(`[${eventText(20_000)}]`);
    expect(out).toEqual({ ok: false, status: 400, error: tooDeep(20_000) });
  });
});
