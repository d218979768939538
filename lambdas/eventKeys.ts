/**
 * Where the event API finds the accepted event-key hashes. A deployed stack keeps them in an SSM
 * parameter (infra/stack/constructs/EventKeys.ts), named by TIDELINE_EVENT_KEY_HASHES_PARAM, read
 * through Powertools Parameters and cached for MAX_AGE_SECONDS: a key rotated in the parameter is
 * accepted (or refused) within that time, with no redeploy, while SSM answers (see
 * parameterEventKeyHashes). Without the parameter (`tideline dev`, tests) the list is
 * TIDELINE_EVENT_KEY_HASHES, fixed for the process.
 */
import { countAwsCalls } from "../shared/adapters/aws/callCounter.js";
import {
  type EventKeyHashes,
  fixedEventKeyHashes,
  parseEventKeyHashes,
} from "../shared/core/ingest/eventKeys.js";
import { logger } from "./middleware.js";
import { traced } from "./tracing.js";

/** Names the SSM parameter holding the hashes (set by the stack; must match EventKeys.ts). */
export const EVENT_KEY_HASHES_PARAM_ENV = "TIDELINE_EVENT_KEY_HASHES_PARAM";

/** How long a read of the parameter is trusted: the longest a rotation takes to apply. */
export const MAX_AGE_SECONDS = 60;

/** What the provider needs of a Powertools parameter provider (SSMProvider in AWS). */
export interface ParameterSource {
  get(name: string, options: { maxAge: number }): Promise<unknown>;
}

/**
 * The hashes in parameter `name`, read through `source` at most once per `maxAgeSeconds`. A read
 * that fails (SSM throttled or unreachable) after a good one answers that one's hashes, and the
 * parameter is tried again a window later: an outage of the parameter store neither refuses every
 * event nor adds a failing read to each. A rotation then waits for the store to answer again.
 */
export function parameterEventKeyHashes(
  source: ParameterSource,
  name: string,
  maxAgeSeconds = MAX_AGE_SECONDS,
): EventKeyHashes {
  let last: { raw: string; hashes: string[] } | undefined;
  let retryAt = 0;
  return async () => {
    if (last && Date.now() < retryAt) return last.hashes;
    let raw: unknown;
    try {
      raw = await source.get(name, { maxAge: maxAgeSeconds });
    } catch (err) {
      if (!last) throw err;
      logger.warn("event key hashes unreadable; keeping the last ones read", err as Error);
      retryAt = Date.now() + maxAgeSeconds * 1000;
      return last.hashes;
    }
    if (typeof raw !== "string") throw new Error(`SSM parameter ${name} holds no string`);
    if (last?.raw !== raw) last = { raw, hashes: parseEventKeyHashes(raw) };
    return last.hashes;
  };
}

/** The parameter when the environment names one, else the fixed list from the environment. */
export async function eventKeyHashesFrom(
  env: NodeJS.ProcessEnv,
  fromEnvironment: readonly string[],
  source: () => Promise<ParameterSource> = ssmParameters,
): Promise<EventKeyHashes> {
  const name = env[EVENT_KEY_HASHES_PARAM_ENV];
  return name ? parameterEventKeyHashes(await source(), name) : fixedEventKeyHashes(fromEnvironment);
}

/** Powertools' SSM provider, loaded only when used: `tideline dev` never reads SSM. */
async function ssmParameters(): Promise<ParameterSource> {
  const { SSMProvider } = await import("@aws-lambda-powertools/parameters/ssm");
  const ssm = new SSMProvider();
  traced(countAwsCalls(ssm.client));
  return ssm;
}
