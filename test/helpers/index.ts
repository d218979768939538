export { gqlAt, runOfEvent } from "./gql.js";
export { sweep } from "./overlap.js";
export { randomSuffix } from "./randomSuffix.js";
export { firstRunOf, type RestRun, waitForFinalRun, waitForStepWaiting } from "./runs.js";
export { receiveMessages } from "./sqs.js";
export { waitForAppSync } from "./sync.js";
export { testResources } from "./testResources.js";
export { type WaitForOptions, waitFor } from "./waitFor.js";
