import { describe, expect, it } from "vitest";
import {
  formatDuration,
  parseDurationMs,
  parseIsoInstant,
  resolveSleepTarget,
} from "../../../shared/domain/duration.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("parseDurationMs", () => {
  it.each([
    ["", 0],
    ["0", 0],
    ["5s", 5 * S],
    ["90m", 90 * M],
    ["1h30m", H + 30 * M],
    ["1d12h", D + 12 * H],
    ["2w", 14 * D],
    ["1w2d3h4m5s", 7 * D + 2 * D + 3 * H + 4 * M + 5 * S],
    ["250ms", 250],
    ["1.5h", 1.5 * H],
    [".5s", 500],
    ["1500us", 1.5],
    ["1500µs", 1.5],
    ["1500μs", 1.5],
    ["2000000ns", 2],
    ["+3m", 3 * M],
    [" 1h ", H],
  ])("parses %j as %d ms", (input, expected) => {
    expect(parseDurationMs(input)).toBeCloseTo(expected, 9);
  });

  it.each(["1", "h", "1x", "1h30", "1 h", "abc", "1h-5m", "1.2.3s", "+", "s5"])(
    "throws a clear error when given %j",
    (input) => {
      expect(() => parseDurationMs(input)).toThrow(/invalid duration/);
    },
  );

  it("rejects negative durations", () => {
    expect(() => parseDurationMs("-5s")).toThrow(/negative/);
  });

  it("round-trips every formatted duration (property over generated values)", () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const ms = next() * (next() % 1000);
      expect(parseDurationMs(formatDuration(ms))).toBe(ms);
    }
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [1500, "1s500ms"],
    [H + 30 * M, "1h30m"],
    [D + 12 * H, "1d12h"],
    [8 * D, "1w1d"],
    [-5 * S, "-5s"],
  ])("formats %d ms as %j", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("parseIsoInstant", () => {
  it("reads JS toISOString and Python timestamps", () => {
    expect(parseIsoInstant("2030-01-01T00:00:00.000Z")).toBe(Date.UTC(2030, 0, 1));
    expect(parseIsoInstant("2030-01-01T00:00:00.123456789Z")).toBe(Date.UTC(2030, 0, 1) + 123);
  });

  it("treats a date-time without offset as UTC and honours explicit offsets", () => {
    expect(parseIsoInstant("2030-01-01T10:00:00")).toBe(Date.UTC(2030, 0, 1, 10));
    expect(parseIsoInstant("2030-01-01T10:00:00+02:00")).toBe(Date.UTC(2030, 0, 1, 8));
    expect(parseIsoInstant("2030-01-01T10:00:00+0200")).toBe(Date.UTC(2030, 0, 1, 8));
    expect(parseIsoInstant("2030-01-01")).toBe(Date.UTC(2030, 0, 1));
  });

  it("returns undefined when the text is not an ISO date", () => {
    expect(parseIsoInstant("1h30m")).toBeUndefined();
    expect(parseIsoInstant("2030-13-45T99:99:99Z")).toBeUndefined();
  });
});

describe("resolveSleepTarget", () => {
  const now = Date.UTC(2026, 0, 1);

  it("adds a duration to now", () => {
    expect(resolveSleepTarget("1h30m", now)).toBe(now + H + 30 * M);
    expect(resolveSleepTarget("", now)).toBe(now);
  });

  it("uses an ISO instant of 10+ characters as the absolute wake time", () => {
    expect(resolveSleepTarget("2030-01-01T00:00:00.000Z", now)).toBe(Date.UTC(2030, 0, 1));
  });

  it("reads a long duration string as a duration, not a date", () => {
    expect(resolveSleepTarget("1w2d3h4m5s", now)).toBe(now + 9 * D + 3 * H + 4 * M + 5 * S);
  });

  it("throws when the value is neither a date nor a duration", () => {
    expect(() => resolveSleepTarget("tomorrow morning", now)).toThrow(/invalid duration/);
  });
});
