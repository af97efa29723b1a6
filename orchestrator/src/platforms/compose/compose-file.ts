// The compose project of one run as a typed model, rendered to docker-compose.yml and haproxy.cfg
// (pure). The top-level docker-compose.yml is this model's default rendering (checked by a test).
import { Document, isScalar, visit } from "yaml";
import { officialImages } from "../../../../tools/tool-paths.mjs";
import { haproxyConfig } from "../../balancer/haproxy-config.ts";
import { HarnessError } from "../../errors.ts";
import type { BalancerProfile } from "../../plan/health-profiles.ts";
import { instanceIds } from "../../plan/instances.ts";
import { dynamodbStrategy } from "../../strategies/dynamodb/index.ts";
import type { SharedStoreServer, StrategyUnit } from "../../strategies/types.ts";
import { type ComposeImages, imageEnv } from "./images.ts";

/** Built from target-app/Dockerfile (on the node image); every app service and a store's init job share it. */
export const appImage = "failover-harness/target-app:local";

/** Inside the compose network every app and the balancer listen on this port. */
export const containerPort = 8080;
/** HAProxy's stats page, on its own listener (statsPort), never the app's; `<uri>;csv` answers with `show stat`'s CSV. */
export const statsUri = "/fh-lb-stats";
/** The balancer container's stats listener; published on the host's loopback only. */
export const statsPort = 8404;
/** The user of the stats page's per-run credential. */
export const statsUser = "fh";
/** Where each instance keeps its session files: its own named volume `sessions-<id>`. */
export const sessionDir = "/sessions";
/**
 * The balancer's compose service; the instances are app-1..app-N; a shared store's server is the service named
 * after its store kind ("dynamodb", "redis"), and its set-up (the table) the one-shot job `store-init`.
 */
export const services = { lb: "lb", storeInit: "store-init" } as const;
const network = "fleet";

/** The app's service as the target's file describes it (platforms/compose/target-service.ts). */
export interface ComposeApp {
  /** The image: the user's, or the name the build tags. */
  image: string;
  /** Absent: the image is the user's own (pulled when missing). */
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  /** One instance's container command; absent: the image's own. */
  command?(id: string): string[];
  /** One instance's environment (the store's address included). */
  environment(id: string): Record<string, string>;
  /** The port it listens on inside its container. */
  port: number;
}

export interface ComposeModel {
  instances: number;
  /** The app under test; absent: target-app, built from target-app/Dockerfile on the node image. */
  app?: ComposeApp;
  /** The session strategy: its store's services (a shared store) and the app's SESSION_STORE. */
  strategy: Pick<StrategyUnit, "store" | "sessionStore">;
  /** The build context: the repository root ("." at the top level, absolute in a run folder). */
  context: string;
  /**
   * The HAProxy configuration to mount into the balancer: absolute, or relative to the compose file
   * starting with `./` or `../` (without, Compose takes the source for a named volume's).
   */
  haproxyConfig: string;
  /** The node (the app image's base) and HAProxy images, and the store server's by its image role (see images.ts). */
  images: ComposeImages;
  /** The instances' SESSION_SECRET (a literal, or a `${VAR:-default}` interpolation). */
  sessionSecret: string;
  /** The balancer's host port on 127.0.0.1; undefined: any free port (read back with `docker compose port`). */
  lbPort?: string;
  /** The stats page's host port on 127.0.0.1; undefined: any free port. */
  statsPort?: string;
}

/** The named volume holding one instance's session files; Docker names it `<project>_sessions-<id>`. */
export const sessionVolume = (id: string): string => `sessions-${id}`;

/** The compose file as a plain object (the shape the Compose specification's JSON schema checks). */
export function composeObject(model: ComposeModel): Record<string, unknown> {
  const ids = instanceIds(model.instances);
  const shared = model.strategy.store.server;
  // No depends_on anywhere: compose may carry a stop or kill of one service over to the services
  // that depend on it, and a fault must touch its target only. Start order does not matter: the
  // balancer resolves the instances through Docker's DNS as they appear, the instances answer
  // /ping.html without the store, and the platform waits until the balancer sees every one UP.
  // `init: true` everywhere: node and haproxy as PID 1 ignore SIGTERM, so without an init
  // process every `stop` and `down` waited out its 10 s grace period and ended in SIGKILL.
  const out: Record<string, Record<string, unknown>> = shared ? storeServices(model, shared) : {};
  const storeEnv = shared ? storeAppEnv(model.strategy.store.name, shared) : {};
  const app = model.app;
  for (const id of ids) {
    out[id] = {
      ...(app
        ? {
            image: app.image,
            ...(app.build ? { build: app.build } : {}),
            ...(app.command ? { command: app.command(id) } : {}),
          }
        : { image: appImage, build: targetAppBuild(model) }),
      init: true,
      environment: app
        ? app.environment(id)
        : {
            PORT: String(containerPort),
            HOST: "0.0.0.0",
            INSTANCE_ID: id,
            SESSION_STORE: model.strategy.sessionStore,
            SESSION_DIR: sessionDir,
            SESSION_SECRET: model.sessionSecret,
            ...storeEnv,
          },
      volumes: [`${sessionVolume(id)}:${sessionDir}`],
      // A killed instance stays dead until the plan starts it again.
      restart: "no",
      networks: [network],
    };
  }
  if (!/^(\/|\.\.?\/)/.test(model.haproxyConfig)) {
    throw new HarnessError(
      `compose file: haproxyConfig is "${model.haproxyConfig}"; expected an absolute path or one starting with ./ or ../ (Compose reads any other source as a volume name)`,
    );
  }
  out[services.lb] = {
    image: model.images.lb,
    init: true,
    volumes: [`${model.haproxyConfig}:/usr/local/etc/haproxy/haproxy.cfg:ro`],
    // The app's port and the stats page's, on the host's loopback only.
    ports: [`127.0.0.1:${model.lbPort ?? ""}:${containerPort}`, `127.0.0.1:${model.statsPort ?? ""}:${statsPort}`],
    restart: "no",
    networks: [network],
  };
  return {
    services: out,
    networks: { [network]: { driver: "bridge" } },
    volumes: Object.fromEntries(ids.map((id) => [sessionVolume(id), {}])),
  };
}

/** target-app's image build: its Dockerfile on the node image, from the repository's root. */
function targetAppBuild(model: ComposeModel): Record<string, unknown> {
  return { context: model.context, dockerfile: "target-app/Dockerfile", args: { NODE_IMAGE: model.images.node } };
}

/** The app's environment to reach a store's server inside the project's network (its service, its port). */
export function storeAppEnv(service: string, shared: SharedStoreServer): Record<string, string> {
  return shared.appEnv(service, shared.server.container.port);
}

/** The image a store server runs as: one of the platform's roles, or built by the compose build on the node image. */
export function storeImage(shared: SharedStoreServer, images: Pick<ComposeImages, string>): string {
  const image = shared.server.container.image;
  if ("build" in image) return image.build.name;
  const name = images[image.role];
  if (!name) throw new Error(`no image for the store server's role ${JSON.stringify(image.role)}`);
  return name;
}

/**
 * A store server's service (its data in the container's own layer: a store-down and a store-up keep it; `down`
 * removes it with the container), and its store kind's one-shot set-up job, run by the platform after `up` and
 * after each start of the server (`run --rm store-init`), which waits until the server answers.
 */
function storeServices(model: ComposeModel, shared: SharedStoreServer): Record<string, Record<string, unknown>> {
  const service = model.strategy.store.name;
  const { container } = shared.server;
  const out: Record<string, Record<string, unknown>> = {
    [service]: {
      image: storeImage(shared, model.images),
      ...("build" in container.image
        ? {
            build: {
              context: model.context,
              dockerfile: container.image.build.dockerfile,
              args: { NODE_IMAGE: model.images.node, ...container.image.build.args },
            },
          }
        : {}),
      init: true,
      command: container.command,
      restart: "no",
      networks: [network],
    },
  };
  if (shared.setUp) {
    out[services.storeInit] = {
      image: appImage,
      // Built by the app services when the app is target-app; for another app, by this job itself.
      ...(model.app && model.app.image !== appImage ? { build: targetAppBuild(model) } : {}),
      init: true,
      profiles: ["init"],
      command: shared.setUp.command,
      environment: storeAppEnv(service, shared),
      healthcheck: { disable: true },
      restart: "no",
      networks: [network],
    };
  }
  return out;
}

export function renderComposeFile(model: ComposeModel, header: string): string {
  const doc = new Document(composeObject(model));
  // `restart: "no"` quoted, as Compose's documentation writes it (a YAML 1.1 reader takes a bare no for false).
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "restart" && isScalar(pair.value)) pair.value.type = "QUOTE_DOUBLE";
    },
  });
  const body = doc.toString({ lineWidth: 0 });
  return `${header
    .split("\n")
    .map((l) => `# ${l}`.trimEnd())
    .join("\n")}\n${body}`;
}

/**
 * The balancer's configuration for a strategy: HAProxy's, plus Docker's DNS and the stats page on its own listener;
 * with `statsPassword` (a run's random one) the page has admin rights behind it, without it is read-only.
 */
export function composeHaproxyConfig(input: {
  instances: number;
  sticky: boolean;
  health: BalancerProfile;
  statsPassword?: string;
  /** The app's port inside its container (default containerPort) and its health path (default /ping.html). */
  appPort?: number;
  healthPath?: string;
}): string {
  return haproxyConfig({
    bind: { host: "0.0.0.0", port: containerPort },
    statsSocket: "/tmp/haproxy.sock",
    statsPage: {
      bind: { host: "0.0.0.0", port: statsPort },
      uri: statsUri,
      ...(input.statsPassword ? { auth: { user: statsUser, password: input.statsPassword } } : {}),
    },
    dnsServer: "127.0.0.11:53",
    servers: instanceIds(input.instances).map((id) => ({ id, host: id, port: input.appPort ?? containerPort })),
    sticky: input.sticky,
    health: input.health,
    ...(input.healthPath ? { healthPath: input.healthPath } : {}),
  });
}

/** A Compose interpolation: the variable's value from the environment, else the fallback. */
export const envOr = (name: string, fallback: string): string => `\${${name}:-${fallback}}`;

/** A Compose interpolation that refuses to start without the variable, printing `message`. */
export const envRequired = (name: string, message: string): string => `\${${name}:?${message}}`;

/** The top-level docker-compose.yml: 3 instances, DynamoDB sessions, round robin, health "fast". */
export const defaultModel: ComposeModel = {
  instances: 3,
  strategy: dynamodbStrategy,
  context: ".",
  haproxyConfig: "./orchestrator/src/platforms/compose/default-haproxy.cfg",
  // The official images, or what $FH_IMAGE_* names (e.g. the images `npm run setup -- docker` built).
  images: {
    node: envOr(imageEnv.node, officialImages().node),
    lb: envOr(imageEnv.lb, officialImages().lb),
  },
  // No default: a published secret would sign cookies in production too (the image runs NODE_ENV=production).
  sessionSecret: envRequired("FH_SESSION_SECRET", "set FH_SESSION_SECRET to a secret of at least 32 characters"),
  lbPort: envOr("FH_LB_PORT", "8080"),
  statsPort: envOr("FH_LB_STATS_PORT", "8404"),
};

export const defaultHeader = `The default compose project of failover-harness: 3 target-app instances with sessions in
DynamoDB (dynalite, the emulator, built on the node image) behind HAProxy (round robin). Generated from
orchestrator/src/platforms/compose/compose-file.ts; do not edit by hand: regenerate with
  npx tsx orchestrator/src/platforms/compose/render-default.ts
\`npm run chaos -- --platform compose\` writes its own file per run (any strategy, any number of
instances) into the run folder, with the images of npm run setup -- docker where it built them. By hand:
  export FH_SESSION_SECRET=<at least 32 characters, e.g. from: openssl rand -hex 24>
  docker compose up -d --build --wait && docker compose run --rm store-init
  (without a registry, after npm run setup -- docker: export FH_IMAGE_NODE and FH_IMAGE_LB
  to the names in ~/.cache/failover-harness/docker/images.json)
  curl http://127.0.0.1:8080/ping.html
  curl 'http://127.0.0.1:8404/fh-lb-stats;csv'   # HAProxy's stats, read-only, on its own port
  docker compose down -v`;
