import { Card, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { gql } from "../api/client";
import { ENDED_STATUSES, EVENT_QUERY, type EventNode } from "../api/queries";
import { Field } from "../components/Field";
import { JsonView } from "../components/JsonView";
import { IdHeading, Page } from "../components/Page";
import { QueryStatus, untilApiError } from "../components/QueryStatus";
import { RunLinks } from "../components/RunLinks";
import { Section } from "../components/Section";
import { formatTime, ms } from "../lib/format";

/** While its runs move (or it just arrived and runs may start), the page refreshes every 2 s. */
const LIVE_POLL_MS = 2000;
/** Later only a rerun adds a run to it: a slow refresh. */
const IDLE_POLL_MS = 30_000;
const YOUNG_MS = 60_000;

function pollFor(event: EventNode | undefined): number {
  if (!event) return LIVE_POLL_MS;
  const young = Date.now() - (ms(event.receivedAt) ?? 0) < YOUNG_MS;
  const moving = event.runs.some((r) => !ENDED_STATUSES.includes(r.status));
  return young || moving ? LIVE_POLL_MS : IDLE_POLL_MS;
}

export function EventPage() {
  const { eventId = "" } = useParams();
  const event = useQuery({
    queryKey: ["events", "one", eventId],
    queryFn: () => gql<{ eventV2: EventNode }>(EVENT_QUERY, { id: eventId }),
    // The API's error (no such event) stops the refresh; Retry starts it again.
    refetchInterval: untilApiError((q) => pollFor(q.state.data?.eventV2)),
  });
  const e = event.data?.eventV2;
  return (
    <Page
      title={`Event ${eventId}`}
      heading={<IdHeading prefix="Event" id={eventId} />}
      subtitle={e ? <Text c="dimmed">{e.name}</Text> : null}
    >
      <QueryStatus query={event} label="Loading event" />
      {e ? (
        <Stack gap="md">
          <Card withBorder padding="md">
            <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
              <Field label="Name">{e.name}</Field>
              <Field label="Received">{formatTime(e.receivedAt)}</Field>
              <Field label="Occurred">{formatTime(e.occurredAt)}</Field>
              <Field label="Idempotency key">{e.idempotencyKey ?? "—"}</Field>
            </SimpleGrid>
          </Card>
          <Section title="Runs">
            <RunLinks runs={e.runs} />
          </Section>
          <Section title="Payload">
            <JsonView value={e.raw} aria-label="Event payload" />
          </Section>
        </Stack>
      ) : null}
    </Page>
  );
}
