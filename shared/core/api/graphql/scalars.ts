/**
 * The custom scalars of Inngest's schema. Times travel as epoch ms inside Tideline and as ISO 8601
 * strings on the wire; ULIDs are checked on the way in; the JSON-valued scalars pass values through.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode, valueFromASTUntyped } from "graphql";

const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
/** RFC 3339 date-time (what Inngest's Time accepts): a zone is required. */
const TIME_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isUlid(value: string): boolean {
  return ULID_RE.test(value);
}

function stringLiteral(name: string, ast: ValueNode): string {
  if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string`, { nodes: ast });
  return ast.value;
}

function parseUlid(value: unknown): string {
  if (typeof value !== "string" || !isUlid(value)) {
    throw new GraphQLError(`${JSON.stringify(value) ?? String(value)} is not a ULID`);
  }
  return value.toUpperCase();
}

function parseTime(value: unknown): number {
  const ms = typeof value === "string" && TIME_RE.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new GraphQLError(`${JSON.stringify(value) ?? String(value)} is not an RFC 3339 time`);
  }
  return ms;
}

function serializeTime(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString();
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === "string") return new Date(parseTime(value)).toISOString();
  throw new GraphQLError(`cannot serialize ${String(value)} as a Time`);
}

function serializeString(name: string) {
  return (value: unknown): string => {
    if (typeof value !== "string") throw new GraphQLError(`cannot serialize ${String(value)} as ${name}`);
    return value;
  };
}

/** A scalar whose values are strings, with an optional check on input. */
function stringScalar(name: string, parse: (value: unknown) => string = parseAnyString(name)) {
  return new GraphQLScalarType<string, string>({
    name,
    serialize: serializeString(name),
    parseValue: parse,
    parseLiteral: (ast) => parse(stringLiteral(name, ast)),
  });
}

function parseAnyString(name: string) {
  return (value: unknown): string => {
    if (typeof value !== "string") throw new GraphQLError(`${name} must be a string`);
    return value;
  };
}

/** A scalar holding any JSON value, in and out. */
function jsonScalar(name: string) {
  return new GraphQLScalarType<unknown, unknown>({
    name,
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
  });
}

function integerScalar(name: string, min: number) {
  const parse = (value: unknown): number => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw new GraphQLError(`${String(value)} is not a valid ${name}`);
    }
    return value;
  };
  return new GraphQLScalarType<number, number>({
    name,
    serialize: parse,
    parseValue: parse,
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.INT) throw new GraphQLError(`${name} must be an integer`, { nodes: ast });
      return parse(Number(ast.value));
    },
  });
}

export const TimeScalar = new GraphQLScalarType<number, string>({
  name: "Time",
  serialize: serializeTime,
  parseValue: parseTime,
  parseLiteral: (ast) => parseTime(stringLiteral("Time", ast)),
});

export const ULIDScalar = stringScalar("ULID", parseUlid);

/**
 * Every scalar the schema names. UUID is not checked: Tideline's app and function ids are
 * UUID-shaped when the SDK synced them, but older or test records may hold any string.
 */
export const SCALARS: GraphQLScalarType[] = [
  TimeScalar,
  ULIDScalar,
  stringScalar("UUID"),
  stringScalar("Environment"),
  stringScalar("SpanMetadataKind"),
  stringScalar("SpanMetadataScope"),
  integerScalar("Uint", 0),
  integerScalar("Int64", Number.MIN_SAFE_INTEGER),
  jsonScalar("Bytes"),
  jsonScalar("Unknown"),
  jsonScalar("Map"),
  jsonScalar("SpanMetadataValues"),
  jsonScalar("HTTPHeaders"),
];
