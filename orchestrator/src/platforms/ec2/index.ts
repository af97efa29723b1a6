// The ec2 platform, described once: an existing fleet behind an ALB/ELB target group, its flags
// (which fleet, balancer, endpoint; how a crash is made) and the plan section they resolve to.
import type { FlagValue, PlatformDescriptor } from "../types.ts";
import { type Ec2Options, type Ec2Section, ec2SectionFromOptions, ec2SectionSchema } from "./ec2-plan.ts";
import { Ec2Platform } from "./ec2-platform.ts";

const flags = {
  region: { type: "string" },
  "ec2-filter": { type: "string", multiple: true },
  "target-group-arn": { type: "string" },
  "lb-url": { type: "string" },
  "aws-endpoint": { type: "string" },
  "ec2-crash": { type: "string" },
} as const;

const help = `  With --platform ec2 (credentials from the AWS SDK's default chain; only instances tagged
  failover-harness=allowed are ever touched; --instances must equal the fleet's size):
  --region NAME         AWS region (default $AWS_REGION)
  --ec2-filter F        NAME=VALUE, e.g. tag:aws:cloudformation:stack-name=failover-fleet;
                        repeatable (required): the matching instances, by id, are app-1..app-N
  --target-group-arn A  the target group whose health is the balancer's view (required)
  --lb-url URL          the load balancer's URL, where the load engine sends load
  --aws-endpoint URL    an emulator's endpoint (moto) instead of AWS's
  --ec2-crash MODE      crash as stop (StopInstances with Force, the default) or reboot`;

function ec2Options(values: Record<string, FlagValue>): Ec2Options {
  const str = (k: keyof typeof flags) => values[k] as string | undefined;
  return {
    region: str("region"),
    filters: values["ec2-filter"] as string[] | undefined,
    targetGroupArn: str("target-group-arn"),
    lbUrl: str("lb-url"),
    awsEndpoint: str("aws-endpoint"),
    crashMode: str("ec2-crash"),
  };
}

export const ec2Descriptor: PlatformDescriptor = {
  remoteLoad: true,
  name: "ec2",
  summary: "an existing EC2 fleet behind an ALB/ELB target group",
  flags,
  help,
  optionsFromFlags: (values, env) => ec2SectionFromOptions(ec2Options(values), env),
  unappliedOptions: (plan) => [
    `--health ${plan.health} does not apply on ec2: the target group's own health check, deregistration delay and stickiness decide; run.json records those (balancer)`,
    ...(plan.storePersistence && plan.storePersistence !== "none"
      ? [
          `--store-persistence ${plan.storePersistence} does not apply on ec2: the stack's store is what it is (ElastiCache keeps no append-only file for Redis 7)`,
        ]
      : []),
  ],
  optionsSchema: ec2SectionSchema,
  create: (plan, _runDir, options) => new Ec2Platform(plan, options as Ec2Section),
};
