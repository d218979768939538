/** Events over GraphQL: eventV2, the eventsV2 connection, the older event/events and the stream. */
import { monotonicFactory } from "ulid";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type ManualClock, type MemoryPorts, memoryPorts } from "../../../shared/adapters/memory/index.js";
import { handleGraphql } from "../../../shared/core/api/graphql/index.js";
import type { Json } from "../../../shared/domain/json.js";
import type { StoredEventRecord } from "../../../shared/domain/schemas.js";
import { makeApp, makeFunction, makeRun, T0 } from "../../fixtures/records.js";

const newId = monotonicFactory();
const FROM = new Date(T0 - 3600_000).toISOString();

let ports: MemoryPorts<ManualClock>;

async function gql(query: string, variables: Record<string, Json> = {}) {
  const res = await handleGraphql(ports, JSON.stringify({ query, variables }));
  expect(res.status).toBe(200);
  return res.body;
}

async function addEvent(i: number, name = "test/event", runIds: string[] = []): Promise<StoredEventRecord> {
  const receivedAt = T0 + i * 1000;
  const internalId = newId(receivedAt);
  const record: StoredEventRecord = {
    internalId,
    receivedAt,
    runIds,
    event: { name, data: { i }, id: `key-${i}`, ts: receivedAt - 1, user: {} },
  };
  await ports.events.putEvent(record);
  return record;
}

beforeEach(async () => {
  ports = memoryPorts();
  ports.clock.set(T0 + 600_000);
  const fn = makeFunction("app", "fn", ["test/event"], { name: "My function" });
  await ports.registry.putAppSync(makeApp("app", [fn]), [fn]);
});

const EVENTS_V2 = `query ($first: Int!, $after: String, $filter: EventsFilter!) {
  eventsV2(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id name idempotencyKey occurredAt receivedAt } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

const eventsPageSchema = z.object({
  edges: z.array(z.object({ node: z.object({ id: z.string(), name: z.string() }) })),
  pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
  totalCount: z.number(),
});
type EventsPage = z.infer<typeof eventsPageSchema>;
const eventsAnswerSchema = z.object({ data: z.object({ eventsV2: eventsPageSchema }) }).strict();
const streamAnswerSchema = z.object({ data: z.object({ stream: z.array(z.object({ id: z.string() })) }) });

async function eventPages(filter: Record<string, Json>, first: number): Promise<EventsPage[]> {
  const pages: EventsPage[] = [];
  let after: string | null = null;
  do {
    const page: EventsPage = eventsAnswerSchema.parse(await gql(EVENTS_V2, { first, after, filter })).data
      .eventsV2;
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    expect(pages.length).toBeLessThan(50);
  } while (after);
  return pages;
}

describe("eventsV2", () => {
  it("pages through events newest first with no duplicates and the right totalCount", async () => {
    const events = [];
    for (let i = 0; i < 7; i++) events.push(await addEvent(i));
    const pages = await eventPages({ from: FROM }, 3);
    expect(pages.map((p) => p.edges.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.edges.map((e) => e.node.id))).toEqual(
      events.map((e) => e.internalId).reverse(),
    );
    expect(pages[0]?.totalCount).toBe(7);
  });

  it("filters by event names and leaves internal events out unless asked", async () => {
    await addEvent(0, "test/event");
    const other = await addEvent(1, "test/other");
    const internal = await addEvent(2, "inngest/function.finished");
    const names = async (filter: Record<string, Json>) =>
      (await eventPages({ from: FROM, ...filter }, 10)).flatMap((p) => p.edges.map((e) => e.node.name));
    expect(await names({ eventNames: ["test/other"] })).toEqual(["test/other"]);
    expect(await names({})).toEqual(["test/other", "test/event"]);
    expect(await names({ includeInternalEvents: true })).toEqual([
      "inngest/function.finished",
      "test/other",
      "test/event",
    ]);
    const body = await gql(EVENTS_V2, { first: 10, filter: { from: FROM, eventNames: ["test/other"] } });
    expect(body).toMatchObject({
      data: {
        eventsV2: { totalCount: 1, edges: [{ node: { id: other.internalId, idempotencyKey: "key-1" } }] },
      },
    });
    expect(internal.internalId).toBeTruthy();
  });

  it("keeps to the window from..until", async () => {
    await addEvent(0);
    const inside = await addEvent(10);
    await addEvent(20);
    const pages = await eventPages(
      { from: new Date(T0 + 5000).toISOString(), until: new Date(T0 + 15_000).toISOString() },
      10,
    );
    expect(pages.flatMap((p) => p.edges.map((e) => e.node.id))).toEqual([inside.internalId]);
  });
});

describe("eventV2", () => {
  it("shows an event's fields and the runs it started", async () => {
    const run = makeRun({ runId: newId(T0), startedAt: T0, fnSlug: "app-fn", appId: "app" });
    const record = await addEvent(0, "test/event", [run.runId]);
    await ports.runs.createRun({ ...run, eventId: record.internalId });
    const body = await gql(
      `query ($id: ULID!) { eventV2(id: $id) { id envID name idempotencyKey occurredAt receivedAt version
        runs { id status function { name } } } }`,
      { id: record.internalId.toLowerCase() },
    );
    expect(body).toEqual({
      data: {
        eventV2: {
          id: record.internalId,
          envID: expect.any(String),
          name: "test/event",
          idempotencyKey: "key-0",
          occurredAt: new Date(T0 - 1).toISOString(),
          receivedAt: new Date(T0).toISOString(),
          version: null,
          runs: [{ id: run.runId, status: "QUEUED", function: { name: "My function" } }],
        },
      },
    });
  });

  it("answers an unknown event with an error", async () => {
    const id = newId(T0);
    expect(await gql(`query ($id: ULID!) { eventV2(id: $id) { name } }`, { id })).toEqual({
      data: null,
      errors: [expect.objectContaining({ message: `event ${id} not found` })],
    });
  });
});

describe("older event queries", () => {
  it("answers event(query) with the event, or null when unknown", async () => {
    const record = await addEvent(0);
    const query = `query ($id: ID!) { event(query: { eventId: $id }) { id externalID name payload status totalRuns } }`;
    expect(await gql(query, { id: record.internalId })).toEqual({
      data: {
        event: {
          id: record.internalId,
          externalID: "key-0",
          name: "test/event",
          payload: '{"i":0}',
          status: "NO_FUNCTIONS",
          totalRuns: 0,
        },
      },
    });
    expect(await gql(query, { id: "nope" })).toEqual({ data: { event: null } });
  });

  it("lists the latest events", async () => {
    await addEvent(0);
    await addEvent(1);
    expect(await gql(`{ events(query: {}) { name createdAt } }`)).toEqual({
      data: {
        events: [
          { name: "test/event", createdAt: new Date(T0 + 999).toISOString() },
          { name: "test/event", createdAt: new Date(T0 - 1).toISOString() },
        ],
      },
    });
  });

  it("streams events newest first, bounded by before and after ids", async () => {
    const events = [];
    for (let i = 0; i < 6; i++) events.push(await addEvent(i));
    const ids = async (query: Record<string, Json>) => {
      const body = await gql(
        `query ($q: StreamQuery!) { stream(query: $q) { id trigger type createdAt inBatch runs { id } } }`,
        { q: query },
      );
      return streamAnswerSchema.parse(body).data.stream.map((s) => s.id);
    };
    const all = events.map((e) => e.internalId).reverse();
    expect(await ids({ limit: 20 })).toEqual(all);
    expect(await ids({ limit: 2 })).toEqual(all.slice(0, 2));
    expect(await ids({ limit: 20, before: events[3]?.internalId ?? "" })).toEqual(all.slice(3));
    expect(await ids({ limit: 20, after: events[3]?.internalId ?? "" })).toEqual(all.slice(0, 2));
    expect(await ids({ limit: 1, before: events[3]?.internalId ?? "" })).toEqual(all.slice(3, 4));
  });
});
