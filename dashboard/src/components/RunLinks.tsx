import { Anchor, Group, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import type { RunLink } from "../api/queries";
import { StatusBadge } from "./StatusBadge";

/** The runs an event started, each a link to its run page. */
export function RunLinks({ runs }: { runs: RunLink[] }) {
  if (runs.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No runs
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      {runs.map((run) => (
        <Group key={run.id} gap="xs" wrap="nowrap">
          <StatusBadge status={run.status} size="sm" />
          <Anchor
            component={Link}
            to={`/runs/${run.id}`}
            size="sm"
            style={{ minWidth: 0, wordBreak: "break-all" }}
          >
            {run.function.name}{" "}
            {/* The id wraps as a whole, under the name, rather than a letter at a time. */}
            <Text span ff="monospace" size="xs" c="dimmed" display="inline-block">
              {run.id}
            </Text>
          </Anchor>
        </Group>
      ))}
    </Stack>
  );
}
