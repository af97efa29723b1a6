// A session strategy as one unit: where its sessions live (the store kind and its server), whether
// the balancer pins users with a cookie, and what the app is told. Each
// strategy is a folder `strategies/<name>/index.ts`, listed once in strategies/index.ts.
import type { StorePersistence } from "../plan/plan.ts";
import type { StoreAudit, StoreFaultKind } from "../platforms/types.ts";
import type { StoreServer } from "../store-servers/types.ts";

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
 * A kind of session store, described once: on each instance's disk (no server), or a shared server
 * (store-servers/: dynalite, redis-server) with what the app is told to reach it and the set-up it needs. The
 * platforms run the server (the local platform as a process, compose as a container) without naming it.
 */
export interface SessionStoreKind {
  /** "disk", "dynamodb": for progress lines ("3 target-app instances (dynamodb sessions)"). */
  name: string;
  /**
   * True when sessions live off the instances (a shared store): the store audit has nothing to
   * count, and an instance's loss cannot lose a session.
   */
  shared: boolean;
  /** The server the local and compose platforms run for it; absent: none (sessions on each instance's disk). */
  server?: SharedStoreServer;
  /** What a cloud platform's stack provides in its place (the harness starts nothing there), for the run record. */
  managed: { version: string };
}

/** A store kind's shared server: which one, how the app reaches it, its set-up and its audit. */
export interface SharedStoreServer {
  server: StoreServer;
  /** The target app's environment to reach it at host:port (endpoint, table, region, dummy credentials). */
  appEnv(host: string, port: number): Record<string, string>;
  /**
   * Set-up after each start of the server (the table), idempotent, given the app's environment: run in process by
   * the local platform, and by compose as a one-shot job in the app's image (`command`), which waits for the server.
   */
  setUp?: { run(env: Record<string, string>): Promise<void>; command: string[] };
  /**
   * The store audit just before a store fault, given the app's environment and how the target's sessions read
   * (its target file's audit; absent: target-app's); absent: the store is not audited.
   */
  audit?(
    env: Record<string, string>,
    persistence: StorePersistence,
    activeWithinMs: number,
    fault: StoreFaultKind,
    sessions?: StoredSessions,
  ): Promise<StoreAudit>;
}

/** How a target's sessions are found in a shared store: their keys' prefix, and how a value shows its user. */
export interface StoredSessions {
  keyPrefix: string;
  user(value: string): string | undefined;
}

/** The --store-persistence values a store kind takes (its server's; none only without). */
export const persistencesOf = (store: SessionStoreKind): readonly StorePersistence[] =>
  store.server?.server.persistence ?? ["none"];
