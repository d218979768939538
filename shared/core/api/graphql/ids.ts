/** Ids the schema shows that Tideline does not store: derived, so they are the same every time. */
import { stableUuid } from "../../../domain/ids.js";

/** The app's UUID, as `/fn/register` answers it (`app_id`). */
export function appUuid(appId: string): string {
  return stableUuid(`app:${appId}`);
}

/** Inngest's dev-server environment id: Tideline serves one environment. */
export const LOCAL_ENV_ID = "00000000-0000-4000-b000-000000000000";

export const WORKSPACE = { id: LOCAL_ENV_ID };
