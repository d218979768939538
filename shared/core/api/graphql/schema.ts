/**
 * The executable schema. The SDL is extended onto a schema that holds only our scalar
 * implementations, so the scalars keep their parse and serialize functions (buildSchema would give
 * every custom scalar a pass-through). Resolvers live on the values (see resolvers/root.ts).
 */
import { assertValidSchema, extendSchema, GraphQLSchema, parse } from "graphql";
import { SCALARS } from "./scalars.js";
import { APPS_SDL } from "./sdl/apps.js";
import { EVENTS_SDL } from "./sdl/events.js";
import { ROOT_SDL } from "./sdl/root.js";
import { RUNS_SDL } from "./sdl/runs.js";
import { TRACE_SDL } from "./sdl/trace.js";

function buildSchema(): GraphQLSchema {
  const base = new GraphQLSchema({ types: SCALARS });
  const schema = extendSchema(base, parse([ROOT_SDL, APPS_SDL, EVENTS_SDL, RUNS_SDL, TRACE_SDL].join("\n")));
  assertValidSchema(schema);
  return schema;
}

export const schema = buildSchema();
