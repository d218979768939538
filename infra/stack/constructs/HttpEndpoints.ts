/**
 * The HTTP API in front of the synchronous Lambdas, served at the origin root (the SDKs build
 * absolute paths). Routes are the manifest's http sources (shared/resources.ts): today
 * `POST /e/{eventKey}` goes to the event API, everything else (`$default`) to the API Lambda
 * (sync, REST v1, GraphQL, /dev). Callers are authenticated inside the Lambdas. Each route has
 * its own throttling (the settings' rate and burst), and the API may be served at a custom domain.
 */
import { RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  ApiMapping,
  type CfnStage,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  SecurityPolicy,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

/** One manifest route: an API Gateway route key (`"POST /e/{eventKey}"` or `"$default"`). */
export interface HttpRoute {
  readonly routeKey: string;
  /** Construct id of the function's integration (one per function, shared by its routes). */
  readonly integrationId: string;
  readonly fn: IFunction;
  /** API Gateway throttling of this route (none: only the account's limits apply). */
  readonly throttle?: RouteThrottle;
}

/** Steady-state requests per second and burst (token bucket size) of one route. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** A domain to serve the API at, and its ACM certificate (in the stack's region). */
export interface CustomDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

export interface HttpEndpointsProps {
  readonly routes: readonly HttpRoute[];
  /** Serve the API at this domain too (regional endpoint, TLS 1.2). */
  readonly customDomain?: CustomDomain;
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

const DEFAULT_ROUTE = "$default";
const ROUTE_KEY = /^([A-Z]+) (\/\S*)$/;

/** Splits `"POST /e/{eventKey}"` into API Gateway's method and path. */
function parseRouteKey(routeKey: string): { method: HttpMethod; path: string } {
  const match = ROUTE_KEY.exec(routeKey);
  const method = match?.[1] as keyof typeof HttpMethod | undefined;
  if (!match?.[2] || method === undefined || !(method in HttpMethod)) {
    throw new Error(`Route "${routeKey}": expected "$default" or "<METHOD> /<path>" (shared/resources.ts)`);
  }
  return { method: HttpMethod[method], path: match[2] };
}

export class HttpEndpoints extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /**
   * The custom domain, when one is configured (point its DNS at `domain.regionalDomainName`), and
   * the API's base URL there.
   */
  readonly custom?: { readonly domain: DomainName; readonly url: string };

  constructor(scope: Construct, id: string, props: HttpEndpointsProps) {
    super(scope, id);
    this.httpApi = this.buildApi(props.routes);
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
    this.stage = this.buildStage(props.routes);
    if (props.customDomain) {
      this.custom = {
        domain: this.buildDomain(props.customDomain),
        url: `https://${props.customDomain.domainName}/`,
      };
    }
  }

  /** The API with one integration per function: `$default` as the default, the rest as routes. */
  private buildApi(routes: readonly HttpRoute[]): HttpApi {
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (route: HttpRoute): HttpLambdaIntegration => {
      const existing = integrations.get(route.integrationId);
      if (existing) return existing;
      const made = new HttpLambdaIntegration(route.integrationId, route.fn);
      integrations.set(route.integrationId, made);
      return made;
    };
    const defaults = routes.filter((r) => r.routeKey === DEFAULT_ROUTE);
    if (defaults.length > 1) throw new Error("More than one function claims the $default route");
    const api = new HttpApi(this, "Api", {
      apiName: Stack.of(this).stackName,
      description: "Tideline: Inngest-compatible event and server API",
      defaultIntegration: defaults[0] && integrationOf(defaults[0]),
      createDefaultStage: false,
    });
    for (const route of routes.filter((r) => r.routeKey !== DEFAULT_ROUTE)) {
      const { method, path } = parseRouteKey(route.routeKey);
      api.addRoutes({ path, methods: [method], integration: integrationOf(route) });
    }
    return api;
  }

  /**
   * The `$default` stage. Every route's throttle goes in RouteSettings, so a flood of one kind of
   * request (API calls, say) is answered 429 without eating into the other's limit (event intake).
   * The `$default` route's throttle is also the stage default (DefaultRouteSettings), which covers
   * any route without its own settings: every request no other route matches goes there anyway.
   */
  private buildStage(routes: readonly HttpRoute[]): HttpStage {
    const fallback = routes.find((r) => r.routeKey === DEFAULT_ROUTE)?.throttle;
    const stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      throttle: fallback,
    });
    const settings = routes.flatMap(({ routeKey, throttle }) =>
      throttle
        ? [[routeKey, { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit }]]
        : [],
    );
    if (settings.length > 0) {
      // RouteSettings is untyped JSON in the L1, so its keys are CloudFormation's own.
      (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(settings);
      // RouteSettings name routes by key: the stage must be created after them.
      stage.node.addDependency(this.httpApi);
    }
    return stage;
  }

  /** The custom domain and its mapping to the `$default` stage, at the domain's root. */
  private buildDomain(custom: CustomDomain): DomainName {
    const domain = new DomainName(this, "Domain", {
      domainName: custom.domainName,
      certificate: Certificate.fromCertificateArn(this, "Certificate", custom.certificateArn),
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new ApiMapping(this, "DomainMapping", { api: this.httpApi, domainName: domain, stage: this.stage });
    return domain;
  }

  /** Base URL of the API (no base path): what INNGEST_BASE_URL points at. */
  get url(): string {
    return this.stage.url;
  }
}
