import { describe, expect, it } from "vitest";
import { matchRoute } from "../../../../infra/local/apiGatewayEvent.js";
import { compileRoutes, type LocalFunction, localFunctions } from "../../../../infra/local/functions.js";

const routes = compileRoutes();

function route(method: string, path: string) {
  const out = matchRoute(routes, method, path);
  if (!out) throw new Error(`no route for ${method} ${path}`);
  return { routeKey: out.routeKey, fn: out.fn.name, pathParameters: out.pathParameters };
}

const EVENT_API = "POST /e/{eventKey}";

describe("compileRoutes with the manifest", () => {
  it("compiles the event API route and the catch-all, the catch-all last", () => {
    expect(routes.map((r) => [r.routeKey, r.fn.name])).toEqual([
      [EVENT_API, "eventApi"],
      ["$default", "api"],
    ]);
  });

  it("puts $default last whatever the order of the functions", () => {
    const reordered = compileRoutes([...localFunctions()].reverse());
    expect(reordered.at(-1)?.routeKey).toBe("$default");
  });

  it("refuses a route key without a method and a path", () => {
    const api = localFunctions().find((f) => f.name === "api");
    if (!api) throw new Error("the manifest has no api function");
    const broken: LocalFunction = {
      ...api,
      spec: { ...api.spec, source: { kind: "http", routes: ["POST"] } },
    };
    expect(() => compileRoutes([broken])).toThrow("invalid route key in the manifest: POST");
  });
});

describe("matchRoute: the event API", () => {
  it("routes POST /e/{key} to the event API with the key as a path parameter", () => {
    expect(route("POST", "/e/abc")).toEqual({
      routeKey: EVENT_API,
      fn: "eventApi",
      pathParameters: { eventKey: "abc" },
    });
  });

  it("accepts a trailing slash", () => {
    expect(route("POST", "/e/abc/")).toEqual({
      routeKey: EVENT_API,
      fn: "eventApi",
      pathParameters: { eventKey: "abc" },
    });
  });

  it("percent-decodes the key", () => {
    expect(route("POST", "/e/a%2Fb").pathParameters).toEqual({ eventKey: "a/b" });
    expect(route("POST", "/e/caf%C3%A9").pathParameters).toEqual({ eventKey: "café" });
  });

  it("keeps a malformed percent escape raw for the handler to refuse", () => {
    expect(route("POST", "/e/%ZZ")).toEqual({
      routeKey: EVENT_API,
      fn: "eventApi",
      pathParameters: { eventKey: "%ZZ" },
    });
  });
});

describe("matchRoute: everything else goes to $default", () => {
  it.each([
    ["GET", "/e/abc"],
    ["PUT", "/e/abc"],
    ["post", "/e/abc"],
    ["POST", "/e/a/b"],
    ["POST", "/e/abc//"],
    ["POST", "/e/"],
    ["POST", "/e"],
    ["POST", "/x/e/abc"],
    ["POST", "/E/abc"],
    ["POST", "/"],
    ["GET", "/v1/events"],
    ["POST", "/fn/register"],
    ["PUT", "/api/v1/apps/sync"],
  ])("routes %s %s to the api function without path parameters", (method, path) => {
    expect(route(method, path)).toEqual({ routeKey: "$default", fn: "api", pathParameters: undefined });
  });
});

describe("matchRoute without a catch-all", () => {
  it("finds no route for a path nothing matches", () => {
    const onlyEvents = routes.filter((r) => r.routeKey !== "$default");
    expect(matchRoute(onlyEvents, "GET", "/e/abc")).toBeUndefined();
    expect(matchRoute(onlyEvents, "POST", "/e/abc")?.routeKey).toBe(EVENT_API);
  });
});
