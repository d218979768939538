import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MESSAGE_MAX_DEPTH, parseMessage } from "../../../shared/domain/messages.js";

/** `n` arrays, each directly inside the previous one, with `1` at the bottom. */
const arrays = (n: number): string => `${"[".repeat(n)}1${"]".repeat(n)}`;

/** A recursive schema, so a deep body is walked level by level by the schema itself. */
type Tree = number | Tree[];
const tree: z.ZodType<Tree> = z.lazy(() => z.union([z.number(), z.array(tree)]));

describe("parseMessage: results", () => {
  it("returns the parsed value of a valid body", () => {
    const schema = z.object({ id: z.string(), n: z.number() });
    expect(parseMessage(schema, '{"id":"a","n":2}')).toEqual({ ok: true, value: { id: "a", n: 2 } });
  });

  it("returns the schema's output, transforms applied", () => {
    const schema = z.object({ n: z.string().transform((s) => s.length) });
    expect(parseMessage(schema, '{"n":"abc"}')).toEqual({ ok: true, value: { n: 3 } });
  });

  it("refuses a body that is not JSON", () => {
    expect(parseMessage(z.unknown(), "{not json")).toEqual({ ok: false, error: "body is not JSON" });
    expect(parseMessage(z.unknown(), "")).toEqual({ ok: false, error: "body is not JSON" });
  });

  it("refuses a body of the wrong shape with the schema's message", () => {
    const out = parseMessage(z.object({ id: z.string() }), '{"id":1}');
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error).toContain("id");
    expect(out.error).not.toBe("body is not JSON");
  });
});

describe("parseMessage: nesting depth", () => {
  it("bounds messages at 512 levels", () => {
    expect(MESSAGE_MAX_DEPTH).toBe(512);
  });

  it("parses a body nested exactly MESSAGE_MAX_DEPTH levels", () => {
    const out = parseMessage(tree, arrays(MESSAGE_MAX_DEPTH));
    expect(out.ok).toBe(true);
  });

  it("refuses a body nested one level deeper than the limit, naming the depth", () => {
    expect(parseMessage(z.unknown(), arrays(MESSAGE_MAX_DEPTH + 1))).toEqual({
      ok: false,
      error: "body nests 513 levels deep (max 512)",
    });
  });

  it("refuses a body nested 100,000 deep without throwing", () => {
    expect(parseMessage(tree, arrays(100_000))).toEqual({
      ok: false,
      error: "body nests 100000 levels deep (max 512)",
    });
  });

  it("does not count brackets inside strings towards the depth", () => {
    const body = JSON.stringify({ text: "[".repeat(10_000) });
    expect(parseMessage(z.object({ text: z.string() }), body)).toEqual({
      ok: true,
      value: { text: "[".repeat(10_000) },
    });
  });
});

describe("parseMessage: never throws", () => {
  it("returns a failure when the schema's refinement throws", () => {
    const schema = z.object({ n: z.number() }).refine(() => {
      throw new Error("refinement exploded");
    });
    expect(parseMessage(schema, '{"n":1}')).toEqual({
      ok: false,
      error: "body cannot be parsed: refinement exploded",
    });
  });

  it("returns a failure when the schema's transform throws", () => {
    const schema = z.string().transform((): number => {
      throw new TypeError("transform exploded");
    });
    expect(parseMessage(schema, '"x"')).toEqual({
      ok: false,
      error: "body cannot be parsed: transform exploded",
    });
  });

  it("returns a failure when the schema throws something that is not an Error", () => {
    const schema = z.unknown().superRefine(() => {
      throw "plain string";
    });
    expect(parseMessage(schema, "1")).toEqual({ ok: false, error: "body cannot be parsed: plain string" });
  });
});
