/**
 * Where this handler runs. Metrics and tracing are for a deployed function only: `tideline dev`
 * (and the tests, which run the handlers in-process even in cloud mode) must neither print EMF
 * lines nor load the X-Ray SDK, whose async hooks would slow every promise in the process.
 */

/**
 * A cloud-mode handler (TIDELINE_MODE is `cloud` unless set to `dev`, as shared/config.ts reads
 * it) inside Lambda, which always sets AWS_LAMBDA_FUNCTION_NAME.
 */
export function isDeployedFunction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TIDELINE_MODE !== "dev" && Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
}
