import { Alert, Anchor, Button, Code, Group, JsonInput, List, Modal, Stack } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { describeError, gql } from "../api/client";
import { SEND_EVENT } from "../api/queries";
import { tryParse } from "../lib/format";

const EXAMPLE = JSON.stringify({ name: "test/hello", data: {} }, null, 2);

/** Why the text is not an event (or a list of events) to send, if it is not. */
function problem(text: string): string | null {
  const parsed = tryParse(text);
  if (!parsed.ok) return "Not valid JSON";
  const events = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  if (events.length === 0) return "The list is empty";
  for (const event of events) {
    if (typeof event !== "object" || event === null || Array.isArray(event))
      return "Each event must be an object";
    if (!("name" in event) || typeof event.name !== "string" || event.name === "") {
      return 'Each event needs a "name"';
    }
  }
  return null;
}

/** A JSON editor for one event (or an array of them), sent with the `sendEvent` mutation. */
export function SendEventModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState(EXAMPLE);
  const invalid = problem(text);
  const send = useMutation({
    mutationFn: (payload: string) => gql<{ sendEvent: string[] }>(SEND_EVENT, { payload }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["events"] });
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
    },
  });

  function format() {
    const parsed = tryParse(text);
    if (parsed.ok) setText(JSON.stringify(parsed.value, null, 2));
  }

  function close() {
    send.reset();
    onClose();
  }

  const ids = send.data?.sendEvent ?? [];
  return (
    <Modal
      opened={opened}
      onClose={close}
      title="Send test event"
      size="lg"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!invalid) send.mutate(text);
        }}
      >
        <Stack>
          <JsonInput
            label="Event JSON"
            description='One event ({"name", "data", …}) or an array of events'
            value={text}
            onChange={(value) => {
              setText(value);
              if (send.isSuccess || send.isError) send.reset();
            }}
            validationError="Not valid JSON"
            error={invalid}
            formatOnBlur
            autosize
            minRows={6}
            maxRows={18}
            data-autofocus
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
          />
          {send.isError ? (
            <Alert color="red" title="The event was not sent">
              {describeError(send.error)}
            </Alert>
          ) : null}
          {send.isSuccess ? (
            <Alert color="green" title={ids.length === 1 ? "Event sent" : `${ids.length} events sent`}>
              <List size="sm" spacing={4}>
                {ids.map((id) => (
                  <List.Item key={id}>
                    <Anchor component={Link} to={`/events/${id}`} onClick={close}>
                      <Code>{id}</Code>
                    </Anchor>
                  </List.Item>
                ))}
              </List>
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={format} disabled={invalid === "Not valid JSON"}>
              Format
            </Button>
            <Button type="submit" loading={send.isPending} disabled={invalid !== null}>
              Send
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
