/** The body of `POST /v0/gql`: `{ query, variables?, operationName? }` as JSON. */
import { isJsonObject, type JsonObject, jsonNestingDepth, tryParseJson } from "../../../domain/json.js";
import { MESSAGE_MAX_DEPTH } from "../../../domain/messages.js";

export interface GraphqlRequest {
  query: string;
  variables?: JsonObject;
  operationName?: string;
}

export function parseGraphqlRequest(
  body: string,
): { ok: true; value: GraphqlRequest } | { ok: false; error: string } {
  if (jsonNestingDepth(body) > MESSAGE_MAX_DEPTH) return { ok: false, error: "request body nests too deep" };
  const json = tryParseJson(body);
  if (!json.ok || !isJsonObject(json.value)) {
    return { ok: false, error: "request body must be a JSON object: {query, variables?, operationName?}" };
  }
  const { query, variables, operationName } = json.value;
  if (typeof query !== "string" || query.trim() === "")
    return { ok: false, error: "query must be a non-empty string" };
  if (variables !== undefined && variables !== null && !isJsonObject(variables)) {
    return { ok: false, error: "variables must be an object" };
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
    return { ok: false, error: "operationName must be a string" };
  }
  return {
    ok: true,
    value: {
      query,
      ...(variables ? { variables } : {}),
      ...(typeof operationName === "string" ? { operationName } : {}),
    },
  };
}
