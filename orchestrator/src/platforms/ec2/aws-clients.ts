// The EC2 and ELBv2 clients (credentials from the SDK's default chain), with a middleware that
// reports every call, its input and outcome, to the run's event log. Inputs never hold credentials.
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ApiCall } from "../types.ts";
import type { Ec2Section } from "./ec2-plan.ts";

export interface AwsClients {
  ec2: EC2Client;
  elb: ElasticLoadBalancingV2Client;
}

type Recorder = (call: ApiCall) => void;

interface CallContext {
  commandName?: string;
}

/** A middleware that times one call and reports it (also when it fails), then passes its result on. */
function recordingMiddleware(service: string, record: Recorder) {
  return <A extends { input: object }, R>(next: (args: A) => Promise<R>, context: CallContext) =>
    async (args: A): Promise<R> => {
      const started = Date.now();
      const input = JSON.parse(JSON.stringify(args.input)) as Record<string, unknown>;
      const command = (context.commandName ?? "unknown").replace(/Command$/, "");
      try {
        const output = await next(args);
        record({ t: Date.now(), service, command, input, ok: true, ms: Date.now() - started });
        return output;
      } catch (err) {
        const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        record({ t: Date.now(), service, command, input, ok: false, ms: Date.now() - started, error });
        throw err;
      }
    };
}

export function createAwsClients(section: Ec2Section, record: Recorder): AwsClients {
  const config = {
    region: section.region,
    ...(section.awsEndpoint ? { endpoint: section.awsEndpoint } : {}),
    maxAttempts: 5,
  };
  const ec2 = new EC2Client(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const options = { step: "initialize", name: "failoverHarnessRecordCall" } as const;
  ec2.middlewareStack.add(recordingMiddleware("ec2", record), options);
  elb.middlewareStack.add(recordingMiddleware("elbv2", record), options);
  return { ec2, elb };
}
