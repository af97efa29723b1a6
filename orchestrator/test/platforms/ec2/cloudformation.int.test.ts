// infra/cloudformation/failover-fleet.yaml: cfn-lint passes it (and fails a broken copy, so the
// check is real), and it holds what the ec2 platform relies on: the opt-in tag on every instance,
// the session table's layout, /ping.html health checks, and the least IAM policy on the table.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, type Tags } from "yaml";
import { cfnLintPath } from "../../../../tools/tool-paths.mjs";
import { strategyUnits } from "../../../src/strategies/index.ts";
import { repoRoot } from "../../helpers/run-cli.ts";

const template = join(repoRoot, "infra/cloudformation/failover-fleet.yaml");
const lint = cfnLintPath();
const missing = existsSync(lint) ? null : `no cfn-lint at ${lint} (node tools/setup.mjs moto installs it)`;
if (missing) console.warn(`SKIPPED cfn-lint of the CloudFormation template: ${missing}`);

/** CloudFormation's short-form functions (!Ref, !Sub, ...) read as plain { "Fn": value } objects. */
const cfnTags: Tags = [
  "Ref",
  "Sub",
  "GetAtt",
  "If",
  "Equals",
  "Not",
  "And",
  "Condition",
  "Base64",
  "Select",
  "GetAZs",
  "Join",
  "Split",
].flatMap(
  (name) =>
    (["scalar", "seq", "map"] as const).map((nodeKind) => ({
      tag: `!${name}`,
      collection: nodeKind === "scalar" ? undefined : nodeKind,
      resolve: (value: unknown) => ({
        [name]: value instanceof Object && "toJSON" in value ? (value as { toJSON(): unknown }).toJSON() : value,
      }),
    })) as unknown as Tags,
);

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

function resources(): Record<string, Resource> {
  return (parse(readFileSync(template, "utf8"), { customTags: cfnTags }) as { Resources: Record<string, Resource> })
    .Resources;
}

describe.skipIf(missing !== null)("the CloudFormation template under cfn-lint", () => {
  it("passes cfn-lint", () => {
    const r = spawnSync(lint, [template], { encoding: "utf8", timeout: 120_000 });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });

  it("fails a broken copy (the check is real)", () => {
    const broken = join(mkdtempSync(join(tmpdir(), "fh-cfn-")), "broken.yaml");
    writeFileSync(broken, readFileSync(template, "utf8").replace("BillingMode: PAY_PER_REQUEST", "BillingMode: FREE"));
    const r = spawnSync(lint, [broken], { encoding: "utf8", timeout: 120_000 });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("FREE");
  });
});

describe("what the template holds", () => {
  const all = resources();
  const byType = (type: string) => Object.values(all).filter((r) => r.Type === type);

  it("tags every instance of the Auto Scaling group failover-harness=allowed, 2 or more of them", () => {
    const [asg] = byType("AWS::AutoScaling::AutoScalingGroup");
    expect(asg?.Properties.Tags).toContainEqual({ Key: "failover-harness", Value: "allowed", PropagateAtLaunch: true });
    expect(asg?.Properties.MinSize).toEqual({ Ref: "InstanceCount" });
    const doc = parse(readFileSync(template, "utf8"), { customTags: cfnTags }) as {
      Parameters: Record<string, { MinValue?: number }>;
    };
    expect(doc.Parameters.InstanceCount?.MinValue).toBe(2);
  });

  it("lays the session table out as the store expects: hash key id, TTL on expires, on demand", () => {
    const [table] = byType("AWS::DynamoDB::Table");
    expect(table?.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      TimeToLiveSpecification: { AttributeName: "expires", Enabled: true },
    });
  });

  it("grants the instances only the four item operations on that table", () => {
    const [role] = byType("AWS::IAM::Role");
    const policies = role?.Properties.Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[];
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
    const dynamo = statements.filter((s) => JSON.stringify(s.Action).includes("dynamodb:"));
    expect(dynamo).toEqual([
      {
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        Resource: { GetAtt: "SessionsTable.Arn" },
      },
    ]);
    expect(JSON.stringify(statements)).not.toContain("*");
  });

  it("has no 0.0.0.0/0 default for who may reach the balancer", () => {
    const doc = parse(readFileSync(template, "utf8"), { customTags: cfnTags }) as {
      Parameters: Record<string, { Default?: unknown }>;
    };
    expect(doc.Parameters.AllowedCidr).toBeDefined();
    expect(doc.Parameters.AllowedCidr?.Default).toBeUndefined();
    expect(readFileSync(template, "utf8")).not.toMatch(/Default: 0\.0\.0\.0\/0/);
  });

  it("adds an HTTPS listener only with a certificate, and then the app's cookie is Secure behind one proxy", () => {
    const text = readFileSync(template, "utf8");
    const doc = parse(text, { customTags: cfnTags }) as {
      Parameters: Record<string, { Default?: unknown }>;
      Conditions: Record<string, unknown>;
    };
    expect(doc.Parameters.CertificateArn?.Default).toBe("");
    expect(doc.Conditions.HasCertificate).toEqual({ Not: [{ Equals: [{ Ref: "CertificateArn" }, ""] }] });
    const https = all.HttpsListener as Resource & { Condition?: string };
    expect(https.Condition).toBe("HasCertificate");
    expect(https.Properties).toMatchObject({
      Port: 443,
      Protocol: "HTTPS",
      Certificates: [{ CertificateArn: { Ref: "CertificateArn" } }],
    });
    expect(text).toContain("TRUST_PROXY=1");
    expect(text).toMatch(/COOKIE_SECURE=\$\{CookieSecure\}/);
    expect(text).toMatch(/CookieSecure: !If \[HasCertificate, "true", "false"\]/);
  });

  it("lets SessionStore name the store of every strategy, and only those", () => {
    const doc = parse(readFileSync(template, "utf8"), { customTags: cfnTags }) as {
      Parameters: Record<string, { AllowedValues?: string[] }>;
    };
    const stores = [...new Set(strategyUnits.map((s) => s.sessionStore))].sort();
    expect([...(doc.Parameters.SessionStore?.AllowedValues ?? [])].sort()).toEqual(stores);
  });

  it("creates the ElastiCache replication group only for SessionStore redis, over TLS, reachable from the instances only", () => {
    const text = readFileSync(template, "utf8");
    const doc = parse(text, { customTags: cfnTags }) as {
      Parameters: Record<string, { AllowedValues?: unknown[]; Default?: unknown }>;
      Conditions: Record<string, unknown>;
      Outputs: Record<string, { Condition?: string }>;
    };
    expect(doc.Parameters.SessionStore?.AllowedValues).toEqual(["dynamodb", "dynamodb-locking", "disk", "redis"]);
    expect(doc.Parameters.SessionStore?.Default).toBe("dynamodb");
    expect(doc.Conditions.UseRedis).toEqual({ Equals: [{ Ref: "SessionStore" }, "redis"] });
    const cache = all.SessionCache as Resource & { Condition?: string };
    expect(cache.Type).toBe("AWS::ElastiCache::ReplicationGroup");
    expect(cache.Condition).toBe("UseRedis");
    expect(cache.Properties).toMatchObject({ Engine: "redis", TransitEncryptionEnabled: true, Port: 6379 });
    for (const name of ["CacheSubnetGroup", "CacheSecurityGroup"]) {
      expect((all[name] as Resource & { Condition?: string }).Condition).toBe("UseRedis");
    }
    expect(all.CacheSecurityGroup?.Properties.SecurityGroupIngress).toEqual([
      { IpProtocol: "tcp", FromPort: 6379, ToPort: 6379, SourceSecurityGroupId: { Ref: "InstanceSecurityGroup" } },
    ]);
    // The app gets the primary's endpoint over TLS (rediss://), empty for the other stores.
    expect(text).toMatch(/REDIS_URL=\$\{RedisUrl\}/);
    expect(text).toMatch(
      /rediss:\/\/\$\{SessionCache\.PrimaryEndPoint\.Address\}:\$\{SessionCache\.PrimaryEndPoint\.Port\}/,
    );
    expect(doc.Outputs.SessionCacheEndpoint?.Condition).toBe("UseRedis");
  });

  it("checks health on /ping.html and switches stickiness by a parameter", () => {
    const [group] = byType("AWS::ElasticLoadBalancingV2::TargetGroup");
    expect(group?.Properties.HealthCheckPath).toBe("/ping.html");
    expect(group?.Properties.TargetGroupAttributes).toContainEqual({
      Key: "stickiness.enabled",
      Value: { Ref: "Stickiness" },
    });
  });
});
