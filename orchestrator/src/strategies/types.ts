// A session strategy as one unit: where its sessions live (the store kind, with what each platform
// starts for it), whether the balancer pins users with a cookie, and what the app is told. Each
// strategy is a folder `strategies/<name>/index.ts`, listed once in strategies/index.ts.
import type { StorePersistence } from "../plan/plan.ts";
import type { StoreAudit, StoreFaultKind } from "../platforms/types.ts";
import type { ManagedChild } from "../process/child.ts";

export interface StrategyUnit {
  /** The name `--strategy` takes ("local" is the strategy of sessions on each instance's own disk, not the platform). */
  name: string;
  /** One line for --help. */
  summary: string;
  /** Where sessions live. */
  store: SessionStoreKind;
  /** The target app's SESSION_STORE: the store client it uses. */
  sessionStore: string;
  /** Whether the balancer pins each user to one instance with a cookie (HAProxy's `cookie ... insert`). */
  sticky: boolean;
}

/**
 * A kind of session store, described once: on each instance's disk (no server), or a shared
 * server (DynamoDB Local, redis-server) with its start-up per platform.
 */
export interface SessionStoreKind {
  /** "disk", "dynamodb": for progress lines ("3 target-app instances (dynamodb sessions)"). */
  name: string;
  /**
   * True when sessions live off the instances (a shared store): the store audit has nothing to
   * count, and an instance's loss cannot lose a session.
   */
  shared: boolean;
  /** The --store-persistence values it takes; absent: none only (a plan asking for more gets a warning). */
  persistence?: readonly StorePersistence[];
  /** What the local platform starts for it; absent: nothing (sessions in each instance's folder). */
  local?: LocalStoreServer;
  /** The services a compose project adds for it; absent: none (a named volume per instance). */
  compose?: ComposeStoreServices;
  /** What it is on ec2 (the stack's own: the harness starts nothing there), for the run record's versions. */
  ec2: { version: string };
}

/** A store server as a child process of the local platform, on a loopback port. */
export interface LocalStoreServer {
  /** "DynamoDB Local": for progress lines. */
  title: string;
  /**
   * Starts it on loopback and resolves once it answers. `first`: the run's first start (create
   * the table); a later one is a store-up after a store-down.
   */
  start(options: LocalStoreStart): Promise<LocalStoreProcess>;
  /** The commands --dry-run prints for bringing it up, stopping it (store-down) and starting it again. */
  describe: {
    start(options: { dataDir?: string; port: string; runDir: string; persistence: StorePersistence }): string;
    stop(options: { dataDir?: string; runDir: string; persistence: StorePersistence }): string;
  };
}

export interface LocalStoreStart {
  port: number;
  /** Set when the data must survive a store-down/store-up (the plan takes the store down): keep it here. */
  dataDir?: string;
  /** The run folder, for any other file the server needs (a working folder, its configuration). */
  runDir: string;
  logFile: string;
  first: boolean;
  /** The plan's --store-persistence, when the store takes it (else none). */
  persistence: StorePersistence;
  signal?: AbortSignal;
}

export interface LocalStoreProcess {
  child: ManagedChild;
  /** The target app's environment to reach it (endpoint, table, region, dummy credentials). */
  appEnv: Record<string, string>;
  /** For the run record: "DynamoDB Local 2026-05-28 (in memory)". */
  version: string;
  /** store-down: how it goes away with its data kept; absent: SIGKILL (its data is on disk already). */
  stop?(): Promise<void>;
  /** The store audit just before a store fault; absent: the store is not audited. */
  audit?(activeWithinMs: number, fault: StoreFaultKind): Promise<StoreAudit>;
}

/** The compose services of a shared store, written into each run's docker-compose.yml. */
export interface ComposeStoreServices {
  /** The service that is the store: killed by store-down, started by store-up. */
  service: string;
  /**
   * Which of the compose platform's images the store runs (platforms/compose/images.ts: official,
   * built by `npm run setup -- docker`, or named in $FH_IMAGE_<ROLE>).
   */
  imageRole: string;
  /**
   * Services to add, in order (the store, and any one-shot init job); `appImage`: the target app's
   * image; `image`: the store's own, as the platform resolved it for `imageRole`.
   */
  services(network: string, appImage: string, image: string): Record<string, Record<string, unknown>>;
  /** A one-shot service (`run --rm`) to run after `up` and after the store starts again; it waits for the store. */
  initService?: string;
  /** The target app's environment to reach it inside the project's network. */
  appEnv: Record<string, string>;
  /**
   * store-down stops it with SIGTERM (`compose stop`), which the store answers by saving its data
   * before it exits; absent: SIGKILL (its data is kept in the container already).
   */
  gracefulStop?: boolean;
}
