/**
 * `POST /v0/gql`: the GraphQL API of Inngest's dev server (the subset the dashboard and the SDKs'
 * test tooling use), over Tideline's stores. Requests that cannot run (not JSON, a syntax or
 * validation error, variables of the wrong type) are answered 400; executed ones 200, with
 * `errors` beside `data` when fields failed.
 */
import { type DocumentNode, execute, GraphQLError, parse, validate } from "graphql";
import { type Json, toJson } from "../../../domain/json.js";
import { type GraphqlDeps, RequestContext } from "./context.js";
import { formatErrors, INTERNAL_MESSAGE, requestError } from "./errors.js";
import { parseGraphqlRequest } from "./request.js";
import { rootValue } from "./resolvers/root.js";
import { schema } from "./schema.js";
import { resolveAbstractType } from "./views/trace.js";

export type { GraphqlDeps } from "./context.js";

/** body = the raw HTTP request body (JSON: {query, variables?, operationName?}). */
export async function handleGraphql(
  deps: GraphqlDeps,
  body: string,
): Promise<{ status: number; body: Json }> {
  const request = parseGraphqlRequest(body);
  if (!request.ok) return requestError(request.error);
  const { query, variables, operationName } = request.value;

  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    if (err instanceof GraphQLError) return { status: 400, body: { errors: formatErrors([err]) } };
    return requestError(INTERNAL_MESSAGE);
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { status: 400, body: { errors: formatErrors(invalid) } };

  let result: Awaited<ReturnType<typeof execute>>;
  try {
    result = await execute({
      schema,
      document,
      rootValue,
      contextValue: new RequestContext(deps),
      variableValues: variables ?? null,
      operationName: operationName ?? null,
      typeResolver: resolveAbstractType,
    });
  } catch {
    // Resolver errors become field errors; only a fault of the executor itself lands here.
    return { status: 500, body: { errors: [{ message: INTERNAL_MESSAGE }] } };
  }
  // No `data` at all: the request failed before execution (variables, operation selection).
  if (!("data" in result)) return { status: 400, body: { errors: formatErrors(result.errors ?? []) } };
  const answer: { data: Json; errors?: Json } = { data: toJson(result.data ?? null) };
  if (result.errors && result.errors.length > 0) answer.errors = formatErrors(result.errors);
  return { status: 200, body: answer };
}
