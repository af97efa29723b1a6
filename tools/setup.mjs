#!/usr/bin/env node
// Installs what the harness needs and is missing (idempotent, cached outside the repository),
// or with --doctor only reports each tool's version. Plain Node: it runs before `npm ci`.
//
//   node tools/setup.mjs [--quiet] [--doctor] [TOOL...]
//   TOOL: node-modules | haproxy | redis | php | chromium | moto | wrk | docker
//   (dynalite, the DynamoDB emulator, is an npm dependency: node-modules installs it)
//   (default: all but php, chromium, moto, wrk and docker; php is installed when a target that needs it runs
//   (its target file's `setup`) and by `npm test`)
//   node tools/setup.mjs docker [--stop]
//   docker is explicit only (never a pre-script): it starts a root daemon; see docker-setup.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DockerSetupError, dockerStatus, setUpDocker, stopDaemon } from "./docker-setup.mjs";
import {
  awsToolsMarker,
  awsToolsVenv,
  CFN_LINT_VERSION,
  cacheDir,
  cfnLintPath,
  chromiumPath,
  haproxyPath,
  MOTO_VERSION,
  motoServerPath,
  phpPath,
  redisServerPath,
} from "./tool-paths.mjs";

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

class SetupError extends Error {}

/** Runs a command and returns its trimmed stdout+stderr, or null when it cannot run or fails. */
function probe(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000 });
  if (r.error || r.status !== 0) return null;
  return `${r.stdout}${r.stderr}`.trim();
}

/** Runs an install step with its output shown; throws SetupError naming the step on failure. */
function run(step, cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (r.error) throw new SetupError(`${step}: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new SetupError(`${step}: \`${cmd} ${args.join(" ")}\` exited with ${r.status}`);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

let aptUpdated = false;
function aptInstall(step, packages) {
  if (!isRoot) {
    throw new SetupError(
      `${step}: not installed, and installing needs root. Run: sudo apt-get install -y ${packages.join(" ")}`,
    );
  }
  if (!probe("apt-get", ["--version"])) {
    throw new SetupError(
      `${step}: not installed, and apt-get is not available. Install ${packages.join(" ")} by hand.`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    run(step, "apt-get", ["update", "-q"], { env });
    aptUpdated = true;
  }
  run(step, "apt-get", ["install", "-y", "-q", "--no-install-recommends", ...packages], { env });
}

/** Each tool: how to read its version (null = missing), and how to install it. */
const tools = {
  "node-modules": {
    version() {
      const marker = join(repoRoot, "node_modules", ".package-lock.json");
      const lock = join(repoRoot, "package-lock.json");
      if (!existsSync(marker)) return null;
      if (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000) return null;
      // dynalite, the DynamoDB emulator of the dynamodb strategies, is one of them.
      const dynalite = join(repoRoot, "node_modules", "dynalite", "package.json");
      if (!existsSync(dynalite)) return null;
      return `installed (dynalite ${JSON.parse(readFileSync(dynalite, "utf8")).version})`;
    },
    install() {
      // `npm install` with the lock file, not `npm ci`: npm here records only this platform's
      // optional packages in the lock file, which `npm ci` then rejects as out of sync.
      run("node-modules", "npm", ["install", "--no-audit", "--no-fund"], { cwd: repoRoot });
    },
  },
  haproxy: {
    version() {
      const out = probe(haproxyPath(), ["-v"]);
      return out ? out.split("\n")[0] : null;
    },
    install() {
      aptInstall("haproxy", ["haproxy"]);
    },
  },
  wrk: {
    version() {
      // `wrk -v` prints its version (then its usage) and exits 1: read the first line whatever the status.
      const r = spawnSync("wrk", ["-v"], { encoding: "utf8", timeout: 30_000 });
      const first = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0] ?? "";
      return !r.error && first.startsWith("wrk ") ? first : null;
    },
    install() {
      aptInstall("wrk", ["wrk"]);
    },
  },
  // Debian's redis-server (the `redis` strategy's store, started by the harness on its own loopback port).
  // Debian starts no service in a container (policy-rc.d); on a machine with systemd it also starts the
  // system's own redis on 6379, which the harness never uses.
  redis: {
    version() {
      const out = probe(redisServerPath(), ["--version"]);
      return out ? out.split("\n")[0] : null;
    },
    install() {
      aptInstall("redis", ["redis-server"]);
    },
  },
  // Debian's PHP CLI and php-redis, for the php-sessions target (targets/php-sessions/): PHP's built-in server runs
  // each instance, and php-redis is its `redis` strategy's session handler. Installed only when such a target runs
  // or is tested (never by the default setup).
  php: {
    version() {
      const php = probe(phpPath(), ["-v"]);
      if (!php) return null;
      const modules = probe(phpPath(), ["-m"]) ?? "";
      if (!/^redis$/m.test(modules)) return null;
      return `${php.split("\n")[0]} (with php-redis)`;
    },
    install() {
      aptInstall("php", ["php-cli", "php-redis"]);
    },
  },
  chromium: {
    version() {
      const out = probe(chromiumPath(), ["--version"]);
      return out ? out.split("\n")[0] : null;
    },
    install() {
      aptInstall("chromium (for report tests)", ["chromium"]);
    },
  },
  // moto[server] (the ec2 platform's tests emulate EC2 and ELBv2 with it) and cfn-lint (checks
  // infra/), from PyPI into one venv in the cache; without them those tests skip with the reason.
  moto: {
    // Only tests need it: when it cannot be installed, setup says why and goes on.
    optional: true,
    version() {
      if (!existsSync(awsToolsMarker()) && !process.env.MOTO_SERVER_BIN) return null;
      const lint = probe(cfnLintPath(), ["--version"]);
      if (!lint || !existsSync(motoServerPath())) return null;
      return `moto ${MOTO_VERSION} (moto_server), ${lint.split("\n")[0]}`;
    },
    install() {
      if (!probe("python3", ["--version"])) {
        throw new SetupError("moto: python3 is not on PATH. Install Python 3 (sudo apt-get install python3-venv).");
      }
      if (
        probe("python3", ["-m", "venv", "--help"]) === null ||
        probe("python3", ["-c", "import ensurepip"]) === null
      ) {
        aptInstall("moto (python3-venv, to make a venv)", ["python3-venv"]);
      }
      const venv = awsToolsVenv();
      console.log(`[setup] installing moto[server]==${MOTO_VERSION} and cfn-lint==${CFN_LINT_VERSION} into ${venv}`);
      // A venv cannot be moved once made, so it is made in place; the marker says it is complete.
      rmSync(venv, { recursive: true, force: true });
      mkdirSync(dirname(venv), { recursive: true });
      try {
        run("moto", "python3", ["-m", "venv", venv]);
        run("moto", join(venv, "bin", "pip"), [
          "install",
          "--quiet",
          `moto[server]==${MOTO_VERSION}`,
          `cfn-lint==${CFN_LINT_VERSION}`,
        ]);
        writeFileSync(awsToolsMarker(), `moto ${MOTO_VERSION}\ncfn-lint ${CFN_LINT_VERSION}\n`);
      } catch (err) {
        rmSync(venv, { recursive: true, force: true });
        throw err;
      }
    },
  },
};

const defaultTools = ["node-modules", "haproxy", "redis"];

/** `setup docker [--stop]`: every step checks what is there itself (engine, compose, dockerd, images). */
function docker(flags) {
  try {
    if (flags.has("--stop")) stopDaemon();
    else setUpDocker();
    return 0;
  } catch (err) {
    const why = err instanceof DockerSetupError || err instanceof SetupError ? err.message : err;
    console.error(`[setup] FAILED docker: ${why}`);
    return 1;
  }
}

function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  for (const flag of flags) {
    if (!["--quiet", "--doctor", "--stop"].includes(flag)) {
      console.error(`setup: unknown option ${flag}; expected --quiet, --doctor or (with docker) --stop`);
      return 2;
    }
  }
  const names = argv.filter((a) => !a.startsWith("--"));
  for (const name of names) {
    if (!(name in tools) && name !== "docker") {
      console.error(`setup: unknown tool "${name}"; expected one of ${[...Object.keys(tools), "docker"].join(", ")}`);
      return 2;
    }
  }
  if (flags.has("--stop") && (names.length !== 1 || names[0] !== "docker")) {
    console.error("setup: --stop goes with docker alone: npm run setup -- docker --stop");
    return 2;
  }
  if (names.includes("docker") && !flags.has("--doctor")) {
    if (names.length > 1) {
      console.error("setup: docker is set up on its own: npm run setup -- docker");
      return 2;
    }
    return docker(flags);
  }
  const quiet = flags.has("--quiet");
  if (flags.has("--doctor")) {
    let missing = 0;
    console.log(`cache: ${cacheDir()}`);
    console.log(`node: ${process.version}`);
    for (const name of names.length ? names : Object.keys(tools)) {
      if (name === "docker") {
        const status = dockerStatus();
        if (!status) missing++;
        console.log(`docker: ${status ?? "MISSING (npm run setup -- docker installs it)"}`);
        continue;
      }
      const version = tools[name].version();
      if (!version) missing++;
      console.log(`${name}: ${version ?? "MISSING (npm run setup installs it)"}`);
    }
    return missing ? 1 : 0;
  }
  for (const name of names.length ? names : defaultTools) {
    const before = tools[name].version();
    if (before) {
      if (!quiet) console.log(`[setup] ${name}: ${before}`);
      continue;
    }
    console.log(`[setup] ${name}: missing, installing`);
    try {
      tools[name].install();
    } catch (err) {
      const why = err instanceof SetupError ? err.message : err;
      if (tools[name].optional) {
        console.warn(`[setup] ${name}: could not install (${why}); the tests that need it will skip`);
        continue;
      }
      console.error(`[setup] FAILED ${why}`);
      return 1;
    }
    const after = tools[name].version();
    if (!after) {
      if (tools[name].optional) {
        console.warn(
          `[setup] ${name}: the install step ran but it still is not usable; the tests that need it will skip`,
        );
        continue;
      }
      console.error(`[setup] FAILED ${name}: the install step ran but the tool still is not usable`);
      return 1;
    }
    console.log(`[setup] ${name}: ${after}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
