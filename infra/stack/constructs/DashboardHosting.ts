/**
 * The dashboard (the Vite build in `dashboard/dist`) in a private S3 bucket, served by CloudFront
 * through Origin Access Control, with the HTTP API behind the same distribution: the browser calls
 * the API on its own origin, so the API needs no CORS and the bucket is never public. The API
 * paths (API_PATH_PATTERNS) pass through uncached with every viewer header but Host (Authorization
 * included), query strings and bodies; everything else is the dashboard. No distribution-wide
 * error responses: they would turn the API's 403s and 404s into index.html, and the dashboard's
 * hash routes never reach the origin anyway. Each deploy syncs the bucket with the build (files
 * gone from the build are deleted) and invalidates /index.html; the other files are content-hashed.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Aws, CfnOutput, Duration, Names, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  Signing,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import {
  type AddToPrincipalPolicyResult,
  PolicyStatement,
  Role,
  type RoleProps,
  ServicePrincipal,
} from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction, SingletonFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import type { Asset } from "aws-cdk-lib/aws-s3-assets";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { API_PATH_PATTERNS, HTTP_INTEGRATION_TIMEOUT_SECONDS } from "../../../shared/resources.js";
import { acknowledgeWildcardResource, notLatestRuntime } from "../nag.js";
import { type RemovalPolicyName, removalPolicyOf } from "../settings.js";

/**
 * The dashboard's Content-Security-Policy: its own scripts only, and API calls to its own origin.
 * Styles may be inline because Mantine injects `<style>` elements at run time.
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export interface DashboardHostingProps {
  /** The dashboard build (`dashboard/dist`): must hold index.html. */
  readonly dashboardDir: string;
  /** The API that the API_PATH_PATTERNS go to, at its execute-api domain. */
  readonly httpApi: IHttpApi;
  /** `retain` (default) keeps the bucket when the stack goes; `destroy` empties and deletes it. */
  readonly removalPolicy?: RemovalPolicyName;
}

export class DashboardHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly deployment: BucketDeployment;
  /** CDK's singleton Lambda that runs the deployment (a child of the stack, not of this construct). */
  readonly deploymentHandler: LambdaFunction;
  /** `https://<distribution domain>`: the dashboard, and the API at the same origin. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    if (!existsSync(join(props.dashboardDir, "index.html"))) {
      throw new Error(
        `No dashboard build in ${props.dashboardDir} (index.html is missing): run \`npm run build:dashboard\` first`,
      );
    }
    this.bucket = this.buildBucket(props.removalPolicy);
    this.distribution = this.buildDistribution(props.httpApi);
    this.deployment = this.buildDeployment(props.dashboardDir);
    const handler = this.deployment.node.findChild("CustomResourceHandler") as SingletonFunction;
    this.deploymentHandler = Stack.of(this).node.findChild(handler.constructName) as LambdaFunction;
    this.acknowledgeDeployment();
    this.url = `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(Stack.of(this), "DashboardUrl", {
      description: "The dashboard; the API answers at the same origin (API paths go to the HTTP API)",
      value: this.url,
    });
  }

  private buildBucket(removalPolicy: RemovalPolicyName | undefined): Bucket {
    const bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: removalPolicyOf(removalPolicy),
      autoDeleteObjects: removalPolicy === "destroy",
    });
    Validations.of(bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Read only by CloudFront (OAC) and written only by the deployment; its content is the public " +
        "dashboard build, rebuilt from dashboard/dist on every deploy. Like the payload bucket, no server " +
        "access logs; CloudTrail S3 data events give object-level audit when required.",
    });
    return bucket;
  }

  private buildDistribution(httpApi: IHttpApi): Distribution {
    const stack = Stack.of(this);
    const apiOrigin = new HttpOrigin(`${httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      // Past API Gateway's integration timeout, so its own 503 comes through rather than a CloudFront 504.
      readTimeout: Duration.seconds(HTTP_INTEGRATION_TIMEOUT_SECONDS + 5),
    });
    const api: BehaviorOptions = {
      origin: apiOrigin,
      // A redirected POST would lose its body: plain HTTP is refused instead.
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      // The API gzips large answers itself (lambdas/middleware.ts).
      compress: false,
    };
    const distribution = new Distribution(this, "Distribution", {
      comment: `Tideline dashboard and API (${stack.stackName})`,
      defaultRootObject: "index.html",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new S3OriginAccessControl(this, "OriginAccess", {
            originAccessControlName: this.globalName("oac", 64),
            signing: Signing.SIGV4_ALWAYS,
          }),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: this.securityHeaders(),
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, api])),
    });
    Validations.of(distribution).acknowledge(
      {
        id: "AwsSolutions-CFR1",
        reason:
          "Tideline serves SDK apps and operators wherever they run; which countries to refuse is the " +
          "operator's decision, not the stack's. Every API call needs a key checked in the Lambdas.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "No WAF web ACL by default: it costs a fixed monthly fee per ACL and rule, against a stack that " +
          "costs nothing idle. The API throttles every route in API Gateway (settings.ts) and checks keys " +
          "in the Lambdas; attach a web ACL to the distribution when the threat model asks for one.",
      },
      {
        id: "AwsSolutions-CFR3",
        reason:
          "Standard logs would record every request's full path, and the path of POST /e/{eventKey} is " +
          "the event key. API requests are logged by the HTTP API's access log, which records the route " +
          "key instead (HttpEndpoints.ts); the rest are reads of the public dashboard files.",
      },
      {
        id: "AwsSolutions-CFR4",
        reason:
          "The distribution uses its default *.cloudfront.net certificate (the stack has no custom domain " +
          "for it), with which CloudFront does not let a minimum TLS version be set. Clients negotiate " +
          "TLS 1.2 or later in practice; a custom domain with its own certificate would pin TLSv1.2_2021.",
      },
    );
    return distribution;
  }

  /**
   * A name for a CloudFront resource, which must be unique in the account across every region: the
   * construct's unique name (it carries the stack name) and the region, so that two stages, or one
   * stack name deployed to two regions, never collide. At most `max` characters.
   */
  private globalName(kind: string, max: number): string {
    const suffix = `-${kind}-${Aws.REGION}`;
    // The region is a token at synthesis; the longest region name has 14 characters.
    const room = max - (kind.length + 2 + 14);
    return `${Names.uniqueResourceName(this, { maxLength: room })}${suffix}`;
  }

  /** HSTS, nosniff, no framing, a strict referrer policy and DASHBOARD_CSP on the dashboard's files. */
  private securityHeaders(): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, "SecurityHeaders", {
      responseHeadersPolicyName: this.globalName("headers", 128),
      comment: "Tideline dashboard: security headers and CSP",
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: DASHBOARD_CSP, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });
  }

  /**
   * Copies the build into the bucket (deleting what the build no longer has) and invalidates
   * /index.html. The handler is CDK's singleton Lambda; it runs under a role of ours, with its own
   * log group rather than the AWSLambdaBasicExecutionRole managed policy, and its invalidation
   * grant narrowed from every distribution ("*") to this one.
   */
  private buildDeployment(dashboardDir: string): BucketDeployment {
    const logGroup = new LogGroup(this, "DeploymentLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new DeploymentRole(this, "DeploymentRole", this.distribution.distributionArn, {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "Tideline dashboard deployment (CDK BucketDeployment handler)",
    });
    logGroup.grantWrite(role);
    return new BucketDeployment(this, "Deployment", {
      sources: [Source.asset(dashboardDir)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ["/index.html"],
      role,
      logGroup,
    });
  }

  private acknowledgeDeployment(): void {
    const role = this.deployment.handlerRole;
    const runtime =
      "CDK's BucketDeployment handler (Python with the AWS CLI layer), whose runtime CDK chooses and " +
      "upgrades with aws-cdk-lib; it runs only while CloudFormation deploys the stack.";
    Validations.of(this.deploymentHandler).acknowledge(
      ...notLatestRuntime(runtime),
      {
        id: "Serverless-LambdaDLQ",
        reason:
          "Invoked only by CloudFormation as a custom resource: a failure fails the deployment, which " +
          "CloudFormation reports and rolls back, so a DLQ would hold nothing anyone acts on.",
      },
      {
        id: "Serverless-LambdaTracing",
        reason:
          "A deploy-time copy of static files by CDK's handler; its log group records each run, and " +
          "tracing would need an X-Ray grant on * for nothing the dashboard or API serves.",
      },
    );
    const copies =
      "CDK's BucketDeployment grants (grantRead on the source asset, grantReadWrite on the dashboard " +
      "bucket): the handler syncs every file of the build, whose names are content hashes known only " +
      "after the build, and deletes the ones the build no longer has.";
    Validations.of(role).acknowledge(
      ...["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: copies,
      })),
    );
    acknowledgeWildcardResource(role, this.bucket.arnForObjects("*"), copies);
    const source = this.deployment.node.findChild("Asset1") as Asset;
    acknowledgeWildcardResource(
      role,
      source.bucket.arnForObjects("*"),
      "CDK's Source.asset grants read on the CDK bootstrap asset bucket, where the build is staged " +
        "under a content-hash key unknown until synthesis; that bucket holds deployment artifacts only.",
    );
  }
}

/**
 * The deployment handler's role. BucketDeployment grants cloudfront:CreateInvalidation and
 * GetInvalidation on "*"; both take a distribution ARN, so this role narrows that grant to the
 * dashboard's distribution and keeps every other grant as CDK makes it.
 */
class DeploymentRole extends Role {
  constructor(
    scope: Construct,
    id: string,
    private readonly distributionArn: string,
    props: RoleProps,
  ) {
    super(scope, id, props);
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    const invalidation =
      statement.actions.length > 0 && statement.actions.every((a) => a.startsWith("cloudfront:"));
    if (!invalidation) return super.addToPrincipalPolicy(statement);
    return super.addToPrincipalPolicy(
      new PolicyStatement({
        effect: statement.effect,
        actions: statement.actions,
        resources: [this.distributionArn],
      }),
    );
  }
}
