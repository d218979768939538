import { Inngest } from "inngest";
import { freePort } from "../../infra/local/emulators.js";
import {
  firstRunOf,
  type RestRun,
  randomSuffix,
  waitForFinalRun,
  waitForStepWaiting,
} from "../helpers/index.js";
import { serveOnDev } from "./serveApp.js";

type ServeOnDevOptions = Parameters<typeof serveOnDev>[0];

/**
 * An official-SDK app on a `tideline dev` of its own, as most e2e files use one. The client and
 * the event names exist at once (the functions are built with them); `start` serves the functions
 * and starts `tideline dev` with the app synced. The helpers are plain functions, so a file can
 * destructure them.
 */
export interface DevApp<C extends Inngest.Any> {
  /** `<name>-<random suffix>`; the app's events are named `<appId>/<name>` (`ev`). */
  readonly appId: string;
  readonly inngest: C;
  /** The port `tideline dev` listens on (the client's baseUrl names it). */
  readonly port: number;
  /** `tideline dev`'s URL, once started. */
  readonly url: string;
  ev(name: string): string;
  start(
    functions: ServeOnDevOptions["functions"],
    opts?: Omit<ServeOnDevOptions, "client" | "functions" | "port" | "prefix">,
  ): Promise<void>;
  stop(): Promise<void>;
  /** Sends one event named `ev(name)`: its id. */
  send(name: string, data?: Record<string, unknown>, ts?: number): Promise<string>;
  /** The event's first run once it has a final status (REST). */
  final(eventId: string, timeoutMs?: number): Promise<RestRun>;
  /** The event's first run once it exists (REST). */
  runOf(eventId: string): Promise<RestRun>;
  /** Waits until the run's trace shows `step` WAITING (its pause is committed). */
  untilWaiting(runId: string, step: string): Promise<void>;
}

export async function devApp(name: string): Promise<DevApp<Inngest>>;
export async function devApp<C extends Inngest.Any>(
  name: string,
  client: (id: string, baseUrl: string) => C,
): Promise<DevApp<C>>;
export async function devApp(
  name: string,
  client: (id: string, baseUrl: string) => Inngest.Any = (id, baseUrl) =>
    new Inngest({ id, isDev: true, baseUrl }),
): Promise<DevApp<Inngest.Any>> {
  const suffix = randomSuffix();
  const appId = `${name}-${suffix}`;
  const port = await freePort();
  const inngest = client(appId, `http://127.0.0.1:${port}`);
  const ev = (event: string) => `${appId}/${event}`;
  let runtime: { url: string; stop(): Promise<void> } | undefined;
  const url = () => {
    if (!runtime) throw new Error(`${appId}: tideline dev is not started`);
    return runtime.url;
  };
  return {
    appId,
    inngest,
    port,
    get url() {
      return url();
    },
    ev,
    start: async (functions, opts = {}) => {
      runtime = await serveOnDev({ ...opts, client: inngest, functions, port, prefix: `e2e-${appId}` });
    },
    stop: async () => {
      await runtime?.stop();
    },
    send: async (event, data = {}, ts) => {
      const { ids } = await inngest.send({ name: ev(event), data, ...(ts !== undefined ? { ts } : {}) });
      return ids[0] ?? "";
    },
    final: (eventId, timeoutMs = 30_000) => waitForFinalRun(url(), eventId, { timeoutMs, intervalMs: 50 }),
    runOf: (eventId) => firstRunOf(url(), eventId),
    untilWaiting: (runId, step) => waitForStepWaiting(url(), runId, step),
  };
}
