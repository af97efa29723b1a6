// Pure rules of the ec2 platform: which discovered instance is app-N, what a plan may touch (the
// opt-in guard), and how ELBv2 target health reads as the balancer's UP/DOWN.
import type { Instance, Reservation } from "@aws-sdk/client-ec2";
import type { TargetHealthStateEnum } from "@aws-sdk/client-elastic-load-balancing-v2";
import { walkPlan } from "../../faults/walk.ts";
import { instanceId, instanceIds } from "../../plan/instances.ts";
import type { Plan } from "../../plan/plan.ts";
import type { BalancerSettings, InstanceOp, LbServerState, LbStatus, PlatformStep } from "../types.ts";
import { optInTag } from "./ec2-plan.ts";

export interface Ec2Member {
  /** "app-1", ...: the position of the instance id in sorted order. */
  slot: string;
  instanceId: string;
  /** The instance's Name tag, when it has one (for messages). */
  name?: string;
  state: string;
  optedIn: boolean;
  privateIp?: string;
}

/** States of an instance that can still be part of the fleet (terminated ones are gone). */
export const liveStates = ["pending", "running", "stopping", "stopped"];

export function hasOptInTag(instance: Instance): boolean {
  return (instance.Tags ?? []).some((t) => t.Key === optInTag.key && t.Value === optInTag.value);
}

export function memberLabel(m: Pick<Ec2Member, "slot" | "instanceId" | "name">): string {
  return `${m.slot} = ${m.instanceId}${m.name ? ` (${m.name})` : ""}`;
}

/** The fleet: live instances matching the filters, sorted by instance id, numbered app-1..app-N. */
export function fleetFromReservations(reservations: readonly Reservation[]): Ec2Member[] {
  const instances = reservations
    .flatMap((r) => r.Instances ?? [])
    .filter((i) => i.InstanceId && liveStates.includes(i.State?.Name ?? ""));
  const unique = [...new Map(instances.map((i) => [i.InstanceId!, i])).values()];
  unique.sort((a, b) => (a.InstanceId! < b.InstanceId! ? -1 : a.InstanceId! > b.InstanceId! ? 1 : 0));
  return unique.map((i, n) => toMember(instanceId(n + 1), i));
}

export function toMember(slot: string, i: Instance): Ec2Member {
  const name = i.Tags?.find((t) => t.Key === "Name")?.Value;
  return {
    slot,
    instanceId: i.InstanceId!,
    ...(name ? { name } : {}),
    state: i.State?.Name ?? "unknown",
    optedIn: hasOptInTag(i),
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
  };
}

/** One primitive step a plan's fault would take, found by walking the real fault unit. */
export interface PlannedStep {
  fault: number;
  action: string;
  step: PlatformStep;
}

/**
 * Walks every fault of the plan with the real fault units (faults/walk.ts, as --dry-run does),
 * so the guard sees exactly the instances and operations a run would touch.
 */
export async function plannedSteps(plan: Plan): Promise<PlannedStep[]> {
  const slots = instanceIds(plan.instances).map((id) => ({ id, url: "" }));
  return (await walkPlan(plan, slots)).flatMap(({ index, fault, steps }) =>
    steps.map((step) => ({ fault: index, action: fault.action, step })),
  );
}

/**
 * Problems that refuse a plan whatever the fleet is: operations EC2 cannot do (`unsupported`: why
 * not, from the platform's table of operations; undefined when it can).
 */
export function unsupportedProblems(
  plan: Plan,
  steps: readonly PlannedStep[],
  unsupported: (op: InstanceOp) => string | undefined,
): string[] {
  const problems = new Set<string>();
  for (const { fault, action, step } of steps) {
    const where = `plan.faults[${fault}] ${action} ${plan.faults[fault]?.target}`;
    if (step.kind === "store") {
      problems.add(
        `${where}: not supported on ec2: the harness has no control over the DynamoDB table (store-down/store-up)`,
      );
    } else if (step.kind === "instance" && unsupported(step.op)) {
      problems.add(`${where}: not supported on ec2: ${unsupported(step.op)}`);
    }
  }
  return [...problems];
}

/**
 * The opt-in guard, after discovery and before any mutating call: the plan's size must be the
 * fleet's, and every instance a step would touch must carry the opt-in tag.
 */
export function guardProblems(plan: Plan, steps: readonly PlannedStep[], fleet: readonly Ec2Member[]): string[] {
  const list = fleet.map((m) => `${memberLabel(m)}${m.optedIn ? "" : " [not opted in]"}`).join(", ");
  if (fleet.length === 0) return ["no live instance matches the filters"];
  const problems: string[] = [];
  if (plan.instances !== fleet.length) {
    problems.push(
      `the filters match ${fleet.length} instances (${list}) but the plan has ${plan.instances}: pass --instances ${fleet.length}`,
    );
  }
  const named = new Set<string>();
  for (const { fault, action, step } of steps) {
    if (step.kind !== "instance") continue;
    const key = `${fault}/${step.id}`;
    if (named.has(key)) continue;
    named.add(key);
    const member = fleet.find((m) => m.slot === step.id);
    const where = `plan.faults[${fault}] ${action} ${plan.faults[fault]?.target}`;
    if (!member) {
      problems.push(`${where}: ${step.id} is not in the fleet (${list})`);
    } else if (!member.optedIn) {
      problems.push(
        `${where}: refusing to touch ${memberLabel(member)}: it does not carry the opt-in tag ${optInTag.key}=${optInTag.value}`,
      );
    }
  }
  return problems;
}

/** ELBv2 target health as the balancer's view: only `healthy` takes traffic. */
export function lbStatusOf(state: TargetHealthStateEnum | string | undefined): LbStatus {
  switch (state) {
    case "healthy":
      return "UP";
    case "initial":
    case "unhealthy":
    case "unhealthy.draining":
    case "draining":
    case "unused":
      return "DOWN";
    default:
      // "unavailable" (health checks off) or anything new: the balancer's view is not known.
      return "UNKNOWN";
  }
}

/** Each slot's state from DescribeTargetHealth; a slot whose instance is not registered is DOWN. */
export function lbStatesFromTargetHealth(
  fleet: readonly Ec2Member[],
  health: readonly { Target?: { Id?: string }; TargetHealth?: { State?: string } }[],
): Map<string, LbServerState> {
  const byInstance = new Map(health.map((h) => [h.Target?.Id, h.TargetHealth?.State]));
  return new Map(
    fleet.map((m) => [
      m.slot,
      { status: byInstance.has(m.instanceId) ? lbStatusOf(byInstance.get(m.instanceId)) : "DOWN", inFlight: 0 },
    ]),
  );
}

/**
 * A target group's settings as the balancer record holds them (pure): its health check, its
 * deregistration delay and its stickiness (the ALB's `AWSALB` cookie for `lb_cookie`, the
 * application's own cookie for `app_cookie`). AWS's defaults where a field is missing.
 */
export function targetGroupSettings(
  arn: string,
  group: {
    HealthCheckIntervalSeconds?: number;
    HealthCheckTimeoutSeconds?: number;
    HealthyThresholdCount?: number;
    UnhealthyThresholdCount?: number;
  },
  attributes: readonly { Key?: string; Value?: string }[],
): BalancerSettings {
  const attr = new Map(attributes.map((a) => [a.Key, a.Value]));
  const seconds = (key: string, fallback: number) => Number(attr.get(key) ?? fallback);
  const sticky = attr.get("stickiness.enabled") === "true";
  const type = attr.get("stickiness.type") ?? "lb_cookie";
  return {
    source: `target group ${arn}`,
    intervalMs: (group.HealthCheckIntervalSeconds ?? 30) * 1000,
    timeoutMs: (group.HealthCheckTimeoutSeconds ?? 5) * 1000,
    fall: group.UnhealthyThresholdCount ?? 2,
    rise: group.HealthyThresholdCount ?? 5,
    drainTimeoutMs: seconds("deregistration_delay.timeout_seconds", 300) * 1000,
    stickyCookie: !sticky
      ? null
      : type === "app_cookie"
        ? { name: attr.get("stickiness.app_cookie.cookie_name") ?? "(application cookie)" }
        : { name: "AWSALB", maxAgeS: seconds("stickiness.lb_cookie.duration_seconds", 86_400) },
  };
}
