// Test fixture: a small fleet inside moto (VPC, subnet, instances, a target group with them
// registered), plus the plan that points the ec2 platform at it. Dummy credentials only.
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll } from "vitest";
import { type Fault, type Plan, validatePlan } from "../../../src/plan/plan.ts";
import { optInTag } from "../../../src/platforms/ec2/ec2-plan.ts";
import { planFromOptions } from "../../../src/run/plan-from-options.ts";
import { type MotoServer, startMoto } from "../../helpers/moto-server.ts";

export const region = "us-east-1";

/** Fake credentials for moto, distinctive so a test can prove they never reach run.json or logs. */
export const dummyCredentials = {
  AWS_ACCESS_KEY_ID: "AKIAFHTESTONLY000001",
  AWS_SECRET_ACCESS_KEY: "fh-test-secret-never-logged-7f3a9c",
  AWS_EC2_METADATA_DISABLED: "true",
};

export function useDummyCredentials(): void {
  Object.assign(process.env, dummyCredentials);
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}

/** moto for the enclosing describe block, with dummy credentials: started before its tests, stopped after. */
export function motoForSuite(): { endpoint(): string } {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    useDummyCredentials();
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  return {
    endpoint: () => {
      if (!moto) throw new Error("moto is not running");
      return moto.endpoint;
    },
  };
}

export function clients(endpoint: string) {
  const config = { region, endpoint };
  return { ec2: new EC2Client(config), elb: new ElasticLoadBalancingV2Client(config) };
}

export interface MotoFleet {
  /** The value of the fleet's `fleet` tag (one per test, so fleets do not mix). */
  tag: string;
  targetGroupArn: string;
  vpcId: string;
  subnetId: string;
  imageId: string;
  /** All instances matching the filter, sorted by id: index i is app-(i+1). */
  instanceIds: string[];
  /** The one instance without the opt-in tag, if any. */
  notOptedIn?: string;
}

/** Creates `optedIn` tagged instances and `others` that match the filter but lack the opt-in tag. */
export async function makeFleet(endpoint: string, tag: string, optedIn: number, others = 0): Promise<MotoFleet> {
  const { ec2, elb } = clients(endpoint);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.1.0/24" }))).Subnet!
    .SubnetId!;
  const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images![0]!.ImageId!;
  const launch = async (count: number, withOptIn: boolean) => {
    if (count === 0) return [];
    const tags = [
      { Key: "fleet", Value: tag },
      { Key: "Name", Value: `${tag}-${withOptIn ? "app" : "other"}` },
      ...(withOptIn ? [{ Key: optInTag.key, Value: optInTag.value }] : []),
    ];
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: "t3.micro",
        MinCount: count,
        MaxCount: count,
        SubnetId: subnetId,
        TagSpecifications: [{ ResourceType: "instance", Tags: tags }],
      }),
    );
    return out.Instances!.map((i) => i.InstanceId!);
  };
  const tagged = await launch(optedIn, true);
  const untagged = await launch(others, false);
  const instanceIds = [...tagged, ...untagged].sort();
  const targetGroupArn = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: `tg-${tag}`.slice(0, 32),
        Protocol: "HTTP",
        Port: 80,
        VpcId: vpcId,
        TargetType: "instance",
        HealthCheckPath: "/ping.html",
      }),
    )
  ).TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: instanceIds.map((Id) => ({ Id })) }),
  );
  return {
    tag,
    targetGroupArn,
    vpcId,
    subnetId,
    imageId,
    instanceIds,
    ...(untagged[0] ? { notOptedIn: untagged[0] } : {}),
  };
}

/** Each instance's state, by id. */
export async function states(endpoint: string, ids: readonly string[]): Promise<Record<string, string>> {
  const out = await clients(endpoint).ec2.send(new DescribeInstancesCommand({ InstanceIds: [...ids] }));
  const result: Record<string, string> = {};
  for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
    result[i.InstanceId!] = i.State?.Name ?? "unknown";
  }
  return result;
}

/** The slot ("app-N") of an instance id in the fleet's order. */
export function slotOf(fleet: MotoFleet, instanceId: string): string {
  return `app-${fleet.instanceIds.indexOf(instanceId) + 1}`;
}

/** A validated ec2 plan against the fixture fleet, with fast polling for the emulator. */
export function fleetPlan(
  endpoint: string,
  fleet: MotoFleet,
  faults: Fault[],
  extra: { crashMode?: string; outDir?: string } = {},
): Plan {
  const base = planFromOptions(
    {
      strategy: "dynamodb",
      platform: "ec2",
      instances: String(fleet.instanceIds.length),
      duration: "10s",
      seed: "1",
      faults: false,
      load: false,
      runId: `ec2-${fleet.tag}`,
      ...(extra.outDir ? { out: extra.outDir } : {}),
    },
    {
      region,
      "ec2-filter": [`tag:fleet=${fleet.tag}`],
      "target-group-arn": fleet.targetGroupArn,
      "aws-endpoint": endpoint,
      "ec2-crash": extra.crashMode,
    },
  );
  return validatePlan({
    ...base,
    faults,
    faultSource: "test",
    platformOptions: { ...base.platformOptions, pollIntervalMs: 200, waitTimeoutMs: 20_000, replaceTimeoutMs: 20_000 },
  });
}
