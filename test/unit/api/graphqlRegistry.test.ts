/** Apps and functions over GraphQL, in the shapes of Inngest's dev server. */
import { beforeEach, describe, expect, it } from "vitest";
import { type ManualClock, type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { handleGraphql } from "../../../shared/core/api/graphql/index.js";
import { stableUuid } from "../../../shared/domain/ids.js";
import type { Json, JsonObject } from "../../../shared/domain/json.js";
import { makeApp, makeFunction } from "../../fixtures/records.js";

let ports: MemoryPorts<ManualClock>;

async function gql(query: string, variables: Record<string, Json> = {}) {
  const res = await handleGraphql(ports, JSON.stringify({ query, variables }));
  expect(res.status).toBe(200);
  return res.body;
}

const flowControl: JsonObject = {
  id: "app-busy",
  name: "Busy",
  retries: 7,
  concurrency: [
    { limit: 5, key: "event.data.user" },
    { limit: 50, scope: "account" },
  ],
  rateLimit: { limit: 10, period: "1m", key: "event.data.user" },
  throttle: { limit: 3, period: "10s" },
  debounce: { period: "5s", key: "event.data.id" },
  batchEvents: { maxSize: 100, timeout: "2s" },
  priority: { run: "event.data.priority" },
  cancel: [{ event: "test/cancel", if: "async.data.id == event.data.id", timeout: "1h" }],
  singleton: { key: "event.data.user", mode: "cancel" },
};

beforeEach(async () => {
  ports = memoryPorts();
  const plain = makeFunction("app", "plain", ["test/event"], {
    name: "Plain",
    internalId: stableUuid("fn:app-plain"),
    triggers: [{ event: "test/event", expression: "event.data.ok == true" }, { cron: "0 * * * *" }],
  });
  const busy = makeFunction("app", "busy", [], {
    name: "Busy",
    internalId: stableUuid("fn:app-busy"),
    retries: 7,
    config: flowControl,
  });
  const app = {
    ...makeApp("app", [plain, busy]),
    sdk: "js:v3.27.0",
    framework: "express",
    appVersion: "1.2.3",
  };
  await ports.registry.putAppSync(app, [plain, busy]);
});

describe("apps", () => {
  it("lists apps with Inngest's fields and their functions", async () => {
    const body =
      await gql(`{ apps { id externalID name sdkLanguage sdkVersion framework url checksum error method
      appVersion connected functionCount autodiscovered functions { slug } } }`);
    expect(body).toEqual({
      data: {
        apps: [
          {
            id: stableUuid("app:app"),
            externalID: "app",
            name: "app",
            sdkLanguage: "js",
            sdkVersion: "3.27.0",
            framework: "express",
            url: "http://127.0.0.1:9/api/inngest",
            checksum: "c1",
            error: null,
            method: "SERVE",
            appVersion: "1.2.3",
            connected: true,
            functionCount: 2,
            autodiscovered: false,
            functions: [{ slug: "app-plain" }, { slug: "app-busy" }],
          },
        ],
      },
    });
  });

  it("finds an app by its UUID and answers null for an unknown one", async () => {
    const query = `query ($id: UUID!) { app(id: $id) { externalID } }`;
    expect(await gql(query, { id: stableUuid("app:app") })).toEqual({ data: { app: { externalID: "app" } } });
    expect(await gql(query, { id: stableUuid("app:nope") })).toEqual({ data: { app: null } });
  });

  it("lists no apps for a method other than SERVE", async () => {
    expect(await gql(`{ apps(filter: { method: CONNECT }) { id } }`)).toEqual({ data: { apps: [] } });
  });
});

describe("functions", () => {
  it("shows a function's id, triggers, config and app", async () => {
    const body = await gql(`{ functionBySlug(query: { functionSlug: "app-plain" }) {
      id name slug url appID concurrency config failureHandler { slug }
      triggers { type value condition } app { externalID }
      configuration { retries { value isDefault } concurrency { scope } } } }`);
    expect(body).toEqual({
      data: {
        functionBySlug: {
          id: stableUuid("fn:app-plain"),
          name: "Plain",
          slug: "app-plain",
          url: "http://127.0.0.1:9/api/inngest?fnId=app-plain&stepId=step",
          appID: stableUuid("app:app"),
          concurrency: 0,
          config: JSON.stringify({ id: "app-plain" }),
          failureHandler: null,
          triggers: [
            { type: "EVENT", value: "test/event", condition: "event.data.ok == true" },
            { type: "CRON", value: "0 * * * *", condition: null },
          ],
          app: { externalID: "app" },
          configuration: { retries: { value: 2, isDefault: true }, concurrency: [] },
        },
      },
    });
  });

  it("maps the synced flow-control options to configuration", async () => {
    const body =
      await gql(`{ functionBySlug(query: { functionSlug: "app-busy" }) { concurrency configuration {
      cancellations { event timeout condition } retries { value isDefault } priority
      eventsBatch { maxSize timeout key } concurrency { scope limit { value isPlanLimit } key }
      rateLimit { limit period key } debounce { period key } throttle { burst key limit period } singleton { mode key } } } }`);
    expect(body).toEqual({
      data: {
        functionBySlug: {
          concurrency: 5,
          configuration: {
            cancellations: [
              { event: "test/cancel", timeout: "1h", condition: "async.data.id == event.data.id" },
            ],
            retries: { value: 7, isDefault: false },
            priority: "event.data.priority",
            eventsBatch: { maxSize: 100, timeout: "2s", key: null },
            concurrency: [
              { scope: "FUNCTION", limit: { value: 5, isPlanLimit: false }, key: "event.data.user" },
              { scope: "ACCOUNT", limit: { value: 50, isPlanLimit: false }, key: null },
            ],
            rateLimit: { limit: 10, period: "1m", key: "event.data.user" },
            debounce: { period: "5s", key: "event.data.id" },
            throttle: { burst: 1, key: null, limit: 3, period: "10s" },
            singleton: { mode: "CANCEL", key: "event.data.user" },
          },
        },
      },
    });
  });

  it("answers null for an unknown slug and lists every current function", async () => {
    expect(await gql(`{ functionBySlug(query: { functionSlug: "nope" }) { id } }`)).toEqual({
      data: { functionBySlug: null },
    });
    expect(await gql(`{ functions { slug name } }`)).toEqual({
      data: {
        functions: [
          { slug: "app-plain", name: "Plain" },
          { slug: "app-busy", name: "Busy" },
        ],
      },
    });
  });
});
