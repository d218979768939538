/**
 * The dashboard's hosting (infra/stack/constructs/DashboardHosting.ts): a private bucket that only
 * this CloudFront distribution reads (OAC), the dashboard as the default behaviour, every path the
 * HTTP API answers passed through uncached to its execute-api domain, the build deployed with an
 * invalidation, and a clear error when there is no build. Synthesis skips esbuild (stack.test.ts
 * bundles) and deploys the repository's `dashboard/dist`, which the unit project builds first.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CachePolicy, OriginRequestPolicy } from "aws-cdk-lib/aws-cloudfront";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DASHBOARD_DIR, TidelineStack } from "../../../infra/stack/TidelineStack.js";
import { API_PATH_PATTERNS, FUNCTIONS, isApiPath } from "../../../shared/resources.js";
import {
  acknowledgements,
  type CfnResource,
  logicalIdOf,
  newApp,
  PRIVATE_BUCKET,
  resourceOf,
  resourcesOfType,
  type Statement,
  type Synthesized,
  synthesize,
  unexplained,
} from "./fixture.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

interface Behavior {
  readonly PathPattern?: string;
  readonly TargetOriginId: string;
  readonly ViewerProtocolPolicy: string;
  readonly AllowedMethods?: string[];
  readonly CachePolicyId?: string;
  readonly OriginRequestPolicyId?: string;
  readonly ResponseHeadersPolicyId?: unknown;
  readonly Compress?: boolean;
}

interface Origin {
  readonly Id: string;
  readonly DomainName: unknown;
  readonly OriginAccessControlId?: unknown;
  readonly S3OriginConfig?: { readonly OriginAccessIdentity?: string };
  readonly CustomOriginConfig?: Record<string, unknown>;
}

interface DistributionConfig {
  readonly DefaultCacheBehavior: Behavior;
  readonly CacheBehaviors?: Behavior[];
  readonly Origins: Origin[];
  readonly DefaultRootObject?: string;
  readonly CustomErrorResponses?: unknown;
}

let fixture: Synthesized;
let config: DistributionConfig;
let bucketId: string;
let s3Origin: Origin;
let apiOrigin: Origin;

beforeAll(() => {
  fixture = synthesize({}, { bundle: false });
  const { dashboard } = fixture.stack;
  bucketId = logicalIdOf(fixture, dashboard.bucket);
  config = resourceOf(fixture, dashboard.distribution).Properties.DistributionConfig as DistributionConfig;
  const bucketDomain = { "Fn::GetAtt": [bucketId, "RegionalDomainName"] };
  const found = (name: string, origin: Origin | undefined) => {
    if (!origin) throw new Error(`No ${name} origin in ${JSON.stringify(config.Origins)}`);
    return origin;
  };
  s3Origin = found(
    "S3",
    config.Origins.find((o) => JSON.stringify(o.DomainName) === JSON.stringify(bucketDomain)),
  );
  apiOrigin = found(
    "API",
    config.Origins.find((o) => o.CustomOriginConfig !== undefined),
  );
}, 60_000);

const bucketArn = () => ({ "Fn::GetAtt": [bucketId, "Arn"] });
const distributionArn = () => fixture.stack.resolve(fixture.stack.dashboard.distribution.distributionArn);

describe("Dashboard bucket", () => {
  it("blocks all public access, has no website configuration, and is S3-encrypted with ACLs off", () => {
    const bucket = resourceOf(fixture, fixture.stack.dashboard.bucket);

    expect(bucket.Properties).toMatchObject({
      ...PRIVATE_BUCKET,
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
    });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    // The default stage keeps it (removalPolicy retain); environments.test.ts covers destroy.
    expect(bucket.DeletionPolicy).toBe("Retain");
  });

  it("lets only CloudFront read objects, for this distribution only, and refuses plain HTTP", () => {
    const policies = resourcesOfType(fixture, "AWS::S3::BucketPolicy").filter(
      ([, r]) => JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    expect(policies).toHaveLength(1);
    const statements = policies.flatMap(
      ([, r]) =>
        (r.Properties.PolicyDocument as { Statement: (Statement & Record<string, unknown>)[] }).Statement,
    );

    expect(statements.filter((s) => s.Effect === "Allow")).toEqual([
      {
        Effect: "Allow",
        Action: "s3:GetObject",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Resource: { "Fn::Join": ["", [bucketArn(), "/*"]] },
        Condition: { StringEquals: { "AWS:SourceArn": distributionArn() } },
      },
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
  });
});

describe("Dashboard distribution", () => {
  it("reaches the bucket through an origin access control of type s3 that always signs (sigv4), with no OAI", () => {
    const controls = resourcesOfType(fixture, "AWS::CloudFront::OriginAccessControl");
    const [id, control] = controls[0] ?? [];

    expect(controls).toHaveLength(1);
    expect(control?.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: "s3",
      SigningBehavior: "always",
      SigningProtocol: "sigv4",
    });
    expect(s3Origin.OriginAccessControlId).toEqual({ "Fn::GetAtt": [id, "Id"] });
    expect(s3Origin.S3OriginConfig?.OriginAccessIdentity ?? "").toBe("");
  });

  it("serves the dashboard by default from S3: redirect to HTTPS, CachingOptimized, compressed, index.html at /", () => {
    expect(config.DefaultCacheBehavior).toMatchObject({
      TargetOriginId: s3Origin.Id,
      ViewerProtocolPolicy: "redirect-to-https",
      CachePolicyId: CachePolicy.CACHING_OPTIMIZED.cachePolicyId,
      Compress: true,
    });
    expect(config.DefaultRootObject).toBe("index.html");
  });

  it("sends security headers with the dashboard: a CSP of its own scripts and API calls (inline styles for Mantine), HSTS, nosniff, DENY", () => {
    const policyRef = config.DefaultCacheBehavior.ResponseHeadersPolicyId as { Ref: string };
    const policy = fixture.resources[policyRef.Ref] as CfnResource;
    const headers = (
      policy.Properties.ResponseHeadersPolicyConfig as {
        SecurityHeadersConfig: Record<string, unknown> & {
          ContentSecurityPolicy: { ContentSecurityPolicy: string };
        };
      }
    ).SecurityHeadersConfig;
    const csp = Object.fromEntries(
      String(headers.ContentSecurityPolicy.ContentSecurityPolicy)
        .split(";")
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values.join(" ")]),
    );

    expect(csp).toMatchObject({
      "default-src": "'self'",
      "script-src": "'self'",
      "connect-src": "'self'",
      "style-src": "'self' 'unsafe-inline'",
      "frame-ancestors": "'none'",
    });
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: "DENY" },
    });
  });

  it("reaches the HTTP API at its execute-api domain, over HTTPS (TLS 1.2) only", () => {
    const apiId = logicalIdOf(fixture, fixture.stack.http.httpApi);

    expect(apiOrigin.DomainName).toEqual({
      "Fn::Join": [
        "",
        [{ Ref: apiId }, ".execute-api.", { Ref: "AWS::Region" }, ".", { Ref: "AWS::URLSuffix" }],
      ],
    });
    expect(apiOrigin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: "https-only",
      OriginSSLProtocols: ["TLSv1.2"],
    });
  });

  it.each([...API_PATH_PATTERNS])(
    "sends %s to the API uncached, with every method and every viewer header but Host",
    (pattern) => {
      const behavior = config.CacheBehaviors?.find((b) => b.PathPattern === pattern);

      expect(behavior).toMatchObject({
        TargetOriginId: apiOrigin.Id,
        ViewerProtocolPolicy: "https-only",
        CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
        OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
      });
      expect([...(behavior?.AllowedMethods ?? [])].sort()).toEqual([
        "DELETE",
        "GET",
        "HEAD",
        "OPTIONS",
        "PATCH",
        "POST",
        "PUT",
      ]);
    },
  );

  it("has a cache behaviour for the API paths and no other", () => {
    expect((config.CacheBehaviors ?? []).map((b) => b.PathPattern).sort()).toEqual(
      [...API_PATH_PATTERNS].sort(),
    );
  });

  it("covers every path the API and the event API answer, and none of the dashboard's files", () => {
    const paths = apiPaths();

    expect(paths).toEqual(expect.arrayContaining(["/e/{eventKey}", "/fn/register", "/v0/gql", "/dev"]));
    expect(paths.filter((p) => !routedToApi(p.replace(/\{[^}]+\}/g, "x")))).toEqual([]);
    expect(["/", "/index.html", "/assets/index-4f2a9c.js", "/favicon.svg"].filter(routedToApi)).toEqual([]);
  });

  it("splits paths as tideline dev does (isApiPath agrees with CloudFront's matching)", () => {
    const samples = [
      ...apiPaths().map((p) => p.replace(/\{[^}]+\}/g, "x")),
      ...["/", "/index.html", "/assets/a.js", "/dev/x", "/devices", "/e", "/v1", "/v2/x", "/healthz"],
    ];
    expect(samples.filter((p) => isApiPath(p) !== routedToApi(p))).toEqual([]);
  });

  it("names its origin access control and headers policy after the stack and the region (CloudFront names are account-wide)", () => {
    const names = [
      ...resourcesOfType(fixture, "AWS::CloudFront::OriginAccessControl").map(
        ([, r]) => (r.Properties.OriginAccessControlConfig as { Name: unknown }).Name,
      ),
      ...resourcesOfType(fixture, "AWS::CloudFront::ResponseHeadersPolicy").map(
        ([, r]) => (r.Properties.ResponseHeadersPolicyConfig as { Name: unknown }).Name,
      ),
    ];

    expect(names).toHaveLength(2);
    for (const name of names) {
      expect(name).toEqual({
        "Fn::Join": ["", [expect.stringMatching(/^Tideline\w*-[a-z]+-$/), { Ref: "AWS::Region" }]],
      });
    }
  });

  it("maps no error to index.html, so the API's 403s and 404s reach the caller", () => {
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it("outputs the dashboard URL", () => {
    const outputs = (fixture.template.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    const distributionId = logicalIdOf(fixture, fixture.stack.dashboard.distribution);

    expect(outputs.DashboardUrl?.Value).toEqual({
      "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }]],
    });
  });
});

describe("Dashboard deployment", () => {
  it("copies the build into the bucket with a BucketDeployment, pruning old files and invalidating /index.html", () => {
    const deployments = resourcesOfType(fixture, "Custom::CDKBucketDeployment");

    expect(deployments).toHaveLength(1);
    expect(deployments[0]?.[1].Properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: logicalIdOf(fixture, fixture.stack.dashboard.distribution) },
      DistributionPaths: ["/index.html"],
      Prune: true,
      SourceObjectKeys: [expect.stringMatching(/\.zip$/)],
    });
  });

  it("lets the deployment handler invalidate this distribution only", () => {
    const statements = Object.values(fixture.resources)
      .filter((r) => r.Type === "AWS::IAM::Policy")
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => JSON.stringify(s.Action).includes("cloudfront:"));

    expect(statements).toEqual([
      {
        Effect: "Allow",
        Action: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
        Resource: distributionArn(),
      },
    ]);
  });

  it("acknowledges exactly the cdk-nag findings it cannot fix, each with a reason", () => {
    const { dashboard } = fixture.stack;
    const acknowledged = [...acknowledgements(dashboard), ...acknowledgements(dashboard.deploymentHandler)];
    const ids = acknowledged.map(([id]) => id.replace(/^Annotation::/, "")).sort();

    expect(ids).toEqual(
      [
        "AwsSolutions-S1",
        "AwsSolutions-CFR1",
        "AwsSolutions-CFR2",
        "AwsSolutions-CFR3",
        "AwsSolutions-CFR4",
        "AwsSolutions-IAM5[Action::s3:Abort*]",
        "AwsSolutions-IAM5[Action::s3:DeleteObject*]",
        "AwsSolutions-IAM5[Action::s3:GetBucket*]",
        "AwsSolutions-IAM5[Action::s3:GetObject*]",
        "AwsSolutions-IAM5[Action::s3:List*]",
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
        "AwsSolutions-L1",
        "Serverless-LambdaDLQ",
        "Serverless-LambdaLatestVersion",
        "Serverless-LambdaTracing",
      ].sort(),
    );
    expect(unexplained(acknowledged)).toEqual([]);
  });
});

describe("Dashboard build", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "tideline-dashboard-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("is the repository's dashboard/dist unless the stack is given another", () => {
    expect(DEFAULT_DASHBOARD_DIR).toBe(resolve(ROOT, "dashboard/dist"));
  });

  it("refuses to synthesize without index.html, saying to build the dashboard first", () => {
    const empty = tempDir();

    expect(() => new TidelineStack(newApp({ bundle: false }), "NoBuild", { dashboardDir: empty })).toThrow(
      /index\.html.*npm run build:dashboard/,
    );
  });

  it("deploys the build it is given", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>other build</title>");
    const other = synthesize({ dashboardDir: dir }, { bundle: false, id: "OtherBuild" });
    const keyOf = (s: Synthesized) =>
      resourcesOfType(s, "Custom::CDKBucketDeployment").flatMap(
        ([, r]) => r.Properties.SourceObjectKeys as string[],
      )[0];

    expect(keyOf(other)).toMatch(/\.zip$/);
    expect(keyOf(other)).not.toBe(keyOf(fixture));
  });
});

/**
 * Every path the HTTP API answers, read from the sources: the manifest's http routes
 * (shared/resources.ts, `$default` aside) and every `path: "/…"` of the API Lambda's route tables
 * (lambdas/api.ts, shared/core/api/rest/).
 */
function apiPaths(): string[] {
  const manifest = Object.values(FUNCTIONS).flatMap((spec) =>
    spec.source.kind === "http"
      ? spec.source.routes.filter((r) => r !== "$default").map((r) => r.split(" ")[1] ?? r)
      : [],
  );
  const restDir = join(ROOT, "shared/core/api/rest");
  const files = [join(ROOT, "lambdas/api.ts"), ...readdirSync(restDir).map((f) => join(restDir, f))];
  const routed = files
    .filter((f) => f.endsWith(".ts"))
    .flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\bpath:\s*"(\/[^"]*)"/g)].map((m) => m[1] ?? ""));
  return [...new Set([...manifest, ...routed])].sort();
}

/** True when a CloudFront path pattern of the API matches `path` (`*` any characters, `?` one). */
function routedToApi(path: string): boolean {
  return API_PATH_PATTERNS.some((pattern) => {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    return new RegExp(`^${source}$`).test(path);
  });
}
