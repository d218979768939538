import { describe, expect, it } from "vitest";
import { cronProblem } from "../../../shared/protocol/functionConfig.js";
import { parseRegistration } from "../../../shared/protocol/register.js";

type Obj = Record<string, unknown>;

function fn(overrides: Obj = {}, slug = "probe-app-hello"): Obj {
  return {
    id: slug,
    name: "hello",
    triggers: [{ event: "demo/hello" }],
    steps: {
      step: {
        id: "step",
        name: "step",
        runtime: { type: "http", url: `http://localhost:13000/api/inngest?fnId=${slug}&stepId=step` },
      },
    },
    ...overrides,
  };
}

function body(functions: unknown[], overrides: Obj = {}): Obj {
  return {
    url: "http://localhost:13000/api/inngest",
    v: "0.1",
    deployType: "ping",
    sdk: "js:v4.24.0",
    framework: "nodejs",
    appName: "probe-app",
    capabilities: { trust_probe: "v1", connect: "v1" },
    functions,
    ...overrides,
  };
}

function errorOf(input: unknown): string {
  const out = parseRegistration(input);
  if (out.ok) throw new Error("expected the registration to be rejected");
  return out.error;
}

/** The PROTOCOL 3.4 probe example. */
const PROBE = body([
  fn({
    triggers: [{ event: "demo/hello", expression: "event.data.ok == true" }, { cron: "TZ=UTC 0 * * * *" }],
    steps: {
      step: {
        id: "step",
        name: "step",
        runtime: { type: "http", url: "http://localhost:13000/api/inngest?fnId=probe-app-hello&stepId=step" },
        retries: { attempts: 2 },
      },
    },
    throttle: { limit: 1, period: "1s" },
    concurrency: [{ limit: 2, key: "event.data.u" }],
    debounce: { period: "5s" },
    priority: { run: "0" },
    timeouts: { finish: "1h" },
    cancel: [{ event: "x/cancel", timeout: "1d", if: "event.data.a == async.data.a" }],
  }),
  fn(
    {
      name: "hello (failure)",
      triggers: [
        { event: "inngest/function.failed", expression: "event.data.function_id == 'probe-app-hello'" },
      ],
      steps: {
        step: {
          id: "step",
          name: "step",
          runtime: {
            type: "http",
            url: "http://localhost:13000/api/inngest?fnId=probe-app-hello-failure&stepId=step",
          },
          retries: { attempts: 1 },
        },
      },
    },
    "probe-app-hello-failure",
  ),
]);

describe("parseRegistration: accepted bodies", () => {
  it("parses the JS SDK probe example", () => {
    const out = parseRegistration(PROBE);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value).toMatchObject({ appId: "probe-app", sdk: "js:v4.24.0", framework: "nodejs" });
    const [main, failure] = out.value.functions;
    expect(main).toMatchObject({
      slug: "probe-app-hello",
      name: "hello",
      retries: 2,
      url: "http://localhost:13000/api/inngest?fnId=probe-app-hello&stepId=step",
      triggers: [{ event: "demo/hello", expression: "event.data.ok == true" }, { cron: "TZ=UTC 0 * * * *" }],
    });
    expect(failure).toMatchObject({ slug: "probe-app-hello-failure", retries: 1 });
  });

  it("keeps the function JSON exactly as received in config", () => {
    const out = parseRegistration(PROBE);
    const functions = PROBE.functions as unknown[];
    expect(out.ok && out.value.functions.map((f) => f.config)).toEqual(functions);
  });

  it("accepts the Python spelling: appname, deploy_type, nulls stripped, list concurrency", () => {
    const py = {
      url: "http://127.0.0.1:8000/api/inngest",
      appname: "py-app",
      appVersion: null,
      deploy_type: "ping",
      framework: "fast_api",
      sdk: "py:v0.5.18",
      v: "0.1",
      functions: [
        fn(
          {
            concurrency: [{ limit: 1 }],
            retries: 3,
            cancel: null,
            triggers: [{ event: "a/b", expression: null }],
          },
          "py-app-f",
        ),
      ],
    };
    const out = parseRegistration(py);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.appId).toBe("py-app");
    expect(out.value.appVersion).toBeUndefined();
    expect(out.value.functions[0]).toMatchObject({ retries: 3, triggers: [{ event: "a/b" }] });
  });

  it("defaults retries to 4 and clamps them to 20", () => {
    const out = parseRegistration(
      body([
        fn({}, "a-default"),
        fn(
          {
            steps: {
              step: {
                id: "step",
                runtime: { url: "https://x.example/api?fnId=a-many" },
                retries: { attempts: 50 },
              },
            },
          },
          "a-many",
        ),
        fn({ retries: 0 }, "a-zero"),
      ]),
    );
    expect(out.ok && out.value.functions.map((f) => f.retries)).toEqual([4, 20, 0]);
  });

  it("accepts functions without triggers (invoke-only) and no functions at all", () => {
    expect(parseRegistration(body([fn({ triggers: [] })])).ok).toBe(true);
    expect(parseRegistration(body([fn({ triggers: undefined })])).ok).toBe(true);
    expect(parseRegistration(body([])).ok).toBe(true);
  });

  it("accepts number, object and two-entry concurrency", () => {
    for (const concurrency of [
      5,
      { limit: 2, scope: "env", key: "event.data.k" },
      [{ limit: 1 }, { limit: 5, scope: "account", key: "event.data.tenant" }],
    ]) {
      expect(parseRegistration(body([fn({ concurrency })])).ok).toBe(true);
    }
  });

  it("accepts cron triggers with a time zone and a jitter", () => {
    const triggers = [
      { cron: "CRON_TZ=Europe/Paris */5 * * * 1-5", jitter: "30s" },
      { cron: "0 0 1 JAN SUN" },
    ];
    expect(parseRegistration(body([fn({ triggers })])).ok).toBe(true);
  });
});

describe("parseRegistration: rejected bodies", () => {
  it("rejects a body that is not an object", () => {
    expect(errorOf("nope")).toMatch(/JSON object/);
  });

  it("rejects when appName is missing and names the field", () => {
    expect(errorOf(body([], { appName: undefined }))).toMatch(/^appName: is required/);
  });

  it("rejects when url is not http(s)", () => {
    expect(errorOf(body([], { url: "ftp://x" }))).toBe("url: must be an http(s) URL");
  });

  it("rejects duplicate function ids and names both positions", () => {
    expect(errorOf(body([fn(), fn()]))).toBe(
      'At least one function is invalid: functions[1].id: duplicate function id "probe-app-hello" (also functions[0])',
    );
  });

  it("rejects a function without id or name", () => {
    expect(errorOf(body([fn({ id: undefined })]))).toContain("functions[0].id: is required");
    expect(errorOf(body([fn({ name: "" })]))).toContain("functions[0].name: must not be empty");
  });

  it("names the path of a bad trigger event", () => {
    const error = errorOf(body([fn(), fn({ triggers: [{ event: "x".repeat(256) }] }, "other")]));
    expect(error).toBe(
      "At least one function is invalid: functions[1].triggers[0].event: must be at most 255 characters",
    );
    expect(errorOf(body([fn({ triggers: [{ event: "" }] })]))).toContain(
      "functions[0].triggers[0].event: must not be empty",
    );
  });

  it("rejects more than 10 triggers and duplicate triggers", () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ event: `e/${i}` }));
    expect(errorOf(body([fn({ triggers: many })]))).toContain(
      "functions[0].triggers: must have at most 10 triggers",
    );
    const dup = [{ event: "a/b" }, { event: "a/b" }];
    expect(errorOf(body([fn({ triggers: dup })]))).toContain("functions[0].triggers[1]: duplicate trigger");
  });

  it("rejects a trigger with neither or both of event and cron", () => {
    expect(errorOf(body([fn({ triggers: [{}] })]))).toContain(
      "functions[0].triggers[0]: needs an event or a cron",
    );
    expect(errorOf(body([fn({ triggers: [{ event: "a", cron: "* * * * *" }] })]))).toContain("not both");
  });

  it("rejects bad crons", () => {
    expect(errorOf(body([fn({ triggers: [{ cron: "* * * *" }] })]))).toContain(
      "triggers[0].cron: must have 5 fields",
    );
    expect(errorOf(body([fn({ triggers: [{ cron: "@daily" }] })]))).toContain(
      "triggers[0].cron: cron descriptors",
    );
    expect(errorOf(body([fn({ triggers: [{ cron: `${"1,".repeat(130)}1 * * * *` }] })]))).toContain(
      "at most 255",
    );
    expect(errorOf(body([fn({ triggers: [{ cron: "TZ=Mars/Olympus 0 * * * *" }] })]))).toContain(
      "unknown time zone",
    );
  });

  it("rejects a jitter outside 1s..5m", () => {
    expect(errorOf(body([fn({ triggers: [{ cron: "0 * * * *", jitter: "10m" }] })]))).toContain(
      "triggers[0].jitter",
    );
  });

  it("rejects a missing or non-http step runtime url", () => {
    expect(errorOf(body([fn({ steps: {} })]))).toContain("functions[0].steps: must contain the step entry");
    expect(errorOf(body([fn({ steps: undefined })]))).toContain("functions[0].steps: is required");
    const ws = { step: { id: "step", runtime: { type: "ws", url: "ws://gateway" } } };
    expect(errorOf(body([fn({ steps: ws })]))).toContain(
      "functions[0].steps.step.runtime.url: must be an http(s) URL",
    );
  });

  it("rejects negative or fractional retries", () => {
    const steps = (attempts: number) => ({
      step: { id: "step", runtime: { url: "http://x/" }, retries: { attempts } },
    });
    expect(errorOf(body([fn({ steps: steps(-1) })]))).toContain(
      "functions[0].steps.step.retries.attempts: must not be negative",
    );
    expect(errorOf(body([fn({ steps: steps(1.5) })]))).toContain("must be an integer");
    expect(errorOf(body([fn({ retries: -2 })]))).toContain("functions[0].retries: must not be negative");
  });

  it("rejects more than 2 concurrency entries and malformed ones", () => {
    const three = [{ limit: 1 }, { limit: 2 }, { limit: 3 }];
    expect(errorOf(body([fn({ concurrency: three })]))).toContain(
      "functions[0].concurrency: must have at most 2 entries",
    );
    expect(errorOf(body([fn({ concurrency: [{ limit: 1 }, "x"] })]))).toContain(
      "functions[0].concurrency[1]:",
    );
    expect(errorOf(body([fn({ concurrency: -1 })]))).toContain("functions[0].concurrency:");
  });

  it("rejects a cancel `if` that does not compile and a cancel timeout that is no duration, naming each", () => {
    const badIf = errorOf(body([fn({ cancel: [{ event: "c/x", if: "async.data.id ==" }] })]));
    expect(badIf).toContain("functions[0].cancel[0].if: invalid expression");
    const badTimeout = errorOf(body([fn({ cancel: [{ event: "c/x", timeout: "soon" }] })]));
    expect(badTimeout).toContain("functions[0].cancel[0].timeout");
  });

  it("rejects timeouts that are not durations, naming start or finish, and accepts good ones", () => {
    expect(errorOf(body([fn({ timeouts: { start: "fast" } })]))).toContain("functions[0].timeouts.start");
    expect(errorOf(body([fn({ timeouts: { finish: "-1s" } })]))).toContain("functions[0].timeouts.finish");
    expect(errorOf(body([fn({ timeouts: "1h" })]))).toContain("functions[0].timeouts");
    expect(parseRegistration(body([fn({ timeouts: { start: "10s", finish: "1h30m" } })])).ok).toBe(true);
  });

  it("accepts exactly 5 cancel entries", () => {
    const cancel = Array.from({ length: 5 }, (_, i) => ({ event: `c/${i}` }));
    expect(parseRegistration(body([fn({ cancel })])).ok).toBe(true);
  });

  it("rejects more than 5 cancel entries", () => {
    const cancel = Array.from({ length: 6 }, (_, i) => ({ event: `c/${i}` }));
    expect(errorOf(body([fn({ cancel })]))).toContain("functions[0].cancel: must have at most 5 entries");
  });

  it("reports every invalid function in one message", () => {
    const error = errorOf(body([fn({ name: "" }), fn({ triggers: [{}] }, "b")]));
    expect(error.startsWith("At least one function is invalid: ")).toBe(true);
    expect(error).toContain("functions[0].name");
    expect(error).toContain("functions[1].triggers[0]");
  });
});

describe("cronProblem", () => {
  it.each(["* * * * *", "0 12 * * MON-FRI", "TZ=America/New_York 0 9 * * *", "*/15 0-6 1,15 * ?"])(
    "accepts %j",
    (cron) => {
      expect(cronProblem(cron)).toBeUndefined();
    },
  );

  it.each(["", "* * *", "* * * * * *", "@every 5m", "TZ=UTC", "0 0 * * $"])("rejects %j", (cron) => {
    expect(cronProblem(cron)).toBeDefined();
  });
});

describe("parseRegistration: trigger expressions and wildcards", () => {
  it("rejects a trigger whose if expression does not compile, naming the path", () => {
    const error = errorOf(body([fn({ triggers: [{ event: "a/b", expression: "event.data.ok ==" }] })]));
    expect(error).toContain("functions[0].triggers[0].expression");
  });

  it("rejects an unknown function in an expression", () => {
    expect(
      errorOf(body([fn({ triggers: [{ event: "a/b", expression: "substring(event.name, 1)" }] })])),
    ).toContain("expression");
  });

  it("rejects a wildcard that is not a whole last segment", () => {
    expect(errorOf(body([fn({ triggers: [{ event: "app*" }] })]))).toContain(
      "functions[0].triggers[0].event",
    );
  });
});
