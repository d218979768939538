import { Inngest, NonRetriableError, RetryAfterError } from "inngest";
import { serveApp } from "./serveApp.js";

/**
 * A real app built with the official `inngest` SDK, served on a random loopback port, whose
 * functions record what they actually executed so tests can assert on it.
 */
export interface Recorder {
  calls: Record<string, number>;
  attempts: Record<string, number[]>;
  /** Epoch ms of each call, per key. */
  times: Record<string, number[]>;
}

export async function startSdkApp(opts: {
  baseUrl: string;
  suffix: string;
  /** Run the SDK in cloud mode with these keys (default: dev mode). */
  cloud?: { signingKey: string; eventKey: string };
}) {
  const rec: Recorder = { calls: {}, attempts: {}, times: {} };
  // Steps of the "hang" function wait here until the test releases them (an app that never answers).
  const hung: (() => void)[] = [];
  const hit = (key: string, attempt?: number) => {
    rec.calls[key] = (rec.calls[key] ?? 0) + 1;
    rec.times[key] = [...(rec.times[key] ?? []), Date.now()];
    if (attempt !== undefined) rec.attempts[key] = [...(rec.attempts[key] ?? []), attempt];
  };
  const appId = `e2e-${opts.suffix}`;
  const ev = (name: string) => `e2e-${opts.suffix}/${name}`;
  const inngest = opts.cloud
    ? new Inngest({ id: appId, isDev: false, baseUrl: opts.baseUrl, ...opts.cloud })
    : new Inngest({ id: appId, isDev: true, baseUrl: opts.baseUrl });

  const functions = [
    inngest.createFunction({ id: "hello", triggers: [{ event: ev("hello") }] }, async ({ event }) => {
      hit("hello");
      return `Hello, ${(event.data as { name?: string }).name ?? "world"}!`;
    }),
    inngest.createFunction(
      { id: "three-steps", triggers: [{ event: ev("three") }] },
      async ({ step, event }) => {
        const tag = String((event.data as { tag?: string }).tag ?? "");
        const a = await step.run("one", () => {
          hit(`one:${tag}`);
          return 1;
        });
        const b = await step.run("two", () => {
          hit(`two:${tag}`);
          return a + 1;
        });
        const c = await step.run("three", () => {
          hit(`three:${tag}`);
          return b + 1;
        });
        return { sum: a + b + c };
      },
    ),
    inngest.createFunction(
      { id: "fail-twice", triggers: [{ event: ev("fail-twice") }] },
      async ({ step, attempt }) => {
        await step.run("shaky", () => {
          hit("shaky", attempt);
          if (attempt < 2) throw new Error(`shaky failure ${attempt}`);
          return "steady";
        });
        await step.run("after", () => {
          hit("after", attempt);
          return "done";
        });
        return "recovered";
      },
    ),
    inngest.createFunction(
      { id: "non-retriable", triggers: [{ event: ev("non-retriable") }] },
      async ({ attempt }) => {
        hit("non-retriable", attempt);
        throw new NonRetriableError("this will never work");
      },
    ),
    inngest.createFunction(
      { id: "exhausted", retries: 1, triggers: [{ event: ev("exhausted") }] },
      async ({ attempt }) => {
        hit("exhausted", attempt);
        throw new Error(`still broken on attempt ${attempt}`);
      },
    ),
    inngest.createFunction(
      { id: "retry-after", triggers: [{ event: ev("retry-after") }] },
      async ({ step, attempt }) => {
        await step.run("later", () => {
          hit("later", attempt);
          if (attempt === 0) throw new RetryAfterError("come back later", "3s");
          return "ok";
        });
        return "done";
      },
    ),
    inngest.createFunction({ id: "fan-out", triggers: [{ event: ev("fan-out") }] }, async ({ step }) => {
      const a = await step.run("a", () => {
        hit("fan:a");
        return 1;
      });
      const [b, c] = await Promise.all([
        step.run("b", () => {
          hit("fan:b");
          return a + 1;
        }),
        step.run("c", () => {
          hit("fan:c");
          return a + 2;
        }),
      ]);
      return { a, b, c };
    }),
    inngest.createFunction({ id: "wildcard", triggers: [{ event: ev("wild.*") }] }, async ({ event }) => {
      hit(`wild:${event.name}`);
      return event.name;
    }),
    inngest.createFunction(
      {
        id: "filtered",
        triggers: [{ event: ev("filtered"), if: "event.data.ok == true && event.data.n > 1" }],
      },
      async ({ event }) => (event.data as { n: number }).n,
    ),
    // One request per step (no checkpointing), so a stop of `tideline dev` lands between steps:
    // the restart test needs a run left half-way, not one the draining request finishes.
    inngest.createFunction(
      { id: "ten-steps", triggers: [{ event: ev("ten") }], checkpointing: false },
      async ({ step, event }) => {
        const tag = String((event.data as { tag?: string }).tag ?? "");
        const pauseMs = Number((event.data as { pauseMs?: number }).pauseMs ?? 0);
        let sum = 0;
        for (let i = 1; i <= 10; i++) {
          sum += await step.run(`s${i}`, async () => {
            hit(`ten:${tag}:${i}`);
            if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
            return i;
          });
        }
        return { sum };
      },
    ),
    inngest.createFunction(
      { id: "hang", retries: 0, triggers: [{ event: ev("hang") }] },
      async ({ step }) => {
        await step.run("stuck", async () => {
          hit("hang");
          await new Promise<void>((resolve) => hung.push(resolve));
        });
        return "released";
      },
    ),
    inngest.createFunction({ id: "sleeper", triggers: [{ event: ev("sleeper") }] }, async ({ step }) => {
      const before = await step.run("before", () => Date.now());
      await step.sleep("nap", "2s");
      const after = await step.run("after", () => Date.now());
      return { slept: after - before };
    }),
  ];

  const served = await serveApp({ client: inngest, functions });
  const url = served.url;
  return {
    inngest,
    rec,
    url,
    appId,
    ev,
    /** Lets every hung step of the "hang" function finish. */
    release: () => {
      for (const resolve of hung.splice(0)) resolve();
    },
    stop: () => {
      for (const resolve of hung.splice(0)) resolve();
      return served.stop();
    },
  };
}

export type SdkApp = Awaited<ReturnType<typeof startSdkApp>>;
