/**
 * The root value: one resolver per operation field. Below the root, values carry their own
 * fields, lazy ones as functions, which graphql-js's default resolver calls with (args, context).
 */
import { appQueries } from "./apps.js";
import { eventQueries } from "./events.js";
import { mutations } from "./mutations.js";
import { runQueries } from "./runs.js";

export const rootValue = { ...appQueries, ...eventQueries, ...runQueries, ...mutations };
