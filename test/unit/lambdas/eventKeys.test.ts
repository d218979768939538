/**
 * The event-key hashes a deployed event API reads from its SSM parameter: through Powertools'
 * cache (the real BaseProvider, its SSM read replaced by a scripted one; the clock faked), so a
 * rotated key applies within MAX_AGE_SECONDS and the parameter is read at most once per window.
 */
import { BaseProvider } from "@aws-lambda-powertools/parameters/base";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  EVENT_KEY_HASHES_PARAM_ENV,
  eventKeyHashesFrom,
  MAX_AGE_SECONDS,
  parameterEventKeyHashes,
} from "../../../lambdas/eventKeys.js";
import { logger } from "../../../lambdas/middleware.js";
import { acceptEvents } from "../../../shared/core/ingest/acceptEvents.js";
import { hashEventKey } from "../../../shared/core/ingest/eventKeys.js";
import { UnauthorizedError } from "../../../shared/domain/errors.js";

const PARAM = "/tideline/TidelineTest/event-key-hashes";

/** Powertools' provider with the parameter store replaced: `_get` answers the current value. */
class ScriptedParameters extends BaseProvider {
  value = "none";
  /** When set, each read fails (SSM throttled or unreachable). */
  failing = false;
  readonly reads: string[] = [];

  constructor() {
    super({});
  }

  protected async _get(name: string): Promise<string> {
    this.reads.push(name);
    if (this.failing) throw new Error("ThrottlingException: Rate exceeded");
    return this.value;
  }

  protected async _getMultiple(): Promise<Record<string, unknown>> {
    return {};
  }
}

let store: ScriptedParameters;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.UTC(2030, 0, 1));
  store = new ScriptedParameters();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const seconds = (s: number) => vi.setSystemTime(Date.now() + s * 1000);

describe("parameterEventKeyHashes", () => {
  it("reads the parameter once and answers from the cache until MAX_AGE_SECONDS have passed", async () => {
    const hashes = parameterEventKeyHashes(store, PARAM);
    store.value = [hashEventKey("a"), hashEventKey("b")].join(",");

    expect(await hashes()).toEqual([hashEventKey("a"), hashEventKey("b")]);
    seconds(MAX_AGE_SECONDS - 1);
    expect(await hashes()).toEqual([hashEventKey("a"), hashEventKey("b")]);

    expect(store.reads).toEqual([PARAM]);
  });

  it("trusts a read for a minute: a rotation is unseen 59.5 s later and applied 60.5 s later", async () => {
    const hashes = parameterEventKeyHashes(store, PARAM);
    store.value = hashEventKey("old");
    await hashes();
    store.value = hashEventKey("new");

    seconds(59.5);
    expect(await hashes()).toEqual([hashEventKey("old")]);
    seconds(1);
    expect(await hashes()).toEqual([hashEventKey("new")]);
  });

  it("re-reads the parameter once MAX_AGE_SECONDS have passed", async () => {
    const hashes = parameterEventKeyHashes(store, PARAM);
    store.value = hashEventKey("old");
    await hashes();

    store.value = hashEventKey("new");
    seconds(MAX_AGE_SECONDS + 1);

    expect(await hashes()).toEqual([hashEventKey("new")]);
    expect(store.reads).toEqual([PARAM, PARAM]);
  });

  it("lets the event API accept a rotated key, and refuse the retired one, within MAX_AGE_SECONDS", async () => {
    store.value = hashEventKey("old-key");
    const deps = {
      stream: { put: async () => {} },
      clock: { now: () => Date.now() },
      mode: "cloud" as const,
      eventKeyHashes: parameterEventKeyHashes(store, PARAM),
    };
    const send = (eventKey: string) => acceptEvents(deps, { eventKey, body: '{"name":"a"}' });
    await expect(send("old-key")).resolves.toMatchObject({ status: 200 });

    store.value = hashEventKey("new-key");
    seconds(MAX_AGE_SECONDS + 1);

    await expect(send("new-key")).resolves.toMatchObject({ status: 200 });
    await expect(send("old-key")).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("keeps the last hashes read when a read after MAX_AGE_SECONDS fails, and tries again a window later", async () => {
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => {});
    const hashes = parameterEventKeyHashes(store, PARAM);
    store.value = hashEventKey("a");
    await hashes();

    store.failing = true;
    seconds(MAX_AGE_SECONDS + 1);
    expect(await hashes()).toEqual([hashEventKey("a")]);
    seconds(MAX_AGE_SECONDS - 1);
    expect(await hashes()).toEqual([hashEventKey("a")]);
    expect(store.reads).toEqual([PARAM, PARAM]);

    store.failing = false;
    store.value = hashEventKey("b");
    seconds(2);
    expect(await hashes()).toEqual([hashEventKey("b")]);
    expect(store.reads).toEqual([PARAM, PARAM, PARAM]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("fails when the first read fails: there is nothing to fall back on", async () => {
    store.failing = true;

    await expect(parameterEventKeyHashes(store, PARAM)()).rejects.toThrow("Rate exceeded");
  });

  it("accepts no key while the parameter holds the stack's placeholder", async () => {
    store.value = "none";

    expect(await parameterEventKeyHashes(store, PARAM)()).toEqual([]);
  });
});

describe("eventKeyHashesFrom", () => {
  it("uses the environment's fixed list when no parameter is named (tideline dev, tests)", async () => {
    const hashes = await eventKeyHashesFrom({}, [hashEventKey("k")]);

    expect(await hashes()).toEqual([hashEventKey("k")]);
  });

  it("reads the parameter named by the environment instead of the fixed list", async () => {
    store.value = hashEventKey("from-ssm");

    const hashes = await eventKeyHashesFrom(
      { [EVENT_KEY_HASHES_PARAM_ENV]: PARAM },
      [hashEventKey("k")],
      async () => store,
    );

    expect(await hashes()).toEqual([hashEventKey("from-ssm")]);
    expect(store.reads).toEqual([PARAM]);
  });
});
