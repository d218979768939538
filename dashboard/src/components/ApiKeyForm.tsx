import { Alert, Button, Card, Code, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { useDocumentTitle } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { auth } from "../api/auth";
import { describeError, gql, setApiKey, Unauthorized } from "../api/client";

/**
 * Shown when the API answers 401: asks for the API key, checks it with a trivial query and keeps it
 * in sessionStorage (this tab only).
 */
export function ApiKeyForm() {
  useDocumentTitle("Sign in · Tideline");
  const queryClient = useQueryClient();
  const [key, setKey] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const value = key.trim();
    setError(null);
    setFieldError(null);
    if (!value) {
      setFieldError("Enter the API key");
      return;
    }
    setChecking(true);
    setApiKey(value);
    try {
      await gql("query KeyCheck { __typename }");
      auth.accepted();
      auth.changed();
      await queryClient.resetQueries();
    } catch (err) {
      setApiKey(null);
      if (err instanceof Unauthorized) setFieldError("That key was not accepted");
      else setError(describeError(err));
    } finally {
      setChecking(false);
    }
  }

  return (
    <Card withBorder maw={460} mx="auto" mt="xl" p="lg" component="section" aria-labelledby="sign-in-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={1} fz="h3" id="sign-in-title">
            Sign in
          </Title>
          <Text size="sm">
            This Tideline deployment needs an API key. It is kept in this browser tab only (in{" "}
            <Code>sessionStorage</Code>) and sent as a bearer token with each request.
          </Text>
          <PasswordInput
            label="API key"
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
            error={fieldError}
          />
          {error ? <Alert color="red">{error}</Alert> : null}
          <Button type="submit" loading={checking}>
            Sign in
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
