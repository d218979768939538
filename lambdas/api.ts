// Placeholder until the handler lands; the CDK stack bundles this entry.
export const handler = async (): Promise<void> => {};
