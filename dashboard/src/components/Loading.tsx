import { Center, Loader, VisuallyHidden } from "@mantine/core";

/** A spinner that screen readers announce by its label. */
export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <Center py="xl" role="status">
      <Loader aria-hidden="true" />
      <VisuallyHidden>{label}</VisuallyHidden>
    </Center>
  );
}
