import type { APIGatewayProxyEventV2 } from "aws-lambda";

/** An API Gateway HTTP API (payload 2.0) event for the `$default` route, as the api Lambda receives it. */
export function httpApiEvent(
  method: string,
  path: string,
  opts: { authorization?: string; body?: string } = {},
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: opts.authorization ? { authorization: opts.authorization } : {},
    requestContext: {
      accountId: "000000000000",
      apiId: "api",
      domainName: "localhost",
      domainPrefix: "localhost",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
      requestId: "req",
      routeKey: "$default",
      stage: "$default",
      time: "01/Jan/2030:00:00:00 +0000",
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  };
}
