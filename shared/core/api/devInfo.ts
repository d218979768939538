import type { Json } from "../../domain/json.js";
import type { RegistryStore } from "../../ports/index.js";

/** `GET /dev`: the Inngest dev-server info shape (PROTOCOL 8.1), which the official harness reads. */
export async function devInfo(deps: {
  registry: RegistryStore;
  mode: "dev" | "cloud";
  version: string;
}): Promise<Json> {
  const [functions, apps] = await Promise.all([deps.registry.listFunctions(), deps.registry.listApps()]);
  return {
    version: deps.version,
    authed: false,
    startOpts: {
      dir: "",
      urls: apps.map((a) => a.url),
      autodiscover: false,
      poll: false,
      poll_interval: 5,
      tick: 150000000,
      retry_interval: 0,
      queue_workers: 100,
      require_keys: deps.mode === "cloud",
    },
    functions: functions.map((f) => ({
      id: f.internalId,
      name: f.name,
      slug: f.slug,
      triggers: f.triggers.map((t): Json => ({ ...t })),
      steps: [{ id: "step", name: "step", uri: f.url }],
    })),
    handlers: apps.map((a) => ({
      functionIDs: functions.filter((f) => f.appId === a.appId).map((f) => f.internalId),
      sdk: { appName: a.appId, url: a.url, sdk: a.sdk, framework: a.framework ?? null },
      createdAt: new Date(a.createdAt).toISOString(),
      updatedAt: new Date(a.updatedAt).toISOString(),
    })),
    isSingleNodeService: true,
    isMissingSigningKey: false,
    isMissingEventKeys: false,
    features: {},
  };
}
