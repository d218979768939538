import { Group, Stack, Title } from "@mantine/core";
import { useDocumentTitle } from "@mantine/hooks";
import type { ReactNode } from "react";

interface PageProps {
  /** The level-1 heading, and the document title. */
  title: string;
  /** Buttons beside the heading. */
  actions?: ReactNode;
  /** A line under the heading. */
  subtitle?: ReactNode;
  children: ReactNode;
}

export function Page({ title, actions, subtitle, children }: PageProps) {
  useDocumentTitle(`${title} · Tideline`);
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Group justify="space-between" align="center" gap="sm" wrap="wrap">
          <Title order={1} fz={{ base: "h3", sm: "h2" }} style={{ wordBreak: "break-word" }}>
            {title}
          </Title>
          {actions ? <Group gap="xs">{actions}</Group> : null}
        </Group>
        {subtitle}
      </Stack>
      {children}
    </Stack>
  );
}
