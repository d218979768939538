import { Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { gql } from "../api/client";
import { EVENT_QUERY, type EventNode } from "../api/queries";
import { ErrorState } from "../components/ErrorState";
import { Field } from "../components/Field";
import { JsonView } from "../components/JsonView";
import { Loading } from "../components/Loading";
import { Page } from "../components/Page";
import { RunLinks } from "../components/RunLinks";
import { formatTime } from "../lib/format";

export function EventPage() {
  const { eventId = "" } = useParams();
  const event = useQuery({
    queryKey: ["events", "one", eventId],
    queryFn: () => gql<{ eventV2: EventNode }>(EVENT_QUERY, { id: eventId }),
    refetchInterval: 2000,
  });
  const e = event.data?.eventV2;
  return (
    <Page title={`Event ${eventId}`} subtitle={e ? <Text c="dimmed">{e.name}</Text> : null}>
      {event.isPending ? <Loading label="Loading event" /> : null}
      {event.isError ? <ErrorState error={event.error} onRetry={() => void event.refetch()} /> : null}
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
          <Stack gap="xs">
            <Title order={2} fz="h4">
              Runs
            </Title>
            <RunLinks runs={e.runs} />
          </Stack>
          <Stack gap="xs">
            <Group justify="space-between">
              <Title order={2} fz="h4">
                Payload
              </Title>
            </Group>
            <JsonView value={e.raw} aria-label="Event payload" />
          </Stack>
        </Stack>
      ) : null}
    </Page>
  );
}
