// A store server described once: what it runs, how it is known to be ready, where its data lives, and what a
// store-down and a store-up do. The local platform runs it as a child process (store-servers/process.ts), the
// compose platform as a container (platforms/compose/store-service.ts); neither names a server.
import type { StorePersistence } from "../plan/plan.ts";

/** Where one run of the server listens and keeps its data. */
export interface ServerPlace {
  host: string;
  port: number;
  /** Set when its data must survive a store-down/store-up (the plan takes the store down): keep it here. */
  dataDir?: string;
  /** A working folder of its own in the run folder, always given (a server may need one even in memory). */
  workDir: string;
  /** The plan's --store-persistence, where the server takes it (else none). */
  persistence: StorePersistence;
}

export interface StoreServer {
  /** "dynalite", "redis-server": progress lines, logs, errors. */
  name: string;
  /** The --store-persistence values it takes; absent: none only. */
  persistence?: readonly StorePersistence[];
  /** Its version for the run record ("dynalite 4.0.0"), or null when it cannot run here. */
  version(): string | null;
  /** What to do when version() is null: "run `npm run setup`". */
  installHint: string;
  /** The program and its arguments, listening on place.host:place.port only. */
  command(place: Omit<ServerPlace, "port"> & { port: number | string }): {
    command: string;
    args: string[];
    cwd?: string;
  };
  /** One readiness probe: true once it answers requests (false or a throw: not yet). */
  ready(host: string, port: number): Promise<boolean>;
  /** How long it may take to answer after its start before the run fails. */
  readyTimeoutMs: number;
  /** Where its data is, for the run record: "in memory", "on disk", "AOF everysec". */
  dataText(place: Pick<ServerPlace, "dataDir" | "persistence">): string;
  /** Called once it answers, after each start (redis-server: a store-down's snapshot, once loaded, goes without persistence). */
  afterStart?(place: ServerPlace): void;
  /**
   * store-down with its data kept. Absent: SIGKILL, an outage (its data is on disk already, in dataDir).
   * Present: the server is asked to save and exit (redis-server's SHUTDOWN SAVE); resolves once it has exited.
   */
  saveAndExit?: {
    run(place: ServerPlace, exited: Promise<unknown>, kill: () => Promise<void>): Promise<void>;
    /** As --dry-run prints it. */
    describe(place: Pick<ServerPlace, "dataDir" | "workDir" | "persistence">): string;
  };
  /** The same server as a container in a compose project's network. */
  container: StoreContainer;
}

export interface StoreContainer {
  /** The port it listens on inside the project's network (every interface of the container, no published port). */
  port: number;
  /**
   * Its image: one of the compose platform's image roles (official, built by `npm run setup -- docker`, or
   * named in $FH_IMAGE_<ROLE>), or built by the compose build on the node image (the app's base) from
   * a Dockerfile in the repository.
   */
  image: { role: string } | { build: { name: string; dockerfile: string; args: Record<string, string> } };
  /** Its command in the container; its data in the container's own layer, kept by a kill and a start. */
  command: string[];
  /** store-down stops it with SIGTERM (it saves its data on the way down); false: SIGKILL. */
  gracefulStop: boolean;
}
