import { waitFor } from "./waitFor.js";

/** A GraphQL request to `tideline dev` that must succeed (HTTP 200, no `errors`): the answer's `data`. */
export async function gqlAt<T>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${baseUrl}/v0/gql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`GraphQL ${res.status}: ${text}`);
  const body = JSON.parse(text) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The id of the first run an event started, polled over GraphQL (`eventV2.runs`) until it exists. */
export async function runOfEvent(baseUrl: string, eventId: string): Promise<string> {
  return waitFor(
    async () =>
      (
        await gqlAt<{ eventV2: { runs: { id: string }[] } | null }>(
          baseUrl,
          "query ($id: ULID!) { eventV2(id: $id) { runs { id } } }",
          { id: eventId },
        )
      ).eventV2?.runs[0]?.id,
    { timeoutMs: 20_000, intervalMs: 100, what: `the run of event ${eventId}` },
  );
}
