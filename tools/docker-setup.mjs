// `npm run setup -- docker`: a Docker engine, Compose v2 and the compose platform's images on a
// machine with no image registry. Explicit only (never a pre-script): it starts a root daemon,
// and the engine changes the host's firewall (iptables) and enables IP forwarding.
//
//   1. engine:  Debian's docker.io (dockerd, containerd, runc) when dockerd is missing.
//   2. compose: Compose v2 when `docker compose` is missing, built from the Go module proxy
//               (`go install` refuses it: its go.mod has exclude directives) into the cache, then
//               linked as a CLI plugin. Long (~330 s of CPU), so under the shared CPU lock.
//   3. dockerd: started when no engine answers; its PID recorded so that --stop ends it.
//   4. images:  the official images when they can be pulled; otherwise equivalents built from a
//               Debian base (debootstrap + docker import) and npm packages, tagged under the
//               project's names. images.json in the cache tells the compose platform which.
//               (dynalite has no registry image: the compose build puts its npm package on the node image.)
// Plain Node with no dependencies (it runs before `npm install`), like tools/setup.mjs.
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  COMPOSE_MODULE,
  COMPOSE_VERSION,
  composeBuildPath,
  DEBIAN_SUITE,
  dockerCacheDir,
  dockerdLogPath,
  dockerdPidPath,
  imageMarkerPath,
  LOCAL_IMAGE_REVISION,
  localImages,
  NODE_PACKAGE,
  NODE_PACKAGE_VERSION,
  officialImages,
} from "./tool-paths.mjs";

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

export class DockerSetupError extends Error {}

const log = (line) => console.log(`[setup] docker: ${line}`);

/** Runs a command quietly: {ok, out} (stdout+stderr), never throws. */
function probe(cmd, args, timeout = 30_000) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout });
  return { ok: !r.error && r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

/** Runs a step with its output shown; throws DockerSetupError naming the step when it fails. */
function run(step, cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (r.error) throw new DockerSetupError(`${step}: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new DockerSetupError(`${step}: \`${cmd} ${args.join(" ")}\` exited with ${r.status}`);
}

/** Times a step and prints how long it took (docs/platforms.md quotes these figures). */
function timed(what, fn) {
  const t0 = Date.now();
  const result = fn();
  log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

/** `flock <lock> cmd...` when flock exists: CPU-heavy steps wait for each other on a 2-core machine. */
function underCpuLock(cmd, args) {
  const lock = process.env.FH_CPU_LOCK || "/tmp/fh-cpu.lock";
  return probe("flock", ["--version"]).ok ? ["flock", [lock, cmd, ...args]] : [cmd, args];
}

const which = (name) => probe("sh", ["-c", `command -v ${name}`]).out || null;

let aptUpdated = false;
function aptInstall(step, packages) {
  if (!isRoot)
    throw new DockerSetupError(
      `${step}: not installed, and installing needs root: sudo apt-get install ${packages.join(" ")}`,
    );
  if (!which("apt-get"))
    throw new DockerSetupError(
      `${step}: not installed, and apt-get is not available: install ${packages.join(" ")} by hand`,
    );
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    run(step, "apt-get", ["update", "-q"], { env });
    aptUpdated = true;
  }
  run(step, "apt-get", ["install", "-y", "-q", "--no-install-recommends", ...packages], { env });
}

// ---- 1. engine -------------------------------------------------------------------------------

function engineVersion() {
  const r = probe("docker", ["version", "--format", "{{.Server.Version}}"], 10_000);
  return r.ok ? r.out.split("\n")[0] : null;
}

function ensureEngine() {
  if (which("dockerd")) return log(`engine: ${probe("dockerd", ["--version"]).out}`);
  log("engine: dockerd missing, installing Debian's docker.io");
  // The package's own start of the service fails without an init system, and must not start one
  // here: this set-up starts dockerd itself, so that it knows the PID.
  timed("docker.io installed", () => aptInstall("engine (docker.io)", ["docker.io", "iptables"]));
  if (!which("dockerd")) throw new DockerSetupError("engine: docker.io installed, but dockerd is still not on PATH");
}

// ---- 2. compose ------------------------------------------------------------------------------

function composeVersion() {
  const r = probe("docker", ["compose", "version", "--short"]);
  return r.ok && /^v?2\./.test(r.out) ? r.out.split("\n")[0] : null;
}

/** Where the docker CLI looks for plugins: root's system folder, else the user's own. */
function pluginPath() {
  return isRoot
    ? "/usr/local/lib/docker/cli-plugins/docker-compose"
    : join(process.env.HOME ?? "", ".docker", "cli-plugins", "docker-compose");
}

function ensureCompose() {
  const found = composeVersion();
  if (found) return log(`compose: ${found}`);
  const built = composeBuildPath();
  if (!existsSync(built)) buildCompose(built);
  const plugin = pluginPath();
  mkdirSync(dirname(plugin), { recursive: true });
  rmSync(plugin, { force: true });
  symlinkSync(built, plugin);
  const after = composeVersion();
  if (!after) throw new DockerSetupError(`compose: linked ${built} as ${plugin}, but \`docker compose version\` fails`);
  log(`compose: ${after} (${plugin} -> ${built})`);
}

function buildCompose(target) {
  if (!which("go"))
    throw new DockerSetupError(
      `compose: \`docker compose\` is missing and Go is not on PATH to build ${COMPOSE_MODULE}@${COMPOSE_VERSION}`,
    );
  log(
    `compose: building ${COMPOSE_MODULE}@${COMPOSE_VERSION} from the Go module proxy (minutes of CPU, once per machine)`,
  );
  // `go install module@version` refuses a module whose go.mod has exclude directives; a build
  // inside a writable copy of the downloaded module works.
  const dl = spawnSync("go", ["mod", "download", "-json", `${COMPOSE_MODULE}@${COMPOSE_VERSION}`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (dl.error || dl.status !== 0)
    throw new DockerSetupError(
      `compose: go mod download ${COMPOSE_MODULE}@${COMPOSE_VERSION} failed (${dl.error?.message ?? `exit ${dl.status}`})`,
    );
  const { Dir: moduleDir } = JSON.parse(dl.stdout);
  mkdirSync(dirname(target), { recursive: true });
  const work = mkdtempSync(join(dirname(target), ".build-"));
  try {
    const src = join(work, "src");
    cpSync(moduleDir, src, { recursive: true });
    makeWritable(src);
    const [cmd, args] = underCpuLock("go", [
      "build",
      "-trimpath",
      "-ldflags",
      `-s -w -X github.com/docker/compose/v2/internal.Version=${COMPOSE_VERSION}`,
      "-o",
      join(work, "docker-compose"),
      "./cmd",
    ]);
    timed("compose built", () =>
      run("compose (go build)", cmd, args, { cwd: src, env: { ...process.env, CGO_ENABLED: "0" } }),
    );
    renameSync(join(work, "docker-compose"), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The module cache is read-only; go build of a copy needs to write go.sum and friends. */
function makeWritable(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    chmodSync(path, entry.isDirectory() ? 0o755 : 0o644);
    if (entry.isDirectory()) makeWritable(path);
  }
  chmodSync(dir, 0o755);
}

// ---- 3. dockerd ------------------------------------------------------------------------------

function recordedPid() {
  try {
    const pid = Number(readFileSync(dockerdPidPath(), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when pid is a running dockerd (not a recycled PID of another program). */
function isDockerd(pid) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return /(^|\/)dockerd$/.test(cmdline[0] ?? "");
  } catch {
    return false;
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function ensureDaemon() {
  const answering = engineVersion();
  if (answering) {
    const pid = recordedPid();
    return log(
      `dockerd: engine ${answering} answers${pid && isDockerd(pid) ? ` (started by this set-up, PID ${pid})` : ""}`,
    );
  }
  if (!isRoot) throw new DockerSetupError("dockerd: no engine answers, and starting dockerd needs root");
  mkdirSync(dockerCacheDir(), { recursive: true });
  const out = openSync(dockerdLogPath(), "a");
  const t0 = Date.now();
  // Its own session: not in the caller's process group, so a Ctrl-C there leaves it alone; it
  // ends by --stop (SIGTERM to this PID), which also stops the containerd it started.
  const child = spawn("dockerd", ["--storage-driver", "overlay2"], { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  writeFileSync(dockerdPidPath(), `${child.pid}\n`);
  // .ci/run reads this line ("dockerd: started, PID") to know that it must stop this dockerd.
  log(`dockerd: started, PID ${child.pid} (log ${dockerdLogPath()}; \`npm run setup -- docker --stop\` ends it)`);
  while (Date.now() - t0 < 30_000) {
    const v = engineVersion();
    if (v) return log(`dockerd: engine ${v} answers after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!isDockerd(child.pid)) break;
    sleep(250);
  }
  const tail = readFileSync(dockerdLogPath(), "utf8").trim().split("\n").slice(-5).join("\n  ");
  stopDaemon();
  throw new DockerSetupError(`dockerd: did not answer within 30 s; its log ends:\n  ${tail}`);
}

/** `--stop`: ends the dockerd this set-up started (by its recorded PID), and only that one. */
export function stopDaemon() {
  const pid = recordedPid();
  if (!pid) return log("dockerd: none was started by this set-up");
  if (!isDockerd(pid)) {
    rmSync(dockerdPidPath(), { force: true });
    return log(`dockerd: PID ${pid} recorded, but it is no longer running`);
  }
  process.kill(pid, "SIGTERM");
  const t0 = Date.now();
  while (isDockerd(pid) && Date.now() - t0 < 30_000) sleep(200);
  if (isDockerd(pid)) {
    log(`dockerd: PID ${pid} still running 30 s after SIGTERM: SIGKILL`);
    process.kill(pid, "SIGKILL");
  }
  rmSync(dockerdPidPath(), { force: true });
  log(`dockerd: PID ${pid} stopped after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// ---- 4. images -------------------------------------------------------------------------------

const haveImage = (name) => probe("docker", ["image", "inspect", "--format", "{{.Id}}", name]).ok;

function readMarker() {
  try {
    return JSON.parse(readFileSync(imageMarkerPath(), "utf8"));
  } catch {
    return null;
  }
}

/** The images the compose platform uses, each official when it can be had, else built here. */
function ensureImages() {
  const official = officialImages();
  const local = localImages();
  const marker = readMarker();
  const chosen = {};
  const toBuild = [];
  for (const role of Object.keys(official)) {
    const builtHere = marker?.revision === LOCAL_IMAGE_REVISION && marker?.images?.[role] === local[role];
    if (haveImage(official[role])) chosen[role] = official[role];
    // Built by an earlier run of this set-up from the same recipe: nothing to do (idempotent).
    else if (builtHere && haveImage(local[role])) chosen[role] = local[role];
    else if (timed(`docker pull ${official[role]}`, () => probe("docker", ["pull", "-q", official[role]], 60_000).ok))
      chosen[role] = official[role];
    else {
      toBuild.push(role);
      chosen[role] = local[role];
    }
  }
  if (toBuild.length > 0) {
    log(
      `images: cannot pull ${toBuild.map((r) => official[r]).join(", ")}; building equivalents from Debian and npm packages`,
    );
    buildLocalImages(toBuild);
  }
  // A target's own image builds on the same Debian base ({baseImage} in its target file): kept where any local
  // image is used (imported again from the cached tarball if it was removed).
  if (Object.entries(chosen).some(([role, name]) => name === local[role])) ensureBaseImage(local.base);
  for (const [role, name] of Object.entries(chosen)) log(`image ${role}: ${name}`);
  const next = { revision: LOCAL_IMAGE_REVISION, images: chosen };
  if (JSON.stringify(marker) !== JSON.stringify(next)) {
    mkdirSync(dirname(imageMarkerPath()), { recursive: true });
    writeFileSync(imageMarkerPath(), `${JSON.stringify(next, null, 2)}\n`);
    log(`images: recorded in ${imageMarkerPath()} (the compose platform reads it)`);
  }
}

/** The Debian mirror apt uses on this machine (debootstrap and the images' apt-get use it too). */
function debianMirror() {
  const texts = [];
  for (const file of [
    "/etc/apt/sources.list",
    ...listDir("/etc/apt/sources.list.d").map((f) => join("/etc/apt/sources.list.d", f)),
  ]) {
    if (/\.(list|sources)$/.test(file) || file === "/etc/apt/sources.list") texts.push(readText(file));
  }
  for (const text of texts) {
    // deb822: "URIs: http://host/debian" followed by the suite; one-line: "deb http://host/debian bookworm main".
    const uri =
      /^URIs:\s*(\S+\/debian)\s*$/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s+\S+/m.exec(text)?.[1];
    if (uri) return uri;
  }
  throw new DockerSetupError("images: found no Debian mirror in /etc/apt/sources.list(.d) for debootstrap");
}
const listDir = (dir) => (existsSync(dir) ? readdirSync(dir) : []);
const readText = (file) => (existsSync(file) ? readFileSync(file, "utf8") : "");

function ensureBaseImage(base) {
  if (haveImage(base)) return;
  const tarball = join(dockerCacheDir(), `debian-${DEBIAN_SUITE}-minbase.tar`);
  if (!existsSync(tarball)) {
    if (!which("debootstrap")) aptInstall("images (debootstrap)", ["debootstrap"]);
    const root = mkdtempSync(join(dockerCacheDir(), ".rootfs-"));
    try {
      const mirror = debianMirror();
      log(`images: debootstrap --variant=minbase ${DEBIAN_SUITE} from ${mirror}`);
      timed("debootstrap", () =>
        run("images (debootstrap)", "debootstrap", ["--variant=minbase", DEBIAN_SUITE, root, mirror]),
      );
      // apt inside the images: no recommends, no documentation, as Debian's official image.
      rmSync(join(root, "var", "cache", "apt", "archives"), { recursive: true, force: true });
      mkdirSync(join(root, "var", "cache", "apt", "archives", "partial"), { recursive: true });
      run("images (tar)", "tar", ["-C", root, "--numeric-owner", "-cf", `${tarball}.tmp`, "."]);
      renameSync(`${tarball}.tmp`, tarball);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  timed(`docker import ${base}`, () =>
    run("images (docker import)", "docker", ["import", "-c", 'CMD ["bash"]', tarball, base]),
  );
}

function buildLocalImages(roles) {
  const local = localImages();
  ensureBaseImage(local.base);
  const context = mkdtempSync(join(dockerCacheDir(), ".context-"));
  try {
    // One command under the CPU lock for all of them: waiting once for the lock, not per image.
    const script = roles
      .map((role) => {
        const dockerfile = join(repoRoot, "tools", "docker-images", `${role}.Dockerfile`);
        const files = contextFiles[role]?.(context) ?? [];
        const buildArgs = [`BASE=${local.base}`, ...files].flatMap((a) => ["--build-arg", a]);
        const argv = ["docker", "build", "-q", "-f", dockerfile, "-t", local[role], ...buildArgs, context];
        const t = `echo "[setup] docker: docker build ${local[role]}: $(($(date +%s) - t0)) s"`;
        return `t0=$(date +%s) && ${argv.map(shellQuote).join(" ")} && ${t}`;
      })
      .join(" && ");
    const [cmd, args] = underCpuLock("sh", ["-c", script]);
    timed(`images built (${roles.join(", ")})`, () => run("images (docker build)", cmd, args));
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

const shellQuote = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);

/** What each image's build copies from the host into the build context (npm packages). */
const contextFiles = {
  node(context) {
    // Node 22 from the npm package that carries the official Linux x64 binary, and npm from its own package.
    const dir = join(context, "node");
    run("images (node from npm)", "npm", [
      "install",
      "--prefix",
      dir,
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      `${NODE_PACKAGE}@${NODE_PACKAGE_VERSION}`,
      "npm@10",
    ]);
    // Where this host's Node trusts an extra CA bundle (a TLS-inspecting proxy between it and the
    // npm registry), the image's npm trusts the same bundle, or `npm install` in a build fails.
    const ca = process.env.NODE_EXTRA_CA_CERTS;
    mkdirSync(join(dir, "ca"), { recursive: true });
    if (ca && existsSync(ca)) copyFileSync(ca, join(dir, "ca", "host-ca.crt"));
    return [];
  },
};

// ---- entry -----------------------------------------------------------------------------------

/** Every step in order; throws DockerSetupError with the reason when one cannot be done. */
export function setUpDocker() {
  const t0 = Date.now();
  ensureEngine();
  ensureCompose();
  ensureDaemon();
  ensureImages();
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** For --doctor: what is there, without changing anything. */
export function dockerStatus() {
  const engine = engineVersion();
  const compose = composeVersion();
  const marker = readMarker();
  if (!engine || !compose) return null;
  return `engine ${engine}, compose ${compose}, images ${marker ? Object.values(marker.images).join(" ") : "official (no images.json)"}`;
}
