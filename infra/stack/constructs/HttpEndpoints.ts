/**
 * The HTTP API in front of the two synchronous Lambdas, served at the origin root (the SDKs build
 * absolute paths): `POST /e/{eventKey}` goes to the event API, everything else (`$default`) to the
 * API Lambda (sync, REST v1, GraphQL, /dev). Callers are authenticated inside the Lambdas.
 */
import { RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

export interface HttpEndpointsProps {
  readonly eventApi: IFunction;
  readonly api: IFunction;
}

const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  sourceIp: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  routeKey: "$context.routeKey",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integration.latency",
  integrationError: "$context.integrationErrorMessage",
};

/** Path of the Event API route, as the SDKs call it. */
export const EVENT_ROUTE_PATH = "/e/{eventKey}";

export class HttpEndpoints extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: HttpEndpointsProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, "Api", {
      apiName: Stack.of(this).stackName,
      description: "Tideline: Inngest-compatible event and server API",
      defaultIntegration: new HttpLambdaIntegration("Api", props.api),
      createDefaultStage: false,
    });
    this.httpApi.addRoutes({
      path: EVENT_ROUTE_PATH,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration("EventApi", props.eventApi),
    });
    Validations.of(this.httpApi).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "The SDKs authenticate with Inngest's own schemes, checked inside the Lambdas: the event key in " +
        "the path of POST /e/{eventKey} (compared by sha256 hash), and the signing key as bearer token " +
        "for sync and REST. No API Gateway authorizer type can express either.",
    });

    // Access logs carry request metadata only (never bodies). The raw path of an event request
    // holds the event key, so the format records the route key (`POST /e/{eventKey}`) instead.
    this.accessLogs = new LogGroup(this, "AccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    Validations.of(this.stage).acknowledge({
      id: "Serverless-APIGWDefaultThrottling",
      reason:
        "The account-level API Gateway limit applies. A stage-wide cap would answer 429 to legitimate " +
        "event bursts that Kinesis on-demand absorbs; unauthenticated calls end at the key check.",
    });
  }

  /** Base URL of the API (no base path): what INNGEST_BASE_URL points at. */
  get url(): string {
    return this.stage.url;
  }
}
