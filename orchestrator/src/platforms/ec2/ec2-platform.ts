// The ec2 platform: an existing fleet behind an ALB/ELB target group, found by filters. Faults are
// EC2 API calls (stop, start, terminate, reboot) with bounded waiters; the balancer's view is the
// target group's health. Only instances tagged failover-harness=allowed are ever touched, checked
// for the whole plan before the first mutating call and again before each one.
import {
  DescribeInstancesCommand,
  type Filter,
  type Instance,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceStopped,
  waitUntilInstanceTerminated,
} from "@aws-sdk/client-ec2";
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { everyServerUp } from "../../balancer/lb-state.ts";
import { HarnessError, InputError } from "../../errors.ts";
import { wipedSinceStart } from "../../faults/walk.ts";
import { formatDuration } from "../../plan/duration.ts";
import type { Plan } from "../../plan/plan.ts";
import { pollUntil } from "../../process/poll.ts";
import { strategyUnit } from "../../strategies/index.ts";
import type {
  ApiCall,
  BalancerSettings,
  InstanceInfo,
  InstanceOp,
  LbServerState,
  Platform,
  PlatformStep,
  SessionAudit,
  StoreOp,
} from "../types.ts";
import { type AwsClients, createAwsClients } from "./aws-clients.ts";
import { type Ec2Section, optInTag } from "./ec2-plan.ts";
import {
  type Ec2Member,
  fleetFromReservations,
  guardProblems,
  hasOptInTag,
  lbStatesFromTargetHealth,
  liveStates,
  memberLabel,
  plannedSteps,
  targetGroupSettings,
  toMember,
  unsupportedProblems,
} from "./fleet.ts";

const json = (value: unknown) => JSON.stringify(value);
const idsOf = (m: Ec2Member) => ({ InstanceIds: [m.instanceId] });

/** One instance operation: what it does, what --dry-run prints for it, and why EC2 cannot do it (if so). */
interface Ec2Op {
  run(m: Ec2Member, signal?: AbortSignal): Promise<void>;
  describe(m: Ec2Member, wiped: boolean): string[];
  unsupported?: string;
}

function unsupported(op: InstanceOp, reason: string): Ec2Op {
  return {
    run: async () => {
      throw new HarnessError(`${op} is not supported on ec2: ${reason}`);
    },
    describe: () => [`(${op} is not supported on ec2)`],
    unsupported: reason,
  };
}

export class Ec2Platform implements Platform {
  readonly name = "ec2";
  /** Every API call made, in order (also reported to the listeners). */
  readonly calls: ApiCall[] = [];
  private readonly listeners: ((call: ApiCall) => void)[] = [];
  private readonly aws: AwsClients;
  private fleet: Ec2Member[] = [];
  private checked = false;
  /** Slots this run stopped and has not started again: down() starts them (restores the fleet). */
  private readonly stoppedByRun = new Set<string>();
  /** Slots whose instance this run terminated: the next start waits for the Auto Scaling group's replacement. */
  private readonly terminated = new Set<string>();
  /** Slots this run took out of the target group (a planned stop): registered again at start and at down. */
  private readonly deregistered = new Set<string>();
  private lastHealth?: { at: number; states: Map<string, LbServerState> };
  private warnedAudit = false;

  constructor(
    readonly plan: Plan,
    private readonly section: Ec2Section,
  ) {
    this.aws = createAwsClients(section, (call) => {
      this.calls.push(call);
      for (const listener of this.listeners) listener(call);
    });
  }

  onApiCall(listener: (call: ApiCall) => void): void {
    this.listeners.push(listener);
  }

  /** Finds the fleet and checks the plan against it; then waits until every target is healthy. */
  async up(signal?: AbortSignal): Promise<void> {
    await this.discoverAndGuard(signal);
    const notRunning = this.fleet.filter((m) => m.state !== "running");
    if (notRunning.length > 0) {
      throw new HarnessError(
        `not every instance is running: ${notRunning.map((m) => `${memberLabel(m)} is ${m.state}`).join(", ")}; start them (or let the Auto Scaling group replace them) first`,
      );
    }
    await pollUntil(
      async () => {
        return everyServerUp(await this.readTargetHealth(signal));
      },
      {
        timeoutMs: this.section.waitTimeoutMs,
        intervalMs: this.section.pollIntervalMs,
        what: `every instance to be healthy in ${this.section.targetGroupArn}`,
        signal,
      },
    );
  }

  /**
   * Restores the fleet: starts what this run stopped and registers again what it deregistered, each instance on its
   * own, so that one failure never leaves the others down; then reports every instance it could not restore.
   * Terminated instances are the Auto Scaling group's to replace.
   */
  async down(): Promise<void> {
    const problems: string[] = [];
    const restore = async (m: Ec2Member, what: string, step: () => Promise<void>) => {
      try {
        await step();
      } catch (err) {
        problems.push(`${memberLabel(m)} (${what}): ${(err as Error).message}`);
      }
    };
    const stopped = this.fleet.filter((m) => this.stoppedByRun.has(m.slot));
    if (stopped.length > 0) console.log(`[ec2] restoring the fleet: starting ${stopped.map(memberLabel).join(", ")}`);
    await Promise.all(
      stopped.map((m) =>
        restore(m, "start", async () => {
          const ids = [m.instanceId];
          await this.assertOptedIn([m]);
          await this.waitUntilNotStopping(ids);
          await this.aws.ec2.send(new StartInstancesCommand({ InstanceIds: ids }));
          await waitUntilInstanceRunning(this.waiter(), { InstanceIds: ids });
          this.stoppedByRun.delete(m.slot);
        }),
      ),
    );
    for (const m of this.fleet.filter((x) => this.deregistered.has(x.slot))) {
      await restore(m, "register", () => this.registerAgain(m));
    }
    for (const slot of this.terminated) {
      console.log(`[ec2] ${slot} was terminated; its replacement is left to the Auto Scaling group`);
    }
    this.terminated.clear();
    if (problems.length > 0) {
      throw new HarnessError(
        `restoring the fleet left ${problems.length} instance(s) as the run left them; restore by hand:\n  ${problems.join("\n  ")}`,
      );
    }
  }

  instances(): InstanceInfo[] {
    return this.fleet.map((m) => ({ id: m.slot, url: m.privateIp ? `http://${m.privateIp}` : "" }));
  }

  lbUrl(): string {
    if (!this.section.lbUrl) throw new InputError("--lb-url is required with --platform ec2 when load runs");
    return this.section.lbUrl;
  }

  /**
   * Each instance operation once: the EC2/ELBv2 calls it makes, and what --dry-run prints for it
   * (`wiped`: the instance was terminated, so a start waits for its replacement). The guard reads
   * `unsupported` from here too. Only instanceOp runs an entry; describe() only reads the text.
   */
  private readonly ops: Record<InstanceOp, Ec2Op> = {
    kill: {
      run: async (m, signal) => {
        await this.assertOptedIn([m], signal);
        const InstanceIds = [m.instanceId];
        if (this.section.crashMode === "reboot") {
          await this.aws.ec2.send(new RebootInstancesCommand({ InstanceIds }), { abortSignal: signal });
          return;
        }
        // Marked before the call: a call whose answer is lost may still have stopped it, and down() starts it again.
        this.stoppedByRun.add(m.slot);
        await this.aws.ec2.send(new StopInstancesCommand({ InstanceIds, Force: true }), { abortSignal: signal });
        await waitUntilInstanceStopped(this.waiter(signal), { InstanceIds });
      },
      describe: (m) =>
        this.section.crashMode === "reboot"
          ? [`ec2:RebootInstances ${json(idsOf(m))}   # ${memberLabel(m)}`]
          : [
              `ec2:StopInstances ${json({ ...idsOf(m), Force: true })}   # ${memberLabel(m)}, then wait until stopped (at most ${this.waitText()})`,
            ],
    },
    stop: {
      run: async (m, signal) => {
        await this.assertOptedIn([m], signal);
        const InstanceIds = [m.instanceId];
        this.stoppedByRun.add(m.slot); // before the call, as for a crash
        await this.aws.ec2.send(new StopInstancesCommand({ InstanceIds }), { abortSignal: signal });
        await waitUntilInstanceStopped(this.waiter(signal), { InstanceIds });
      },
      describe: (m) => [
        `ec2:StopInstances ${json(idsOf(m))}   # ${memberLabel(m)}, graceful; then wait until stopped (at most ${this.waitText()})`,
      ],
    },
    wipe: {
      // An instance's local disk goes with the instance: terminating it is the wipe.
      run: async (m, signal) => {
        await this.assertOptedIn([m], signal);
        const InstanceIds = [m.instanceId];
        await this.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds }), { abortSignal: signal });
        this.stoppedByRun.delete(m.slot);
        this.terminated.add(m.slot);
        await waitUntilInstanceTerminated(this.waiter(signal), { InstanceIds });
      },
      describe: (m) => [
        `ec2:TerminateInstances ${json(idsOf(m))}   # ${memberLabel(m)}, then wait until terminated (at most ${this.waitText()})`,
      ],
    },
    start: {
      run: async (m, signal) => {
        if (this.terminated.has(m.slot)) {
          await this.adoptReplacement(m, signal);
        } else {
          await this.assertOptedIn([m], signal);
          const InstanceIds = [m.instanceId];
          await this.aws.ec2.send(new StartInstancesCommand({ InstanceIds }), { abortSignal: signal });
          await waitUntilInstanceRunning(this.waiter(signal), { InstanceIds });
          this.stoppedByRun.delete(m.slot);
        }
        const current = this.member(m.slot);
        if (this.deregistered.has(current.slot)) await this.registerAgain(current, signal);
        await this.waitHealthy(current, this.section.waitTimeoutMs, signal);
      },
      describe: (m, wiped) => {
        const healthy = `elbv2:DescribeTargetHealth ${json({ TargetGroupArn: this.section.targetGroupArn })}   # until ${m.slot} is healthy (at most ${this.waitText()})`;
        if (wiped) {
          return [
            `ec2:DescribeInstances ${json({ Filters: this.filters() })}   # until the Auto Scaling group's replacement for ${m.slot} runs (at most ${formatDuration(this.section.replaceTimeoutMs)})`,
            healthy,
          ];
        }
        return [
          `ec2:StartInstances ${json(idsOf(m))}   # ${memberLabel(m)}, then wait until running (at most ${this.waitText()})`,
          healthy,
        ];
      },
    },
    deregister: {
      // The target group's own deregistration delay drains it; wait until it is no longer draining.
      run: async (m, signal) => {
        await this.assertOptedIn([m], signal);
        const Targets = [{ Id: m.instanceId }];
        await this.aws.elb.send(
          new DeregisterTargetsCommand({ TargetGroupArn: this.section.targetGroupArn, Targets }),
          {
            abortSignal: signal,
          },
        );
        this.deregistered.add(m.slot);
        await pollUntil(
          async () => {
            const out = await this.aws.elb.send(
              new DescribeTargetHealthCommand({ TargetGroupArn: this.section.targetGroupArn, Targets }),
              { abortSignal: signal },
            );
            const state = out.TargetHealthDescriptions?.find((d) => d.Target?.Id === m.instanceId)?.TargetHealth?.State;
            return state !== "draining";
          },
          {
            timeoutMs: this.section.waitTimeoutMs,
            intervalMs: this.section.pollIntervalMs,
            what: `${memberLabel(m)} to finish draining`,
            signal,
          },
        );
      },
      describe: (m) => [
        `elbv2:DeregisterTargets ${json({ TargetGroupArn: this.section.targetGroupArn, Targets: [{ Id: m.instanceId }] })}   # ${memberLabel(m)}, then wait until it is no longer draining (the target group's deregistration delay, at most ${this.waitText()})`,
      ],
    },
    register: {
      // Registered again by start (a target must be registered before it can turn healthy).
      run: async (m, signal) => {
        if (this.deregistered.has(m.slot)) await this.registerAgain(m, signal);
      },
      describe: (m) => [
        `elbv2:RegisterTargets ${json({ TargetGroupArn: this.section.targetGroupArn, Targets: [{ Id: m.instanceId }] })}   # ${memberLabel(m)}, when this run deregistered it (before waiting for it to be healthy)`,
      ],
    },
    pause: unsupported("pause", "EC2 cannot suspend an instance's processes (use crash, or stop for a graceful drain)"),
    resume: unsupported("resume", "EC2 cannot suspend an instance's processes, so there is nothing to resume"),
  };

  async instanceOp(id: string, op: InstanceOp, signal?: AbortSignal): Promise<void> {
    await this.ops[op].run(this.member(id), signal);
  }

  /** Why EC2 cannot do an operation, from the table; undefined when it can. */
  unsupportedReason(op: InstanceOp): string | undefined {
    return this.ops[op].unsupported;
  }

  private waitText(): string {
    return formatDuration(this.section.waitTimeoutMs);
  }

  async lbStates(): Promise<Map<string, LbServerState>> {
    // The sampler asks every 200 ms; ELBv2's API is throttled, so reads are at least pollIntervalMs apart.
    const last = this.lastHealth;
    if (last && Date.now() - last.at < Math.min(this.section.pollIntervalMs, 1000)) return new Map(last.states);
    return this.readTargetHealth();
  }

  async storeOp(_op: StoreOp): Promise<boolean> {
    throw new HarnessError("store-down/store-up are not supported on ec2: the harness has no control over DynamoDB");
  }

  async auditSessions(_id: string, _activeWithinMs: number): Promise<SessionAudit> {
    if (strategyUnit(this.plan.strategy).store.shared) {
      return { activeSessions: 0, storedSessions: 0, shared: true };
    }
    if (!this.warnedAudit) {
      console.log(
        "[ec2] the store audit cannot read an instance's disk remotely: sessions.lostExpected is not measured",
      );
      this.warnedAudit = true;
    }
    return { activeSessions: 0, storedSessions: 0, shared: false };
  }

  async versions(): Promise<Record<string, string>> {
    return {
      ec2: `region ${this.section.region}${this.section.awsEndpoint ? ` via ${this.section.awsEndpoint}` : ""}`,
      fleet: this.fleet.map(memberLabel).join(", "),
      store: strategyUnit(this.plan.strategy).store.managed.version,
    };
  }

  /** The target group's health check, deregistration delay and stickiness: what the real balancer does. */
  async balancerSettings(signal?: AbortSignal): Promise<BalancerSettings> {
    const TargetGroupArn = this.section.targetGroupArn;
    const [groups, attributes] = await Promise.all([
      this.aws.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [TargetGroupArn] }), {
        abortSignal: signal,
      }),
      this.aws.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn }), { abortSignal: signal }),
    ]);
    const group = groups.TargetGroups?.[0];
    if (!group) throw new HarnessError(`no target group ${TargetGroupArn}`);
    return targetGroupSettings(TargetGroupArn, group, attributes.Attributes ?? []);
  }

  async prepareDryRun(signal?: AbortSignal): Promise<void> {
    await this.discoverAndGuard(signal);
  }

  describe(step: PlatformStep, before: readonly PlatformStep[]): string[] {
    const wait = formatDuration(this.section.waitTimeoutMs);
    switch (step.kind) {
      case "up":
        return [
          `ec2:DescribeInstances ${json({ Filters: this.filters() })}   # found ${this.fleet.length}: ${this.fleet
            .map((m) => `${memberLabel(m)} ${m.state}${m.optedIn ? "" : " NOT OPTED IN"}`)
            .join(", ")}`,
          `elbv2:DescribeTargetHealth ${json({ TargetGroupArn: this.section.targetGroupArn })}   # until every instance is healthy (at most ${wait})`,
        ];
      case "down":
        return [
          "ec2:StartInstances for each instance the plan left stopped (restores the fleet); terminated instances are the Auto Scaling group's to replace",
        ];
      case "store":
        return ["(not supported on ec2: the harness has no control over DynamoDB)"];
      case "instance":
        return this.ops[step.op].describe(this.member(step.id), wipedSinceStart(before, step.id));
    }
  }

  /** DescribeInstances (read-only), then the plan against the fleet; throws InputError naming every problem. */
  private async discoverAndGuard(signal?: AbortSignal): Promise<void> {
    if (this.checked) return;
    const steps = await plannedSteps(this.plan);
    const unsupported = unsupportedProblems(this.plan, steps, (op) => this.unsupportedReason(op));
    if (unsupported.length > 0) throw new InputError(`plan refused on ec2: ${unsupported.join("; ")}`);
    this.fleet = fleetFromReservations(await this.describeInstances(this.filters(), signal));
    console.log(
      `[ec2] fleet (${this.section.region}): ${this.fleet.map((m) => `${memberLabel(m)} ${m.state}${m.optedIn ? "" : " [not opted in]"}`).join(", ") || "none"}`,
    );
    const problems = guardProblems(this.plan, steps, this.fleet);
    if (problems.length > 0) throw new InputError(`plan refused on ec2: ${problems.join("; ")}`);
    this.checked = true;
  }

  /** The plan's filters, plus live states unless the filters already name states. */
  private filters(): Filter[] {
    const filters: Filter[] = this.section.filters.map((f) => ({ Name: f.name, Values: f.values }));
    if (!filters.some((f) => f.Name === "instance-state-name")) {
      filters.push({ Name: "instance-state-name", Values: liveStates });
    }
    return filters;
  }

  private async describeInstances(filters: Filter[] | undefined, signal?: AbortSignal, ids?: string[]) {
    const reservations = [];
    let NextToken: string | undefined;
    do {
      const page = await this.aws.ec2.send(
        new DescribeInstancesCommand({
          ...(filters ? { Filters: filters } : {}),
          ...(ids ? { InstanceIds: ids } : {}),
          ...(NextToken ? { NextToken } : {}),
        }),
        { abortSignal: signal },
      );
      reservations.push(...(page.Reservations ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return reservations;
  }

  /** A stop whose answer was lost may still be under way, and StartInstances refuses a stopping instance. */
  private async waitUntilNotStopping(ids: string[]): Promise<void> {
    await pollUntil(
      async () => {
        const found = (await this.describeInstances(undefined, undefined, ids)).flatMap((r) => r.Instances ?? []);
        return found.every((i) => i.State?.Name !== "stopping");
      },
      { timeoutMs: this.section.waitTimeoutMs, intervalMs: this.section.pollIntervalMs, what: "no instance stopping" },
    );
  }

  /** The guard again, just before a mutating call: the instances must still carry the opt-in tag. */
  private async assertOptedIn(members: readonly Ec2Member[], signal?: AbortSignal): Promise<void> {
    const ids = members.map((m) => m.instanceId);
    const found = (await this.describeInstances(undefined, signal, ids)).flatMap((r) => r.Instances ?? []);
    for (const m of members) {
      const instance = found.find((i) => i.InstanceId === m.instanceId);
      if (!instance || !hasOptInTag(instance)) {
        throw new HarnessError(
          `refusing to touch ${memberLabel(m)}: it ${instance ? "no longer carries" : "is gone and so has no"} opt-in tag ${optInTag.key}=${optInTag.value}`,
        );
      }
    }
  }

  /** After a terminate: waits for a new opted-in instance that matches the filters, and puts it in the slot. */
  private async adoptReplacement(m: Ec2Member, signal?: AbortSignal): Promise<void> {
    const known = new Set(this.fleet.map((x) => x.instanceId));
    const filters = [...this.filters(), { Name: `tag:${optInTag.key}`, Values: [optInTag.value] }].map((f) =>
      f.Name === "instance-state-name" ? { Name: f.Name, Values: ["pending", "running"] } : f,
    );
    console.log(`[ec2] waiting for the Auto Scaling group to replace ${memberLabel(m)}`);
    const replacement = await pollUntil(
      async () => {
        const found = (await this.describeInstances(filters, signal)).flatMap((r) => r.Instances ?? []);
        return found.find((i: Instance) => i.InstanceId && !known.has(i.InstanceId));
      },
      {
        timeoutMs: this.section.replaceTimeoutMs,
        intervalMs: this.section.pollIntervalMs,
        what: `an opted-in replacement for ${memberLabel(m)} (does the Auto Scaling group propagate the tag ${optInTag.key}=${optInTag.value}?)`,
        signal,
      },
    );
    const adopted = toMember(m.slot, replacement);
    this.fleet = this.fleet.map((x) => (x.slot === m.slot ? adopted : x));
    this.terminated.delete(m.slot);
    console.log(`[ec2] ${memberLabel(adopted)} replaces ${m.instanceId}`);
    await waitUntilInstanceRunning(this.waiter(signal), { InstanceIds: [adopted.instanceId] });
  }

  private async registerAgain(m: Ec2Member, signal?: AbortSignal): Promise<void> {
    await this.aws.elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: this.section.targetGroupArn, Targets: [{ Id: m.instanceId }] }),
      { abortSignal: signal },
    );
    this.deregistered.delete(m.slot);
  }

  private async waitHealthy(m: Ec2Member, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await pollUntil(async () => (await this.readTargetHealth(signal)).get(m.slot)?.status === "UP", {
      timeoutMs,
      intervalMs: this.section.pollIntervalMs,
      what: `${memberLabel(m)} to be healthy in the target group`,
      signal,
    });
  }

  private async readTargetHealth(signal?: AbortSignal): Promise<Map<string, LbServerState>> {
    const out = await this.aws.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: this.section.targetGroupArn }),
      { abortSignal: signal },
    );
    const states = lbStatesFromTargetHealth(this.fleet, out.TargetHealthDescriptions ?? []);
    this.lastHealth = { at: Date.now(), states };
    return new Map(states);
  }

  /** SDK waiter settings: bounded by the plan, polled at most every pollIntervalMs (AWS's own pace above that). */
  private waiter(signal?: AbortSignal) {
    const minDelay = Math.max(1, Math.round(this.section.pollIntervalMs / 1000));
    return {
      client: this.aws.ec2,
      maxWaitTime: Math.ceil(this.section.waitTimeoutMs / 1000),
      minDelay,
      maxDelay: Math.max(minDelay, 15),
      ...(signal ? { abortSignal: signal } : {}),
    };
  }

  private member(id: string): Ec2Member {
    const m = this.fleet.find((x) => x.slot === id);
    if (!m) {
      throw new HarnessError(
        `no instance ${json(id)}: the fleet is ${this.fleet.map(memberLabel).join(", ") || "empty"}`,
      );
    }
    return m;
  }
}
