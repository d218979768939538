import { Badge, type BadgeProps, type MantineColor } from "@mantine/core";

const COLORS: Record<string, MantineColor> = {
  COMPLETED: "green",
  FAILED: "red",
  CANCELLED: "gray",
  RUNNING: "blue",
  QUEUED: "indigo",
  SKIPPED: "yellow",
  WAITING: "yellow",
};

export function statusColor(status: string): MantineColor {
  return COLORS[status] ?? "gray";
}

/** A run's or span's status, in its plain text (COMPLETED, FAILED, …). */
export function StatusBadge({
  status,
  ...props
}: { status: string } & Omit<BadgeProps, "color" | "children">) {
  return (
    <Badge color={statusColor(status)} variant="light" miw="max-content" data-status={status} {...props}>
      {status}
    </Badge>
  );
}
