import { beforeEach, describe, expect, it } from "vitest";
import type { FunctionRecord } from "../../shared/domain/schemas.js";
import type { RegistryStore } from "../../shared/ports/index.js";
import { makeApp, makeFunction } from "../fixtures/records.js";
import { randomSuffix } from "../helpers/randomSuffix.js";

export interface RegistryStoreHarness {
  store: RegistryStore;
}

const slugs = (fns: FunctionRecord[]) => fns.map((f) => f.slug).sort();

/**
 * The RegistryStore port's contract. Every test syncs its own app (random id, event names under
 * it), so stores shared with other tests answer the same.
 */
export function describeRegistryStore(name: string, make: () => Promise<RegistryStoreHarness>): void {
  describe(`RegistryStore contract: ${name}`, () => {
    let store: RegistryStore;
    let appId: string;
    /** An event name that belongs to this test. */
    let ev: (n: string) => string;
    beforeEach(async () => {
      ({ store } = await make());
      appId = `app-${randomSuffix()}`;
      ev = (n) => `${appId}/${n}`;
    });

    const mine = (fns: FunctionRecord[]) => fns.filter((f) => f.appId === appId);

    it("returns nothing for an unknown app, function or event name", async () => {
      expect(await store.getApp(appId)).toBeUndefined();
      expect(await store.getFunction(`${appId}-a`)).toBeUndefined();
      expect(await store.functionsForEvent(ev("one"))).toEqual([]);
    });

    it("stores a sync: the app, its functions and the functions of each event name", async () => {
      const a = makeFunction(appId, "a", [ev("one")]);
      const b = makeFunction(appId, "b", [ev("one"), ev("two")]);
      const app = makeApp(appId, [a, b]);
      await store.putAppSync(app, [a, b]);

      expect(await store.getApp(appId)).toEqual(app);
      expect((await store.listApps()).filter((x) => x.appId === appId)).toEqual([app]);
      expect(await store.getFunction(a.slug)).toEqual(a);
      expect(slugs(mine(await store.listFunctions()))).toEqual([a.slug, b.slug]);
      expect(slugs(await store.functionsForEvent(ev("one")))).toEqual([a.slug, b.slug]);
      expect(await store.functionsForEvent(ev("two"))).toEqual([b]);
    });

    it("stores a sync of more functions and triggers than one batch write carries", async () => {
      const fns = Array.from({ length: 30 }, (_, i) =>
        makeFunction(appId, `f${i}`, [ev("one"), ev(`own${i}`)]),
      );
      await store.putAppSync(makeApp(appId, fns), fns);
      expect(slugs(await store.functionsForEvent(ev("one")))).toEqual(slugs(fns));
      expect(await store.functionsForEvent(ev("own29"))).toEqual([fns[29]]);
      expect(slugs(mine(await store.listFunctions()))).toEqual(slugs(fns));
    });

    it("finds functions by exact name only: a wildcard trigger is found under its own pattern", async () => {
      const wild = makeFunction(appId, "wild", [`${appId}/*`]);
      await store.putAppSync(makeApp(appId, [wild]), [wild]);
      expect(await store.functionsForEvent(ev("anything"))).toEqual([]);
      expect(await store.functionsForEvent(`${appId}/*`)).toEqual([wild]);
    });

    it("lists a function once under a name it triggers on twice", async () => {
      const twice = makeFunction(appId, "twice", [], {
        triggers: [{ event: ev("one") }, { event: ev("one"), expression: "event.data.n > 1" }],
      });
      await store.putAppSync(makeApp(appId, [twice]), [twice]);
      expect(await store.functionsForEvent(ev("one"))).toEqual([twice]);
    });

    it("does not index cron triggers, and still lists their functions", async () => {
      const cron = "0 * * * *";
      const scheduled = makeFunction(appId, "cron", [], { triggers: [{ cron }] });
      await store.putAppSync(makeApp(appId, [scheduled]), [scheduled]);
      expect(mine(await store.functionsForEvent(cron))).toEqual([]);
      expect(mine(await store.listFunctions())).toEqual([scheduled]);
    });

    it("forgets on re-sync the triggers that are gone, and archives dropped functions", async () => {
      const a = makeFunction(appId, "a", [ev("one")]);
      const b = makeFunction(appId, "b", [ev("one"), ev("two")]);
      await store.putAppSync(makeApp(appId, [a, b], "c1"), [a, b]);
      const b2 = makeFunction(appId, "b", [ev("two")], { retries: 5 });
      const app2 = makeApp(appId, [b2], "c2");
      await store.putAppSync(app2, [b2], await store.getApp(appId));

      expect(await store.functionsForEvent(ev("one"))).toEqual([]);
      expect(await store.functionsForEvent(ev("two"))).toEqual([b2]);
      expect(await store.getApp(appId)).toEqual(app2);
      // In-flight runs of a dropped function still find its URL.
      expect(await store.getFunction(a.slug)).toEqual({ ...a, archived: true });
      expect(await store.getFunction(b.slug)).toEqual(b2);
      expect(slugs(mine(await store.listFunctions()))).toEqual([b.slug]);
    });

    it("keeps the newest copy of a function in the trigger index", async () => {
      const v1 = makeFunction(appId, "a", [ev("one")], { retries: 1 });
      await store.putAppSync(makeApp(appId, [v1], "c1"), [v1]);
      const v2 = makeFunction(appId, "a", [ev("one")], { retries: 3, url: "http://127.0.0.1:9/new" });
      await store.putAppSync(makeApp(appId, [v2], "c2"), [v2], await store.getApp(appId));
      expect(await store.functionsForEvent(ev("one"))).toEqual([v2]);
    });

    it("brings back an archived function when a later sync has it again", async () => {
      const a = makeFunction(appId, "a", [ev("one")]);
      await store.putAppSync(makeApp(appId, [a], "c1"), [a]);
      await store.putAppSync(makeApp(appId, [], "c2"), [], await store.getApp(appId));
      expect(await store.getFunction(a.slug)).toMatchObject({ archived: true });
      await store.putAppSync(makeApp(appId, [a], "c3"), [a], await store.getApp(appId));
      expect(await store.getFunction(a.slug)).toEqual(a);
      expect(await store.functionsForEvent(ev("one"))).toEqual([a]);
      expect(mine(await store.listFunctions())).toEqual([a]);
    });

    it("removes nothing when the previous sync is not given", async () => {
      const a = makeFunction(appId, "a", [ev("one")]);
      await store.putAppSync(makeApp(appId, [a], "c1"), [a]);
      const b = makeFunction(appId, "b", [ev("two")]);
      await store.putAppSync(makeApp(appId, [b], "c2"), [b]);
      expect(await store.getFunction(a.slug)).toEqual(a);
      expect(await store.functionsForEvent(ev("one"))).toEqual([a]);
    });

    it("keeps its own copies: changing records passed in or read back changes nothing stored", async () => {
      const a = makeFunction(appId, "a", [ev("one")]);
      const app = makeApp(appId, [a]);
      const original = { a: structuredClone(a), app: structuredClone(app) };
      await store.putAppSync(app, [a]);
      a.retries = 99;
      app.functionSlugs.push("mutated");
      const read = await store.getFunction(a.slug);
      if (read) read.url = "mutated";
      const listed = await store.functionsForEvent(ev("one"));
      if (listed[0]) listed[0].triggers.push({ event: "mutated" });
      expect(await store.getFunction(a.slug)).toEqual(original.a);
      expect(await store.functionsForEvent(ev("one"))).toEqual([original.a]);
      expect(await store.getApp(appId)).toEqual(original.app);
    });
  });
}
