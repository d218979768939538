import { beforeEach, describe, expect, it } from "vitest";
import { type MemoryPorts, memoryPorts } from "../../../../shared/adapters/memory/index.js";
import { ManualClock } from "../../../../shared/adapters/memory/ManualClock.js";
import { MemoryCronSchedules } from "../../../../shared/adapters/memory/MemoryCronSchedules.js";
import { type CronTick, fireCron } from "../../../../shared/core/cron/fireCron.js";
import { syncCronTriggers } from "../../../../shared/core/cron/syncCrons.js";
import { registerApp } from "../../../../shared/core/registry/registerApp.js";
import { handleEvents } from "../../../../shared/core/runner/pipeline.js";
import { handleTimer } from "../../../../shared/core/timers/handleTimer.js";
import { cronJitterMs } from "../../../../shared/domain/cron.js";
import type { FunctionRecord, Trigger } from "../../../../shared/domain/schemas.js";
import { makeApp, makeFunction } from "../../../fixtures/records.js";
import { randomSuffix } from "../../../helpers/randomSuffix.js";

const MINUTE = 60_000;
/** A whole minute (Wednesday 2030-01-02 12:00Z): where every-minute crons fire. */
const T = Date.UTC(2030, 0, 2, 12, 0);

let ports: MemoryPorts<ManualClock>;
let appId: string;

beforeEach(() => {
  ports = memoryPorts(new ManualClock(T));
  appId = `app-${randomSuffix()}`;
});

async function syncFn(triggers: Trigger[], overrides: Partial<FunctionRecord> = {}): Promise<FunctionRecord> {
  const fn = makeFunction(appId, `fn-${randomSuffix()}`, [], { triggers, ...overrides });
  await ports.registry.putAppSync(makeApp(appId, [fn]), [fn]);
  return fn;
}

/** The tick a cron() schedule delivers once Scheduler filled in its scheduled time. */
const tick = (fn: FunctionRecord, cron: string, scheduledAt = "2030-01-02T12:00:00Z"): CronTick => ({
  kind: "cron",
  fnSlug: fn.slug,
  cron,
  scheduledAt,
});

/** A tick of a chain begun when `fn` was synced (at `chain`), already at its jittered time. */
const chainTick = (
  fn: FunctionRecord,
  cron: string,
  scheduledAt: string,
  chain = fn.updatedAt,
): CronTick => ({
  ...tick(fn, cron, scheduledAt),
  chain,
  jittered: true,
});

describe("fireCron", () => {
  it("puts an inngest/scheduled.timer event for the function, id = the RFC 3339 scheduled time", async () => {
    const fn = await syncFn([{ cron: "* * * * *" }]);

    await fireCron(ports, tick(fn, "* * * * *"));

    const [put, ...more] = ports.stream.events();
    expect(more).toEqual([]);
    expect(put?.target).toBe(fn.slug);
    expect(put?.receivedAt).toBe(T);
    expect(put?.event).toEqual({
      name: "inngest/scheduled.timer",
      id: "2030-01-02T12:00:00Z",
      ts: T,
      data: { cron: "* * * * *", scheduledAt: "2030-01-02T12:00:00Z", fireAt: "2030-01-02T12:00:00Z" },
      user: {},
    });
    expect(ports.timers.pending()).toEqual([]);
  });

  it("gives a repeated tick the same internal id, and the next tick another", async () => {
    const fn = await syncFn([{ cron: "* * * * *" }]);

    await fireCron(ports, tick(fn, "* * * * *"));
    await fireCron(ports, tick(fn, "* * * * *"));
    await fireCron(ports, tick(fn, "* * * * *", "2030-01-02T12:01:00Z"));

    const ids = ports.stream.events().map((e) => e.internalId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it("starts one run of that function only, and none for a repeated tick", async () => {
    const fn = await syncFn([{ cron: "* * * * *" }]);
    // Another function listening to the event name itself gets nothing from a tick aimed at fn.
    const other = makeFunction(appId, `other-${randomSuffix()}`, ["inngest/scheduled.timer"]);
    await ports.registry.putAppSync(makeApp(appId, [fn, other], "c2"), [fn, other]);

    await fireCron(ports, tick(fn, "* * * * *"));
    await fireCron(ports, tick(fn, "* * * * *"));
    await handleEvents(ports, ports.stream.take());

    const runs = (await ports.runs.listRuns({ from: 0, until: T + MINUTE }, { limit: 10 })).runs;
    expect(runs.map((r) => r.fnSlug)).toEqual([fn.slug]);
  });

  it.each([
    ["the function is archived", async (fn: FunctionRecord) => ({ ...fn, archived: true })],
    [
      "the function no longer has the cron",
      async (fn: FunctionRecord) => ({ ...fn, triggers: [{ cron: "0 * * * *" }] }),
    ],
  ])("does nothing when %s", async (_what, change) => {
    const fn = await syncFn([{ cron: "* * * * *" }]);
    const changed = await change(fn);
    await ports.registry.putAppSync(makeApp(appId, [changed], "c2"), [changed]);

    await fireCron(ports, tick(fn, "* * * * *"));
    await fireCron(ports, { ...tick(fn, "* * * * *"), chain: fn.updatedAt, jittered: true });

    expect(ports.stream.events()).toEqual([]);
    expect(ports.timers.pending()).toEqual([]);
  });

  it("does nothing for a function that was never synced", async () => {
    await fireCron(ports, { kind: "cron", fnSlug: `gone-${randomSuffix()}`, cron: "* * * * *" });
    expect(ports.stream.events()).toEqual([]);
  });

  it("comes back once at its jittered time, then fires with ts = that time", async () => {
    const fn = await syncFn([{ cron: "* * * * *", jitter: "30s" }]);
    const fireAt = T + cronJitterMs(fn.slug, "* * * * *", T, "30s");

    await fireCron(ports, tick(fn, "* * * * *"));
    expect(ports.stream.events()).toEqual([]);
    const [again] = ports.timers.takeDue(fireAt);
    expect(again).toEqual({ item: { ...tick(fn, "* * * * *"), jittered: true }, dueAt: fireAt });

    ports.clock.set(fireAt);
    await handleTimer(ports, again ?? { item: tick(fn, "x"), dueAt: 0 });

    const [put] = ports.stream.events();
    expect(put?.event.ts).toBe(fireAt);
    expect(put?.event.id).toBe("2030-01-02T12:00:00Z");
    expect(put?.event.data.fireAt).toBe(new Date(fireAt).toISOString().replace(".000Z", "Z"));
    expect(fireAt % 1000).toBe(0);
    expect(ports.timers.pending()).toEqual([]);
  });

  it("on a chain, fires and schedules the next tick; a chain from an earlier sync stops", async () => {
    const cron = "0 12 1 * WED"; // the 1st or Wednesdays: Scheduler cannot say it
    const fn = await syncFn([{ cron }]);

    await fireCron(ports, chainTick(fn, cron, "2030-01-02T12:00:00Z"));

    expect(ports.stream.events().map((e) => e.event.id)).toEqual(["2030-01-02T12:00:00Z"]);
    expect(ports.timers.pending()).toEqual([
      { item: chainTick(fn, cron, "2030-01-09T12:00:00Z"), dueAt: Date.UTC(2030, 0, 9, 12) },
    ]);

    ports.timers.takeDue(Number.MAX_SAFE_INTEGER);
    await fireCron(ports, chainTick(fn, cron, "2030-01-09T12:00:00Z", fn.updatedAt - 1));
    expect(ports.stream.events()).toHaveLength(1);
    expect(ports.timers.pending()).toEqual([]);
  });

  it("on a chain that fell far behind, skips the missed ticks rather than firing them all", async () => {
    const cron = "* * 1 * WED";
    const fn = await syncFn([{ cron }]);
    ports.clock.set(T + 60 * MINUTE);

    await fireCron(ports, chainTick(fn, cron, "2030-01-02T12:00:00Z"));

    expect(ports.timers.pending().map((t) => t.dueAt)).toEqual([T + 55 * MINUTE]);
  });
});

describe("syncCronTriggers", () => {
  it("gives Scheduler a cron() schedule per cron it can express, and chains the others", async () => {
    const cronSchedules = new MemoryCronSchedules();
    const fn = makeFunction(appId, "fn", [], {
      triggers: [{ event: "a/b" }, { cron: "TZ=Europe/Paris 0 9 * * MON-FRI" }, { cron: "0 12 1 * WED" }],
    });

    ports.clock.set(T - MINUTE);
    await syncCronTriggers({ ...ports, cronSchedules }, [fn], []);

    expect(cronSchedules.list(fn.slug)).toEqual([
      {
        cron: "TZ=Europe/Paris 0 9 * * MON-FRI",
        expression: "cron(0 9 ? * 2-6 *)",
        timezone: "Europe/Paris",
      },
    ]);
    expect(ports.timers.pending()).toEqual([
      {
        item: {
          kind: "cron",
          fnSlug: fn.slug,
          cron: "0 12 1 * WED",
          scheduledAt: "2030-01-02T12:00:00Z",
          chain: fn.updatedAt,
          jittered: true,
        },
        dueAt: T,
      },
    ]);
  });

  it("removes the schedules of crons and functions a sync dropped", async () => {
    const cronSchedules = new MemoryCronSchedules();
    const keep = makeFunction(appId, "keep", [], {
      triggers: [{ cron: "0 * * * *" }, { cron: "30 * * * *" }],
    });
    const drop = makeFunction(appId, "drop", [], { triggers: [{ cron: "0 0 * * *" }] });
    await syncCronTriggers({ ...ports, cronSchedules }, [keep, drop], []);
    expect(cronSchedules.functions()).toEqual([drop.slug, keep.slug].sort());

    await syncCronTriggers(
      { ...ports, cronSchedules },
      [{ ...keep, triggers: [{ cron: "0 * * * *" }] }],
      [drop.slug],
    );

    expect(cronSchedules.functions()).toEqual([keep.slug]);
    expect(cronSchedules.list(keep.slug).map((s) => s.cron)).toEqual(["0 * * * *"]);
  });

  it("runs from registerApp after a changed sync, and not after an unchanged one", async () => {
    const cronSchedules = new MemoryCronSchedules();
    const deps = { ...ports, mode: "dev" as const, signingKeys: [], cronSchedules };
    const url = "http://127.0.0.1:9/api/inngest";
    const body = (cron: string) =>
      JSON.stringify({
        url,
        v: "0.1",
        deployType: "ping",
        sdk: "js:v3.0.0",
        framework: "express",
        appName: appId,
        functions: [
          {
            id: `${appId}-tick`,
            name: "tick",
            triggers: [{ cron }],
            steps: {
              step: {
                id: "step",
                name: "step",
                runtime: { type: "http", url: `${url}?fnId=${appId}-tick&stepId=step` },
              },
            },
          },
        ],
      });

    await registerApp(deps, { body: body("*/5 * * * *") });
    expect(cronSchedules.list(`${appId}-tick`).map((s) => s.expression)).toEqual(["cron(0/5 * * * ? *)"]);

    await cronSchedules.sync(`${appId}-tick`, []); // what an unchanged sync must leave alone
    await registerApp(deps, { body: body("*/5 * * * *") });
    expect(cronSchedules.list(`${appId}-tick`)).toEqual([]);

    await registerApp(deps, { body: body("0 * * * *") });
    expect(cronSchedules.list(`${appId}-tick`).map((s) => s.expression)).toEqual(["cron(0 * * * ? *)"]);
  });
});
