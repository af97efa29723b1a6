// The plan's ec2 section (which fleet, balancer, endpoint; how a crash is made), resolved from the
// ec2 flags and validated with the rest of the plan. It never holds credentials: those come from
// the AWS SDK's default chain at run time.
import { z } from "zod";
import { InputError } from "../../errors.ts";

/** Whatever the filters select, only instances carrying this tag are ever touched. */
export const optInTag = { key: "failover-harness", value: "allowed" } as const;

export const crashModes = ["stop", "reboot"] as const;

/** A URL without user name or password in it (they would end up in run.json). */
const plainUrl = z.url({ protocol: /^https?$/ }).refine((text) => {
  const url = new URL(text);
  return url.username === "" && url.password === "";
}, "must not carry credentials");

/** Loopback hosts, where plain http never leaves the machine (moto, LocalStack on this host). */
const isLoopbackHost = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);

/** Signed AWS requests (the access key id, the signed headers, every input) go over TLS unless they stay on this host. */
export const isSafeAwsEndpoint = (text: string): boolean => {
  const url = new URL(text);
  return url.protocol === "https:" || isLoopbackHost(url.hostname);
};

const filterSchema = z.strictObject({
  /** An EC2 DescribeInstances filter name: "tag:Name", "tag:aws:cloudformation:stack-name", "instance-type", ... */
  name: z.string().regex(/^[A-Za-z0-9][^=]*$/),
  /** Any of these values (EC2's semantics: values OR, filters AND). */
  values: z.array(z.string().min(1)).min(1),
});
export type Ec2Filter = z.infer<typeof filterSchema>;

export const ec2SectionSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as "eu-west-1"'),
  filters: z.array(filterSchema).min(1),
  /** The ALB/ELB target group whose health is the balancer's view of each instance. */
  targetGroupArn: z.string().regex(/^arn:aws[a-z-]*:elasticloadbalancing:/, "expected a target group ARN"),
  /** The balancer's URL, where the load engine sends load (only used when load runs). */
  lbUrl: plainUrl.optional(),
  /** An emulator's endpoint (moto, LocalStack) instead of AWS's own. */
  awsEndpoint: plainUrl.refine(isSafeAwsEndpoint, "plain http only to a loopback address; use https").optional(),
  /** `crash` as StopInstances with Force (the default) or as RebootInstances. */
  crashMode: z.enum(crashModes),
  /** Bound on each wait for an instance state (stopped, running, terminated) or a healthy target. */
  waitTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(30 * 60_000),
  /** Bound on the wait for an Auto Scaling group's replacement of a terminated instance to be healthy. */
  replaceTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(60 * 60_000),
  /** How often state is polled while waiting, and the shortest gap between two target-health reads. */
  pollIntervalMs: z.number().int().min(100).max(60_000),
});
export type Ec2Section = z.infer<typeof ec2SectionSchema>;

/** The ec2 flags as the CLI received them (strings), before validation. */
export interface Ec2Options {
  region?: string;
  /** `--ec2-filter NAME=VALUE`, repeatable; NAME is an EC2 filter name such as `tag:Name`. */
  filters?: string[];
  targetGroupArn?: string;
  lbUrl?: string;
  awsEndpoint?: string;
  crashMode?: string;
}

export const ec2Defaults = {
  crashMode: "stop" as const,
  waitTimeoutMs: 10 * 60_000,
  replaceTimeoutMs: 15 * 60_000,
  pollIntervalMs: 5000,
};

function checkAwsEndpoint(text: string): void {
  let safe: boolean;
  try {
    safe = isSafeAwsEndpoint(text);
  } catch {
    throw new InputError(`--aws-endpoint ${JSON.stringify(text)}: expected a URL such as http://127.0.0.1:5000`);
  }
  if (!safe) {
    throw new InputError(
      `--aws-endpoint ${JSON.stringify(text)}: plain http is refused except to a loopback address (127.0.0.1, [::1], localhost), since signed requests would cross the network unencrypted; expected https://... or a loopback URL`,
    );
  }
}

/** Parses `NAME=VALUE` filters; the same NAME given twice means either value. */
export function parseEc2Filters(texts: readonly string[]): Ec2Filter[] {
  const byName = new Map<string, string[]>();
  for (const text of texts) {
    const eq = text.indexOf("=");
    const name = eq > 0 ? text.slice(0, eq).trim() : "";
    const value = eq > 0 ? text.slice(eq + 1).trim() : "";
    if (!name || !value || !/^[A-Za-z0-9]/.test(name)) {
      throw new InputError(
        `--ec2-filter ${JSON.stringify(text)}: expected NAME=VALUE, e.g. tag:aws:cloudformation:stack-name=failover-fleet`,
      );
    }
    byName.set(name, [...(byName.get(name) ?? []), value]);
  }
  return [...byName].map(([name, values]) => ({ name, values: [...new Set(values)] }));
}

/** The plan's ec2 section from the flags, required flags checked by name. The region falls back to AWS_REGION. */
export function ec2SectionFromOptions(
  options: Ec2Options | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Ec2Section {
  const region = options?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new InputError("--region is required with --platform ec2 (or set AWS_REGION)");
  if (!options?.filters?.length) {
    throw new InputError(
      "--ec2-filter is required with --platform ec2: say which instances make the fleet, e.g. --ec2-filter tag:aws:cloudformation:stack-name=failover-fleet",
    );
  }
  if (!options.targetGroupArn) {
    throw new InputError(
      "--target-group-arn is required with --platform ec2: the balancer's view of each instance comes from its target health",
    );
  }
  if (options.awsEndpoint !== undefined) checkAwsEndpoint(options.awsEndpoint);
  const crashMode = options.crashMode ?? ec2Defaults.crashMode;
  if (!(crashModes as readonly string[]).includes(crashMode)) {
    throw new InputError(`--ec2-crash ${JSON.stringify(crashMode)}: expected one of ${crashModes.join(", ")}`);
  }
  return {
    region,
    filters: parseEc2Filters(options.filters),
    targetGroupArn: options.targetGroupArn,
    ...(options.lbUrl !== undefined ? { lbUrl: options.lbUrl } : {}),
    ...(options.awsEndpoint !== undefined ? { awsEndpoint: options.awsEndpoint } : {}),
    crashMode: crashMode as Ec2Section["crashMode"],
    waitTimeoutMs: ec2Defaults.waitTimeoutMs,
    replaceTimeoutMs: ec2Defaults.replaceTimeoutMs,
    pollIntervalMs: ec2Defaults.pollIntervalMs,
  };
}
