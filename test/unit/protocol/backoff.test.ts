import { describe, expect, it } from "vitest";
import { BACKOFF_TABLE_MS, parseRetryAfter, retryDelayMs } from "../../../shared/protocol/backoff.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const zero = () => 0;

describe("retryDelayMs", () => {
  it("follows the official table when jitter is zero", () => {
    const expected = [15 * S, 30 * S, M, 2 * M, 5 * M, 10 * M, 20 * M, 40 * M, H, 2 * H];
    expect(expected.map((_, i) => retryDelayMs(i, zero))).toEqual(expected);
  });

  it("waits 15 s before the first retry", () => {
    expect(retryDelayMs(0, zero)).toBe(15 * S);
  });

  it("stays at 2 h once the table is exhausted", () => {
    expect(retryDelayMs(10, zero)).toBe(2 * H);
    expect(retryDelayMs(1000, zero)).toBe(2 * H);
  });

  it("treats a negative or fractional count as its floor, at least 0", () => {
    expect(retryDelayMs(-3, zero)).toBe(15 * S);
    expect(retryDelayMs(1.7, zero)).toBe(30 * S);
  });

  it("adds jitter in [0, 30 s) with millisecond granularity", () => {
    for (let i = 0; i < 1000; i++) {
      const r = i / 1000;
      const extra = retryDelayMs(3, () => r) - 2 * M;
      expect(extra).toBeGreaterThanOrEqual(0);
      expect(extra).toBeLessThan(30 * S);
      expect(Number.isInteger(extra)).toBe(true);
    }
    expect(retryDelayMs(0, () => 0.99999999999) - 15 * S).toBe(29_999);
  });

  it("returns exactly the fixed interval when one is configured", () => {
    expect(retryDelayMs(7, () => 0.5, 1)).toBe(1000);
    expect(retryDelayMs(0, () => 0.5, 0)).toBe(0);
  });

  it("exports a ten-entry table", () => {
    expect(BACKOFF_TABLE_MS).toHaveLength(10);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2026, 0, 1);

  it("reads integer seconds", () => {
    expect(parseRetryAfter("30", now)).toBe(now + 30 * S);
    expect(parseRetryAfter(" 120 ", now)).toBe(now + 120 * S);
  });

  it("reads an ISO date (JS Date, Python) and an HTTP-date", () => {
    expect(parseRetryAfter("2026-01-01T00:05:00.000Z", now)).toBe(now + 5 * M);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:10:00 GMT", now)).toBe(now + 10 * M);
  });

  it("clamps to at least 1 s from now", () => {
    expect(parseRetryAfter("0", now)).toBe(now + S);
    expect(parseRetryAfter("-5", now)).toBe(now + S);
    expect(parseRetryAfter("2020-01-01T00:00:00Z", now)).toBe(now + S);
  });

  it("clamps to at most 24 h from now", () => {
    expect(parseRetryAfter("9999999", now)).toBe(now + 24 * H);
    expect(parseRetryAfter("2030-01-01T00:00:00Z", now)).toBe(now + 24 * H);
  });

  it("returns undefined when the header is absent or unparseable", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("30s", now)).toBeUndefined();
    expect(parseRetryAfter("12345678", now)).toBeUndefined();
  });
});
