/** `POST /v0/gql` request handling: what is refused with 400, and how field errors are answered. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { memoryPorts } from "../../../shared/adapters/memory/index.js";
import { handleGraphql } from "../../../shared/core/api/graphql/index.js";
import { makeRun, T0 } from "../../fixtures/records.js";

const RUN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

function post(body: unknown, ports = memoryPorts()) {
  return handleGraphql(ports, typeof body === "string" ? body : JSON.stringify(body));
}

function messages(body: unknown): string[] {
  return z
    .object({ errors: z.array(z.object({ message: z.string() })) })
    .parse(body)
    .errors.map((e) => e.message);
}

describe("graphql requests", () => {
  it("refuses a body that is not JSON with 400", async () => {
    const res = await post("{not json");
    expect(res.status).toBe(400);
    expect(messages(res.body)).toEqual([expect.stringContaining("JSON object")]);
  });

  it.each([
    ["no query", {}],
    ["a query that is not a string", { query: 42 }],
    ["variables that are not an object", { query: "{ apps { id } }", variables: [1] }],
    ["an operationName that is not a string", { query: "{ apps { id } }", operationName: 3 }],
    ["a JSON array", [{ query: "{ apps { id } }" }]],
  ])("refuses %s with 400", async (_what, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(messages(res.body)).toHaveLength(1);
  });

  it("refuses a syntax error with 400 and graphql's message and location", async () => {
    const res = await post({ query: "{ apps { id }" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [{ message: expect.stringContaining("Syntax Error"), locations: [{ line: 1, column: 14 }] }],
    });
  });

  it("refuses an unknown field with 400", async () => {
    const res = await post({ query: "{ apps { id nope } }" });
    expect(res.status).toBe(400);
    expect(messages(res.body)).toEqual([expect.stringContaining('Cannot query field "nope" on type "App".')]);
  });

  it("refuses variables of the wrong type with 400", async () => {
    const res = await post({
      query: "query ($id: String!) { run(runID: $id) { id } }",
      variables: { id: 5 },
    });
    expect(res.status).toBe(400);
    expect(messages(res.body)).toEqual([expect.stringContaining('Variable "$id" got invalid value 5')]);
  });

  it("refuses a ULID variable that is not a ULID with 400", async () => {
    const res = await post({
      query: "query ($id: ULID!) { eventV2(id: $id) { name } }",
      variables: { id: "nope" },
    });
    expect(res.status).toBe(400);
    expect(messages(res.body)).toEqual([expect.stringContaining("is not a ULID")]);
  });

  it("refuses a Time that is not RFC 3339 with 400", async () => {
    const query = `{ eventsV2(filter: { from: "yesterday" }) { totalCount } }`;
    const res = await post({ query });
    expect(res.status).toBe(400);
    expect(messages(res.body)).toEqual([expect.stringContaining("is not an RFC 3339 time")]);
  });

  it("refuses several operations without an operationName, and runs the one named", async () => {
    const query = "query A { apps { id } } query B { functions { id } }";
    const res = await post({ query });
    expect(res.status).toBe(400);
    expect(messages(res.body)).toEqual([
      "Must provide operation name if query contains multiple operations.",
    ]);
    expect(await post({ query, operationName: "B" })).toEqual({
      status: 200,
      body: { data: { functions: [] } },
    });
  });

  it("accepts null variables and operationName", async () => {
    expect(await post({ query: "{ apps { id } }", variables: null, operationName: null })).toEqual({
      status: 200,
      body: { data: { apps: [] } },
    });
  });

  it("answers a missing non-null field with 200, null data and the not-found message", async () => {
    const res = await post({ query: `{ runTrace(runID: "${RUN_ID}") { name } }` });
    expect(res).toEqual({
      status: 200,
      body: {
        data: null,
        errors: [expect.objectContaining({ message: `run ${RUN_ID} not found`, path: ["runTrace"] })],
      },
    });
  });

  it("hides the message of an unexpected failure but keeps the rest of the answer", async () => {
    const ports = memoryPorts();
    ports.clock.set(T0);
    await ports.runs.createRun(makeRun({ runId: RUN_ID }));
    ports.runs.getRunHistory = async () => {
      throw new Error("secret table name");
    };
    const res = await post({ query: `{ run(runID: "${RUN_ID}") { id trace { name } } }` }, ports);
    expect(res).toEqual({
      status: 200,
      body: {
        data: { run: { id: RUN_ID, trace: null } },
        errors: [
          { message: "internal server error", locations: [expect.any(Object)], path: ["run", "trace"] },
        ],
      },
    });
  });

  it("reads a run once when the query also asks for its trace (directly or through a fragment)", async () => {
    const ports = memoryPorts();
    ports.clock.set(T0);
    await ports.runs.createRun(makeRun({ runId: RUN_ID }));
    const calls = { getRun: 0, getRunHistory: 0 };
    const { getRun, getRunHistory } = ports.runs;
    ports.runs.getRun = (id) => {
      calls.getRun++;
      return getRun.call(ports.runs, id);
    };
    ports.runs.getRunHistory = (id) => {
      calls.getRunHistory++;
      return getRunHistory.call(ports.runs, id);
    };
    const count = async (query: string) => {
      calls.getRun = 0;
      calls.getRunHistory = 0;
      expect((await post({ query }, ports)).status).toBe(200);
      return { ...calls };
    };
    expect(await count(`{ run(runID: "${RUN_ID}") { status trace { status } } }`)).toEqual({
      getRun: 0,
      getRunHistory: 1,
    });
    expect(
      await count(
        `fragment T on FunctionRunV2 { trace { name } } { run(runID: "${RUN_ID}") { status ...T } }`,
      ),
    ).toEqual({ getRun: 0, getRunHistory: 1 });
    expect(await count(`{ run(runID: "${RUN_ID}") { status } }`)).toEqual({ getRun: 1, getRunHistory: 0 });
  });

  it("serves introspection", async () => {
    const res = await post({ query: '{ __type(name: "FunctionRunV2") { fields { name } } }' });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('"trace"');
  });
});
