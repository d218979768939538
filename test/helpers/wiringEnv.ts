import { vi } from "vitest";
import { resourceEnvNames } from "../../shared/resources.js";

/** The environment a deployed handler's wiring reads (cloud mode, every resource named), stubbed. */
export function stubWiringEnv(): void {
  for (const name of resourceEnvNames()) vi.stubEnv(name, `test-${name.toLowerCase()}`);
  vi.stubEnv("TIDELINE_MODE", "cloud");
  vi.stubEnv("TIDELINE_SIGNING_KEY", `signkey-test-${"ab".repeat(32)}`);
  vi.stubEnv("TIDELINE_SIGNING_KEY_SECRET_ARN", "");
  vi.stubEnv("AWS_REGION", "us-east-1");
}
