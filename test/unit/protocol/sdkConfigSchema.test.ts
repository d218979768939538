/**
 * Every field of the official JS SDK's function config schema (`functionConfigSchema` of
 * `inngest/types`) is either honoured (accepted at sync and read by the part of Tideline that acts
 * on it) or refused with a 400 naming it. A field a new SDK adds fails this test until it is one
 * or the other.
 */
import { functionConfigSchema } from "inngest/types";
import { describe, expect, it } from "vitest";
import { memoryPorts } from "../../../shared/adapters/memory/index.js";
import { flowConfig } from "../../../shared/core/flow/config.js";
import { registerApp } from "../../../shared/core/registry/registerApp.js";
import { cancelSpecs, runTimeouts } from "../../../shared/core/runs/runSetup.js";
import type { FunctionRecord } from "../../../shared/domain/schemas.js";
import { parseRegistration } from "../../../shared/protocol/register.js";
import { makeFunction } from "../../fixtures/records.js";

type Obj = Record<string, unknown>;

const STEP_URL = "http://localhost:13000/api/inngest?fnId=app-f&stepId=step";

function fnConfig(extra: Obj): Obj {
  return {
    id: "app-f",
    name: "f",
    triggers: [{ event: "app/go" }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: STEP_URL } } },
    ...extra,
  };
}

function registration(extra: Obj): Obj {
  return {
    url: "http://localhost:13000/api/inngest",
    v: "0.1",
    deployType: "ping",
    sdk: "js:v4.24.0",
    appName: "app",
    functions: [fnConfig(extra)],
  };
}

function sync(extra: Obj) {
  return parseRegistration(registration(extra));
}

/** The function as stored after a sync with `extra` (its config is what the runtime reads). */
function record(extra: Obj): FunctionRecord {
  return makeFunction("app", "f", ["app/go"], { config: fnConfig(extra) as FunctionRecord["config"] });
}

/** For each honoured field: a value the SDK sends, and what the runtime reads from it. */
const HONOURED: Record<string, { sample: unknown; read: (fn: FunctionRecord) => unknown }> = {
  id: { sample: "app-f", read: (fn) => fn.config.id },
  name: { sample: "f", read: (fn) => fn.config.name },
  triggers: { sample: [{ event: "app/go" }], read: (fn) => fn.triggers[0] },
  steps: { sample: { step: { id: "step", runtime: { url: STEP_URL } } }, read: (fn) => fn.url },
  concurrency: {
    sample: [
      { limit: 2, key: "event.data.t" },
      { limit: 5, scope: "account", key: '"vendor"' },
    ],
    read: (fn) => (flowConfig(fn).concurrency.length === 2 ? flowConfig(fn).concurrency : undefined),
  },
  throttle: {
    sample: { limit: 2, period: "10s", burst: 1, key: "event.data.t" },
    read: (fn) => flowConfig(fn).throttle,
  },
  rateLimit: {
    sample: { limit: 3, period: "1m", key: "event.data.t" },
    read: (fn) => flowConfig(fn).rateLimit,
  },
  idempotency: { sample: "event.data.id", read: (fn) => flowConfig(fn).rateLimit?.idempotency },
  debounce: {
    sample: { period: "5s", key: "event.data.t", timeout: "1m" },
    read: (fn) => flowConfig(fn).debounce,
  },
  batchEvents: {
    sample: { maxSize: 10, timeout: "5s", key: "event.data.t" },
    read: (fn) => flowConfig(fn).batch,
  },
  priority: { sample: { run: "event.data.p" }, read: (fn) => flowConfig(fn).priority },
  singleton: { sample: { key: "event.data.t", mode: "skip" }, read: (fn) => flowConfig(fn).singleton },
  cancel: {
    sample: [{ event: "app/stop", if: "event.data.a == async.data.a" }],
    read: (fn) => cancelSpecs(fn)[0],
  },
  timeouts: { sample: { start: "10s", finish: "1m" }, read: (fn) => runTimeouts(fn).finishMs },
};

/** Fields Tideline refuses at sync, and the words the 400 must contain. None today. */
const REFUSED: Record<string, { sample: unknown; message: string }> = {};

describe("the SDK's function config schema, field by field", () => {
  const sdkFields = Object.keys(functionConfigSchema.shape);

  it("knows every field of the SDK's schema", () => {
    expect(sdkFields.length).toBeGreaterThan(10);
    const unknown = sdkFields.filter((f) => !(f in HONOURED) && !(f in REFUSED));
    expect(unknown).toEqual([]);
  });

  for (const [field, { sample, read }] of Object.entries(HONOURED)) {
    it(`honours ${field}: accepted at sync and read by the runtime`, () => {
      const parsed = sync({ [field]: sample });
      expect(parsed.ok, parsed.ok ? "" : parsed.error).toBe(true);
      expect(read(record({ [field]: sample }))).toBeDefined();
    });
  }

  for (const [field, { sample, message }] of Object.entries(REFUSED)) {
    it(`refuses ${field} with a 400 naming it`, () => {
      const parsed = sync({ [field]: sample });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain(message);
    });
  }

  it("refuses a field it does not know, naming it", () => {
    const parsed = sync({ surprise: { on: true } });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain("surprise");
    expect(sync({ surprise: null }).ok).toBe(true);
  });

  it("answers a sync with an option it does not know with a 400 naming it", async () => {
    const deps = { ...memoryPorts(), mode: "dev" as const, signingKeys: [] };
    const body = JSON.stringify(registration({ surprise: { on: true } }));
    await expect(registerApp(deps, { body })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("surprise"),
    });
  });

  it.each([
    [{ batchEvents: { maxSize: 5, timeout: "5s" }, debounce: { period: "5s" } }, "debounce"],
    [{ batchEvents: { maxSize: 5, timeout: "5s" }, singleton: { mode: "skip" } }, "singleton"],
    [{ batchEvents: { maxSize: 5, timeout: "5s" }, cancel: [{ event: "a/b" }] }, "cancel"],
    [{ batchEvents: { maxSize: 5, timeout: "5s" }, priority: { run: "1" } }, "priority.run"],
    [{ concurrency: { limit: 1, scope: "env" } }, "concurrency.key"],
    [{ concurrency: { limit: 1, scope: "account" } }, "concurrency.key"],
    [{ throttle: { limit: 1, period: "1s", burst: -1 } }, "throttle.burst"],
    [{ rateLimit: { limit: 0, period: "1s" } }, "rateLimit.limit"],
    [{ throttle: { limit: 0, period: "1s" } }, "throttle.limit"],
    [{ concurrency: 1001 }, "concurrency"],
    [{ concurrency: [{ limit: 1001, key: "event.data.t" }] }, "concurrency[0].limit"],
    [{ throttle: { limit: 1, period: "7d1ms" } }, "throttle.period"],
    [{ throttle: { limit: 1, period: "999ms" } }, "throttle.period"],
    [{ rateLimit: { limit: 1, period: "24h1ms" } }, "rateLimit.period"],
    [{ rateLimit: { limit: 1, period: "999ms" } }, "rateLimit.period"],
    [{ debounce: { period: "999ms" } }, "debounce.period"],
    [{ debounce: { period: "7d1ms" } }, "debounce.period"],
    [{ batchEvents: { maxSize: 501, timeout: "5s" } }, "batchEvents.maxSize"],
    [{ batchEvents: { maxSize: 5, timeout: "5m1ms" } }, "batchEvents.timeout"],
    [{ batchEvents: { maxSize: 5, timeout: "999ms" } }, "batchEvents.timeout"],
    [{ batchEvents: { maxSize: 0, timeout: "1s" } }, "batchEvents.maxSize"],
    [{ singleton: { mode: "queue" } }, "singleton.mode"],
    [{ priority: { run: "event.data.(" } }, "priority.run"],
    [{ idempotency: "event.data.(" }, "idempotency"],
    [{ concurrency: [{ limit: 1, key: "event.data.(" }] }, "concurrency[0].key"],
    [{ cancel: [{ event: "a/b", if: "event.data.(" }] }, "cancel[0].if"],
  ])("refuses %j naming %s", (extra, path) => {
    const parsed = sync(extra);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(path);
  });

  it.each([
    [{ throttle: { limit: 1, period: "1s" } }],
    [{ throttle: { limit: 1, period: "7d" } }],
    [{ rateLimit: { limit: 1, period: "24h" } }],
    [{ debounce: { period: "1s" } }],
    [{ concurrency: 1000 }],
    [{ concurrency: [{ limit: 1000, key: "event.data.t" }] }],
    [{ debounce: { period: "7d" } }],
    [{ rateLimit: { limit: 1, period: "1s" } }],
    [{ batchEvents: { maxSize: 500, timeout: "5m" } }],
    [{ batchEvents: { maxSize: 1, timeout: "1s" } }],
    [{ throttle: { limit: 1, period: "1s", burst: 0 } }],
    // A priority without `run` sets nothing a batch would ignore.
    [{ batchEvents: { maxSize: 5, timeout: "5s" }, priority: {} }],
  ])("accepts the boundary %j", (extra) => {
    const parsed = sync(extra);
    expect(parsed.ok, parsed.ok ? "" : parsed.error).toBe(true);
  });
});
