// The local platform: the target's instances (its target file's local command and environment) as child processes
// on loopback, HAProxy from Debian, and the strategy's session store (strategies/). Every process is tracked and
// stopped by PID (an instance by its process group: its workers die with it).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haproxyPath } from "../../../../tools/tool-paths.mjs";
import { haproxyConfig } from "../../balancer/haproxy-config.ts";
import { parseShowStat, statsCommand } from "../../balancer/haproxy-stats.ts";
import { drainedOrTimedOut, everyServerUp } from "../../balancer/lb-state.ts";
import { HarnessError } from "../../errors.ts";
import { faultUnit } from "../../faults/registry.ts";
import { healthProfiles } from "../../plan/health-profiles.ts";
import { instanceIds } from "../../plan/instances.ts";
import { type Plan, persistenceOf } from "../../plan/plan.ts";
import { ManagedChild } from "../../process/child.ts";
import { childEnv } from "../../process/child-env.ts";
import { httpOk, pollUntil } from "../../process/poll.ts";
import { freePorts } from "../../process/ports.ts";
import { type StoreProcess, startStoreProcess } from "../../store-servers/process.ts";
import type { ServerPlace } from "../../store-servers/types.ts";
import { strategyUnit } from "../../strategies/index.ts";
import { persistencesOf, type StrategyUnit } from "../../strategies/types.ts";
import { diskSessionFiles, redisSessions } from "../../targets/audit-formats.ts";
import { instanceCommand } from "../../targets/instance-command.ts";
import { defaultTargetName, loadTarget, repoRoot, type Target } from "../../targets/target-file.ts";
import type {
  InstanceInfo,
  InstanceOp,
  LbServerState,
  Platform,
  PlatformStep,
  SessionAudit,
  StoreAudit,
  StoreFaultKind,
  StoreOp,
} from "../types.ts";
import { auditDiskSessions } from "./disk-audit.ts";

const host = "127.0.0.1";
const readyTimeoutMs = 30_000;

/** One instance operation: what it does, and the command --dry-run prints for it. */
interface LocalOp {
  run(m: LocalInstance, signal?: AbortSignal): Promise<void>;
  describe(m: LocalInstance): string;
}

interface LocalInstance extends InstanceInfo {
  port: number;
  sessionDir: string;
  child?: ManagedChild;
  paused: boolean;
}

export class LocalPlatform implements Platform {
  readonly name = "local";
  private readonly strategy: StrategyUnit;
  /** The app under test: its target file (plan.target; target-app when the plan names none). */
  private readonly target: Target;
  private readonly logDir: string;
  private readonly sessionSecret = randomBytes(24).toString("hex");
  private readonly members: LocalInstance[] = [];
  private store?: StoreProcess;
  /** The apps' environment to reach the store (empty without a shared store). */
  private storeEnv: Record<string, string> = {};
  private storePort = 0;
  private lb?: ManagedChild;
  private lbPort = 0;
  private socketDir?: string;

  constructor(
    private readonly plan: Plan,
    private readonly runDir: string,
  ) {
    this.strategy = strategyUnit(plan.strategy);
    this.target = loadTarget(plan.target?.file ?? defaultTargetName);
    this.logDir = join(runDir, "logs");
    for (const id of instanceIds(plan.instances)) {
      this.members.push({ id, port: 0, url: "", sessionDir: join(runDir, "sessions", id), paused: false });
    }
  }

  async up(signal?: AbortSignal): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    const [lbPort, storePort, ...appPorts] = await freePorts(this.plan.instances + 2, host);
    this.lbPort = lbPort!;
    this.members.forEach((m, i) => {
      m.port = appPorts[i]!;
      m.url = `http://${host}:${m.port}`;
    });

    const shared = this.strategy.store.server;
    if (shared) {
      this.storePort = storePort!;
      console.log(`[local] starting ${shared.server.name} on ${host}:${storePort}`);
      await this.startStore(signal);
    }

    console.log(
      `[local] starting ${this.members.length} ${this.target.name} instances (${this.strategy.store.name} sessions)`,
    );
    await Promise.all(this.members.map((m) => this.startInstance(m, signal)));

    const config = this.writeHaproxyConfig();
    const check = spawnSync(haproxyPath(), ["-c", "-q", "-f", config], { encoding: "utf8" });
    if (check.error || check.status !== 0) {
      throw new HarnessError(`HAProxy rejected ${config}: ${check.error?.message ?? check.stderr.trim()}`);
    }
    console.log(
      `[local] starting HAProxy on http://${host}:${this.lbPort} (${this.strategy.sticky ? "sticky cookie" : "round robin"}, health ${this.plan.health})`,
    );
    this.lb = new ManagedChild({
      name: "lb",
      command: haproxyPath(),
      args: ["-db", "-f", config],
      env: childEnv(),
      logFile: join(this.logDir, "lb.log"),
    });
    await pollUntil(
      async () => {
        if (!this.lb?.running) throw new Error("HAProxy exited");
        return everyServerUp(await this.lbStates(), this.members.length);
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 200, what: "HAProxy to see every instance UP", signal },
    );
  }

  async down(): Promise<void> {
    const stops: Promise<unknown>[] = [];
    if (this.lb) stops.push(this.lb.stop(3000));
    for (const m of this.members) {
      if (m.child?.running) {
        if (m.paused) m.child.signal("SIGCONT");
        stops.push(m.child.stop(5000));
      }
    }
    await Promise.all(stops);
    for (const m of this.members) m.child?.killGroupLeftovers();
    if (this.store) await this.store.child.stop(5000);
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
  }

  instances(): InstanceInfo[] {
    return this.members.map(({ id, url }) => ({ id, url }));
  }

  lbUrl(): string {
    return `http://${host}:${this.lbPort}`;
  }

  /**
   * Each instance operation once: what it does and the command --dry-run prints for it. Only
   * instanceOp runs an entry; describe() only reads the text.
   */
  private readonly ops: Record<InstanceOp, LocalOp> = {
    kill: {
      run: async (m) => {
        if (!m.child?.running) throw new HarnessError(`${m.id} is not running: cannot kill it`);
        m.child.signal("SIGKILL");
        await m.child.exited;
        m.child.killGroupLeftovers();
        m.paused = false;
      },
      describe: (m) => `kill -KILL -<pid of ${m.id}>   # its process group: its workers too`,
    },
    stop: {
      run: async (m) => {
        if (!m.child?.running) throw new HarnessError(`${m.id} is not running: cannot stop it`);
        if (m.paused) m.child.signal("SIGCONT");
        await m.child.stop(15_000);
        m.child.killGroupLeftovers();
        m.paused = false;
      },
      describe: (m) => `kill -TERM -<pid of ${m.id}>   # its process group: graceful drain, kill -KILL after 15 s`,
    },
    start: {
      run: async (m, signal) => {
        if (m.child?.running) throw new HarnessError(`${m.id} is already running`);
        await this.startInstance(m, signal);
      },
      describe: (m) => `${this.commandText(m, "<same port>")}   # then wait for ${this.target.health}`,
    },
    pause: {
      run: async (m) => {
        if (!m.child?.running) throw new HarnessError(`${m.id} is not running: cannot pause it`);
        m.child.signal("SIGSTOP");
        m.paused = true;
      },
      describe: (m) => `kill -STOP -<pid of ${m.id}>   # its process group`,
    },
    resume: {
      run: async (m) => {
        if (!m.child?.running) throw new HarnessError(`${m.id} is not running: cannot resume it`);
        m.child.signal("SIGCONT");
        m.paused = false;
      },
      describe: (m) => `kill -CONT -<pid of ${m.id}>   # its process group`,
    },
    wipe: {
      run: async (m) => {
        if (m.child?.running) throw new HarnessError(`${m.id} is running: stop it before wiping its disk`);
        rmSync(m.sessionDir, { recursive: true, force: true });
      },
      describe: (m) => `rm -rf ${m.sessionDir}`,
    },
    deregister: {
      run: async (m, signal) => {
        await this.lbCommand(`set server app/${m.id} state maint`);
        await drainedOrTimedOut(() => this.lbStates(), m.id, this.drainTimeoutMs(), signal);
      },
      describe: (m) =>
        `echo "set server app/${m.id} state maint" | <HAProxy stats socket>   # then wait until it has no request in flight (at most ${this.drainTimeoutMs() / 1000} s)`,
    },
    register: {
      run: async (m) => {
        await this.lbCommand(`set server app/${m.id} state ready`);
      },
      describe: (m) => `echo "set server app/${m.id} state ready" | <HAProxy stats socket>`,
    },
  };

  async instanceOp(id: string, op: InstanceOp, signal?: AbortSignal): Promise<void> {
    await this.ops[op].run(this.member(id), signal);
  }

  private drainTimeoutMs(): number {
    return healthProfiles[this.plan.health].drainTimeoutMs;
  }

  /** One command to HAProxy's stats socket (admin level); its answer, when not empty, is an error. */
  private async lbCommand(command: string): Promise<void> {
    if (!this.socketDir) throw new HarnessError(`the balancer is not running: cannot ${command}`);
    const answer = (await statsCommand(join(this.socketDir, "haproxy.sock"), command)).trim();
    if (answer !== "") throw new HarnessError(`HAProxy refused "${command}": ${answer}`);
  }

  async lbStates(): Promise<Map<string, LbServerState>> {
    if (!this.socketDir) return new Map();
    return parseShowStat(await statsCommand(join(this.socketDir, "haproxy.sock"), "show stat"), "app");
  }

  async storeOp(op: StoreOp, signal?: AbortSignal): Promise<boolean> {
    if (!this.strategy.store.server) return false;
    if (op === "start") {
      if (this.store?.child.running) throw new HarnessError("the session store is already running");
      await this.startStore(signal);
      return true;
    }
    const store = this.store;
    if (!store?.child.running) throw new HarnessError(`the session store is not running: cannot ${op} it`);
    if (op === "stop") {
      // Down with its data kept: the server's own save-and-exit, or gone at once (its data is on disk already).
      await store.storeDown();
    } else {
      // The kill of a restart, which keeps only what the store's persistence kept.
      store.child.signal("SIGKILL");
      await store.child.exited;
    }
    if (op === "restart") await this.startStore(signal);
    return true;
  }

  async auditStore(activeWithinMs: number, fault: StoreFaultKind): Promise<StoreAudit | null> {
    const audit = this.strategy.store.server?.audit;
    if (!audit || !this.store?.child.running) return null;
    return audit(this.storeEnv, this.storePersistence(), activeWithinMs, fault, redisSessions(this.target));
  }

  async auditSessions(id: string, activeWithinMs: number): Promise<SessionAudit> {
    if (this.strategy.store.shared) return { activeSessions: 0, storedSessions: 0, shared: true };
    return auditDiskSessions(this.member(id).sessionDir, activeWithinMs, Date.now(), diskSessionFiles(this.target));
  }

  async versions(): Promise<Record<string, string>> {
    const haproxy = spawnSync(haproxyPath(), ["-v"], { encoding: "utf8" }).stdout?.split("\n")[0]?.trim() ?? "unknown";
    return {
      target: `${this.target.name} (${this.target.file})`,
      haproxy,
      store: this.store?.version ?? "disk (one folder per instance)",
    };
  }

  describe(step: PlatformStep): string[] {
    const server = this.strategy.store.server?.server;
    const start = (port: string) => {
      if (!server) return "";
      const { command, args } = server.command({ ...this.storePlace(), port });
      return [command, ...args].map((a) => (a === "" ? '""' : a)).join(" ");
    };
    switch (step.kind) {
      case "up":
        return [
          ...(server
            ? [`${start("<free port>")}   # until it answers (at most ${server.readyTimeoutMs / 1000} s)`]
            : []),
          ...this.members.map((m) => this.commandText(m, "<free port>")),
          `${haproxyPath()} -db -f ${join(this.runDir, "haproxy.cfg")}   # ${this.strategy.sticky ? "cookie stickiness" : "round robin"}, health ${this.plan.health}`,
        ];
      case "down":
        return ["kill -TERM <pid> for HAProxy, each instance and the store, kill -KILL after a grace period"];
      case "store":
        if (!server) return ["(no shared session store: sessions are on each instance's disk; nothing to do)"];
        if (step.op === "stop")
          return [
            server.saveAndExit?.describe(this.storePlace()) ??
              `kill -KILL <pid of ${server.name}>   # data kept in ${this.storeDataDir()}`,
          ];
        return [...(step.op === "restart" ? [`kill -KILL <pid of ${server.name}>`] : []), start("<same port>")];
      case "instance":
        return [this.ops[step.op].describe(this.member(step.id))];
    }
  }

  private member(id: string): LocalInstance {
    const m = this.members.find((x) => x.id === id);
    if (!m)
      throw new HarnessError(
        `no instance ${JSON.stringify(id)}: the fleet is ${this.members.map((x) => x.id).join(", ")}`,
      );
    return m;
  }

  /**
   * Where the store server keeps its data: in memory, unless the plan takes the store down, when
   * it must survive the restart and lives in the run folder's store-data/.
   */
  private storeDataDir(): string | undefined {
    const outage = this.plan.faults.some((f) => faultUnit(f.action).targetKind === "store");
    return outage ? join(this.runDir, "store-data") : undefined;
  }

  /** The plan's persistence where the store takes it; none otherwise (run-scenario warns about the rest). */
  private storePersistence(): ReturnType<typeof persistenceOf> {
    const wanted = persistenceOf(this.plan);
    return persistencesOf(this.strategy.store).includes(wanted) ? wanted : "none";
  }

  /** Where the store server listens and keeps its data in this run. */
  private storePlace(): ServerPlace {
    return {
      host,
      port: this.storePort,
      dataDir: this.storeDataDir(),
      workDir: join(this.runDir, `store-${this.strategy.store.server?.server.name ?? "none"}`),
      persistence: this.storePersistence(),
    };
  }

  /** Starts the store server, waits until it answers, then runs its store kind's set-up (the table). */
  private async startStore(signal?: AbortSignal): Promise<void> {
    const shared = this.strategy.store.server;
    if (!shared) return;
    this.store = await startStoreProcess(shared.server, this.storePlace(), {
      logFile: join(this.logDir, "store.log"),
      signal,
    });
    this.storeEnv = shared.appEnv(host, this.storePort);
    await shared.setUp?.run(this.storeEnv);
  }

  /** One instance's command, environment and folder, from the target file (targets/instance-command.ts). */
  private command(m: LocalInstance, port: string, sessionSecret = this.sessionSecret) {
    return instanceCommand(this.target, this.plan.strategy, {
      host,
      port,
      instance: m.id,
      sessionDir: m.sessionDir,
      sessionSecret,
      targetDir: this.target.dir,
      repoRoot,
      node: process.execPath,
      ...(this.strategy.store.server ? { storeHost: host, storePort: String(this.storePort || "<store port>") } : {}),
    });
  }

  /** As --dry-run prints it: the target's own environment and command. */
  private commandText(m: LocalInstance, port: string): string {
    const { command, args, env, cwd } = this.command(m, port, "<per-run secret>");
    return `(cd ${cwd} && ${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")} ${[command, ...args].join(" ")})`;
  }

  private async startInstance(m: LocalInstance, signal?: AbortSignal): Promise<void> {
    mkdirSync(m.sessionDir, { recursive: true });
    const { command, args, env, cwd } = this.command(m, String(m.port));
    const logFile = join(this.logDir, `${m.id}.log`);
    m.paused = false;
    m.child = new ManagedChild({
      name: m.id,
      command,
      args,
      cwd,
      // Allow-listed: the apps never see the user's AWS credentials or tokens (dynalite gets dummy keys). The
      // store's address as target-app's clients read it, then the target's own environment.
      env: childEnv({ ...this.storeEnv, ...env }),
      logFile,
      signalGroup: true,
    });
    const child = m.child;
    const health = this.target.health;
    // An instance that exits fails its start at once; one that never answers, after readyTimeoutMs.
    const exited = child.exited.then((info) => {
      throw new Error(`${m.id} exited (code ${info.code}, signal ${info.signal})`);
    });
    exited.catch(() => undefined);
    try {
      await Promise.race([
        pollUntil(() => httpOk(`${m.url}${health}`), {
          timeoutMs: readyTimeoutMs,
          intervalMs: 100,
          what: `${m.id} to answer ${health}`,
          signal,
        }),
        exited,
      ]);
    } catch (error) {
      if (signal?.aborted) throw error;
      // The output the child wrote until now (its log file's last lines, as the prefixed console showed them).
      await new Promise((r) => setTimeout(r, 100));
      throw new HarnessError(
        `${(error as Error).message}: ${m.id} of target ${this.target.name} was started as ${[command, ...args].join(" ")} (in ${cwd}); the last lines of ${logFile}:\n${child.lastLines(10).join("\n") || "(none)"}`,
      );
    }
  }

  private writeHaproxyConfig(): string {
    this.socketDir = mkdtempSync(join(tmpdir(), "fh-lb-"));
    const config = join(this.runDir, "haproxy.cfg");
    writeFileSync(
      config,
      haproxyConfig({
        bind: { host, port: this.lbPort },
        statsSocket: join(this.socketDir, "haproxy.sock"),
        servers: this.members.map((m) => ({ id: m.id, host, port: m.port })),
        sticky: this.strategy.sticky,
        health: healthProfiles[this.plan.health],
        healthPath: this.target.health,
      }),
    );
    return config;
  }
}
