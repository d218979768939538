/**
 * Errors as the response shows them. GraphQL's own errors (syntax, validation, coercion) and
 * Tideline's exposable errors (not found, invalid input) keep their message; anything else is an
 * internal failure whose message is not shown.
 */
import { GraphQLError } from "graphql";
import { TidelineError } from "../../../domain/errors.js";
import { type Json, toJson } from "../../../domain/json.js";

export const INTERNAL_MESSAGE = "internal server error";

function shownMessage(error: GraphQLError): string {
  const cause = error.originalError;
  if (cause === undefined || cause === null || cause instanceof GraphQLError) return error.message;
  if (cause instanceof TidelineError && cause.expose) return cause.message;
  return INTERNAL_MESSAGE;
}

export function formatErrors(errors: readonly GraphQLError[]): Json {
  return errors.map((error) => toJson({ ...error.toJSON(), message: shownMessage(error) }));
}

/** A request that never reached execution: `{errors: [{message}]}`. */
export function requestError(message: string): { status: number; body: Json } {
  return { status: 400, body: { errors: [{ message }] } };
}
