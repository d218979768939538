export { randomSuffix } from "./randomSuffix.js";
export { testResources } from "./testResources.js";
export { receiveMessages } from "./sqs.js";
export { type WaitForOptions, waitFor } from "./waitFor.js";
