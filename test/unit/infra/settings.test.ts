/**
 * The bounds of every per-environment setting (infra/stack/settings.ts), at both ends: the bound
 * itself is taken, one past it is refused naming the key, its range and the value. Pure: nothing
 * is synthesized (environments.test.ts holds the settings to the template).
 */
import { describe, expect, it } from "vitest";
import { functionEnvironment, parseSettings, resolveSettings } from "../../../infra/stack/settings.js";
import { loadConfig } from "../../../shared/config.js";
import { resourceEnvNames } from "../../../shared/resources.js";

/** A setting given as `value` (with what it needs beside it). */
type Raw = (value: number) => Record<string, unknown>;
const setting =
  (key: string): Raw =>
  (value) => ({ [key]: value });

/** [path in the error, least value taken, greatest value taken, the settings that carry a value]. */
const RANGES: [string, number, number, Raw][] = [
  ["runRetentionDays", 1, 3650, setting("runRetentionDays")],
  ["eventRetentionDays", 1, 3650, setting("eventRetentionDays")],
  ["memoryMb.executor", 128, 10240, (n) => ({ memoryMb: { executor: n } })],
  ["memoryMb.eventApi", 128, 10240, (n) => ({ memoryMb: { eventApi: n } })],
  ["kinesisShards", 1, 1000, (n) => ({ kinesisMode: "provisioned", kinesisShards: n })],
  ["executorMaxConcurrency", 2, 1000, setting("executorMaxConcurrency")],
  ["timerMaxConcurrency", 2, 1000, setting("timerMaxConcurrency")],
  ["eventApiReservedConcurrency", 0, 10000, setting("eventApiReservedConcurrency")],
  ["eventApiRateLimit", 1, 1_000_000, setting("eventApiRateLimit")],
  ["eventApiBurstLimit", 1, 1_000_000, setting("eventApiBurstLimit")],
  ["apiRateLimit", 1, 1_000_000, setting("apiRateLimit")],
  ["apiBurstLimit", 1, 1_000_000, setting("apiBurstLimit")],
];

const parse = (raw: Record<string, unknown>) => () => parseSettings(raw, "props");

describe("settings bounds", () => {
  it.each(RANGES)("%s takes %d to %d and refuses one past either end", (path, min, max, raw) => {
    const refusal = (got: number) =>
      new RegExp(
        `${path.replace(".", "\\.")} must be an? (integer|number) from ${min} to ${max} \\(got ${got}\\)`,
      );

    expect(parse(raw(min))).not.toThrow();
    expect(parse(raw(max))).not.toThrow();
    expect(parse(raw(min - 1))).toThrow(refusal(min - 1));
    expect(parse(raw(max + 1))).toThrow(refusal(max + 1));
  });

  it("takes a stage name of 1 to 20 characters", () => {
    expect(parse({ stage: "a" })).not.toThrow();
    expect(parse({ stage: `a${"b".repeat(19)}` })).not.toThrow();
    expect(parse({ stage: "" })).toThrow(/stage must be 1–20 lowercase letters/);
    expect(parse({ stage: `a${"b".repeat(20)}` })).toThrow(/stage must be 1–20 lowercase letters/);
  });

  it("takes tag keys of 1 to 128 characters and tag values of up to 256", () => {
    expect(parse({ resourceTags: { k: "" } })).not.toThrow();
    expect(parse({ resourceTags: { ["k".repeat(128)]: "v".repeat(256) } })).not.toThrow();
    expect(parse({ resourceTags: { "": "v" } })).toThrow(/tag keys are 1–128/);
    expect(parse({ resourceTags: { ["k".repeat(129)]: "v" } })).toThrow(/tag keys are 1–128/);
    expect(parse({ resourceTags: { k: "v".repeat(257) } })).toThrow(/tag values are up to 256/);
  });
});

describe("runCosts", () => {
  it("is on by default and reaches every function as TIDELINE_RUN_COSTS", () => {
    expect(functionEnvironment(resolveSettings({})).TIDELINE_RUN_COSTS).toBe("on");
    expect(functionEnvironment(resolveSettings({ runCosts: false })).TIDELINE_RUN_COSTS).toBe("off");
  });

  it("takes true and false, as booleans or context strings, and refuses anything else", () => {
    expect(parseSettings({ runCosts: "false" }, "context")).toMatchObject({ runCosts: false });
    expect(parseSettings({ runCosts: "true" }, "context")).toMatchObject({ runCosts: true });
    expect(() => parseSettings({ runCosts: "no" }, "context")).toThrow(/runCosts must be true or false/);
  });

  it("is read by the handlers' config: on unless TIDELINE_RUN_COSTS=off", () => {
    const env = Object.fromEntries(resourceEnvNames().map((name) => [name, `x-${name.toLowerCase()}`]));
    expect(loadConfig(env).runCosts).toBe(true);
    expect(loadConfig({ ...env, TIDELINE_RUN_COSTS: "off" }).runCosts).toBe(false);
    expect(() => loadConfig({ ...env, TIDELINE_RUN_COSTS: "maybe" })).toThrow(/TIDELINE_RUN_COSTS/);
  });
});
