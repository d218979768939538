/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table: every route's method
 * and path, its parameters (the query schema it parses with), its request body and its answers
 * (the zod schemas its handler builds them with, as JSON Schema 2020-12 via `z.toJSONSchema`).
 */
import * as z from "zod";
import { type ApiRoute, pathParamNames, route } from "./route.js";
import { anyJson, errorBodySchema, requestSchemas, responseSchemas } from "./schemas.js";

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

const refTo = (id: string): string => `#/components/schemas/${id}`;
const common = { target: "draft-2020-12", unrepresentable: "any", uri: refTo } as const;

/** Component and inline schemas carry no `$schema` / `$id`: the document's dialect applies. */
function bare(schema: object): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema" && key !== "$id"));
}

function componentSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const answers = z.toJSONSchema(responseSchemas, { ...common, io: "output" }).schemas;
  const bodies = z.toJSONSchema(requestSchemas, { ...common, io: "input" }).schemas;
  for (const [id, schema] of Object.entries({ ...answers, ...bodies })) out[id] = bare(schema);
  return out;
}

/** A reference to a registered schema, else the schema inline. */
function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const id = (io === "output" ? responseSchemas : requestSchemas).get(schema)?.id;
  return id
    ? { $ref: refTo(id) }
    : bare(z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any", io }));
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "The request is invalid (a parameter, the body or the path)",
  401: "The signing key is missing or wrong (cloud mode)",
  403: "Refused (a cross-site request in dev mode)",
  404: "Not found",
  413: "The body is too large",
  502: "An app Tideline called on the caller's behalf failed",
  500: "Internal error",
};

function parameters(r: ApiRoute): JsonSchema[] {
  const inPath = pathParamNames(r.path).map((name) => ({
    name,
    in: "path",
    required: true,
    ...(r.doc.params?.[name] ? { description: r.doc.params[name] } : {}),
    schema: { type: "string" },
  }));
  if (!r.query) return inPath;
  const query = z.toJSONSchema(r.query, { target: "draft-2020-12", unrepresentable: "any", io: "input" });
  const required = new Set(query.required ?? []);
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => {
    // The description belongs to the parameter, not repeated in its schema.
    const { description, ...rest } = typeof schema === "object" ? schema : {};
    return {
      name,
      in: "query",
      required: required.has(name),
      ...(description ? { description } : {}),
      schema: bare(rest),
    };
  });
  return [...inPath, ...inQuery];
}

function requestBody(r: ApiRoute): JsonSchema | undefined {
  const schema = r.body ?? r.doc.requestBody;
  if (!schema) return undefined;
  // Routes that parse their body treat an empty one as `{}`: it is optional when `{}` is valid.
  const required = !r.body?.safeParse({}).success;
  return { required, content: { "application/json": { schema: schemaOf(schema, "input") } } };
}

function operation(r: ApiRoute): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, answer] of Object.entries(r.doc.responses)) {
    responses[status] = {
      description: answer.description,
      ...(answer.schema
        ? { content: { "application/json": { schema: schemaOf(answer.schema, "output") } } }
        : {}),
    };
  }
  const errors = new Set([...(r.doc.errors ?? []), ...(r.auth === "key" ? [401] : []), 500]);
  for (const status of [...errors].sort((a, b) => a - b)) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? "Error",
      content: { "application/json": { schema: schemaOf(r.errorBody?.schema ?? errorBodySchema, "output") } },
    };
  }
  const body = requestBody(r);
  return {
    operationId: r.doc.operationId,
    summary: r.doc.summary,
    ...(r.doc.description ? { description: r.doc.description } : {}),
    tags: r.doc.tags,
    parameters: parameters(r),
    ...(body ? { requestBody: body } : {}),
    responses,
    security: r.auth === "key" ? [{ signingKey: [] }] : [],
  };
}

export function openApiDocument(routes: readonly ApiRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const r of routes) {
    const item = paths[r.path] ?? {};
    item[r.method.toLowerCase()] = operation(r);
    paths[r.path] = item;
  }
  const tags = [...new Set(routes.flatMap((r) => r.doc.tags))].sort().map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    info: {
      title: "Tideline API",
      version,
      description:
        "Tideline's HTTP API: Inngest's REST v1 (paths, snake_case fields, `{data, metadata}` envelopes) with " +
        "Tideline's additions, plus the SDK and dev-server endpoints. Listings page with `cursor`.",
    },
    tags,
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        signingKey: {
          type: "http",
          scheme: "bearer",
          description: "The signing key (`signkey-<env>-<hex>`) in cloud mode; dev mode needs none.",
        },
      },
    },
  };
}

const openApiSchema = z.record(z.string(), anyJson).register(responseSchemas, {
  id: "OpenApiDocument",
  description: "This document.",
});

/** `GET /v1/openapi.json`: the document of the routes `table()` returns, built once. */
export function openApiRoute(table: () => readonly ApiRoute[], version: string): ApiRoute {
  let built: OpenApiDocument | undefined;
  return route(
    {
      method: "GET",
      path: "/v1/openapi.json",
      auth: "none",
      doc: {
        operationId: "getOpenApiDocument",
        summary: "This API's OpenAPI 3.1 document",
        tags: ["meta"],
        responses: { 200: { description: "The document", schema: openApiSchema } },
      },
    },
    async () => {
      built ??= openApiDocument(table(), version);
      return { status: 200, body: built };
    },
  );
}
