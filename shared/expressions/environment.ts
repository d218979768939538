/**
 * The one CEL environment every expression runs in: Inngest's variables (`event`, `async`,
 * `vars`, all maps), the unknown sentinel type, the lenient overloads and macros, and Inngest's
 * functions. Building it registers a few hundred overloads, so it is created once, lazily.
 */

import { Environment } from "@marcbachmann/cel-js";
import { registerInngestFunctions } from "./inngestFunctions.js";
import { registerLenientMacros } from "./lenientMacros.js";
import { registerLenientOverloads } from "./lenientOverloads.js";
import { ROOT_VARIABLES } from "./rewrite.js";
import { UNKNOWN_TYPE, Unknown } from "./unknown.js";

let shared: Environment | undefined;

export function celEnvironment(): Environment {
  if (shared) return shared;
  // cel-go accepts mixed list/map literals unless HomogeneousAggregateLiterals is set; Inngest doesn't set it.
  const env = new Environment({ homogeneousAggregateLiterals: false });
  for (const name of ROOT_VARIABLES) env.registerVariable(name, "map");
  env.registerType(UNKNOWN_TYPE, Unknown);
  registerInngestFunctions(env);
  registerLenientOverloads(env);
  registerLenientMacros(env);
  shared = env;
  return env;
}
