import { Alert, Button, Code, Group, Stack, Text } from "@mantine/core";
import { ApiError, Unauthorized, Unreachable } from "../api/client";

/** Why a query failed: the API unreachable (with a retry), a key needed, or the API's message. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const retry = onRetry ? (
    <Group>
      <Button variant="light" color="red" size="xs" onClick={onRetry}>
        Retry
      </Button>
    </Group>
  ) : null;
  if (error instanceof Unreachable) {
    return (
      <Alert color="red" title="Can't reach the Tideline API" data-testid="error-state">
        <Stack gap="xs">
          <Text size="sm">
            The server did not answer ({error.message}). Is <Code>tideline dev</Code> running, or the
            deployment up?
          </Text>
          {retry}
        </Stack>
      </Alert>
    );
  }
  if (error instanceof Unauthorized) {
    return (
      <Alert color="yellow" title="An API key is required" data-testid="error-state">
        Enter the API key to see this page.
      </Alert>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert
      color="red"
      title={error instanceof ApiError ? "The API answered with an error" : "Something went wrong"}
      data-testid="error-state"
    >
      <Stack gap="xs">
        <Text size="sm" style={{ wordBreak: "break-word" }}>
          {message}
        </Text>
        {retry}
      </Stack>
    </Alert>
  );
}
