// A second Ctrl-C on the compose platform still takes the project down: `npm run scenario
// --platform compose` against the recording docker stand-in, Ctrl-C to its process group, and
// again while the (slowed) `docker compose down` runs: the down completes before the exit, and
// run.json says the stop was forced. And SIGKILL to the orchestrator: its watchdog runs the down.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../../src/run/run-record.ts";
import { haveProc } from "../../helpers/process-tree.ts";
import { killNpmGroups, runNpm } from "../../helpers/run-npm.ts";

const fakeDocker = join(import.meta.dirname, "fake-docker", "docker");
const header =
  "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime";
const statsCsv = [
  header,
  "app,app-1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,5,0",
  "app,app-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,5,0",
  "",
].join("\n");

let stats: Server;
const dir = mkdtempSync(join(tmpdir(), "fh-compose-interrupt-"));

beforeAll(async () => {
  // HAProxy's stats page as the balancer would publish it: every server UP.
  stats = createServer((req, res) => {
    if (!req.url?.endsWith(";csv")) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/plain" }).end(statsCsv);
  });
  await new Promise<void>((resolve) => stats.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  killNpmGroups();
  await new Promise((resolve) => stats.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const calls = (path: string) =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[])
    : [];
const isDown = (args: string[]) => args[0] === "compose" && args.includes("down");

describe.skipIf(!haveProc)("compose: the project is taken down however the orchestrator ends", () => {
  it("the second Ctrl-C forces, and the compose project is still taken down before the exit", async () => {
    const log = join(dir, "docker-calls.jsonl");
    const slowMs = 3000;
    const env = {
      ...process.env,
      FH_DOCKER_BIN: fakeDocker,
      FAKE_DOCKER_LOG: log,
      FAKE_DOCKER_LB_PORT: String((stats.address() as AddressInfo).port),
      FAKE_DOCKER_SLOW_ON: "down",
      FAKE_DOCKER_SLOW_MS: String(slowMs),
    };
    let first = 0;
    let second = 0;
    let poll: NodeJS.Timeout | undefined;
    const args = ["--platform", "compose", "--strategy", "sticky", "--instances", "2", "--no-load"];
    const result = await runNpm(
      "scenario",
      [...args, "--duration", "30s", "--seed", "3", "--out", join(dir, "run")],
      (line, run) => {
        if (first || !/^\[run\] no load: applying the fault plan/.test(line)) return;
        first = Date.now();
        run.interrupt();
        // Once the tear-down's `down` has started (it takes slowMs), the person presses Ctrl-C again.
        poll = setInterval(() => {
          if (!calls(log).some(isDown)) return;
          clearInterval(poll);
          setTimeout(() => {
            second = Date.now();
            run.interrupt();
          }, 700);
        }, 50);
      },
      env,
    );
    clearInterval(poll);
    // Read as npm exits: a `down` left running behind the orchestrator would finish seconds later.
    const downsDoneAtExit = calls(`${log}.done`).filter(isDown);
    expect(first, result.output).toBeGreaterThan(0);
    expect(second, result.output).toBeGreaterThan(0);
    expect(result.status, result.output).toBe(130);
    expect(result.output).toMatch(/SIGINT again: forcing/);
    expect(result.output).toMatch(/forced stop: still running docker compose down of fh-/);
    // The one `down` was neither killed nor run twice, and it finished before the orchestrator exited.
    expect(calls(log).filter(isDown)).toHaveLength(1);
    expect(downsDoneAtExit).toHaveLength(1);
    expect(result.output).toMatch(/forced stop: docker compose down of fh-\S+ done/);
    // run.json is written as it stands, saying the stop was forced.
    const record = JSON.parse(readFileSync(join(dir, "run", "run.json"), "utf8")) as RunRecord;
    expect(record.status).toBe("interrupted");
    expect(record.error).toMatch(/interrupted by SIGINT; forced by a second signal/);
  });

  it("SIGKILL to the orchestrator: its watchdog still runs the project's docker compose down", async () => {
    const log = join(dir, "killed-calls.jsonl");
    const env = {
      ...process.env,
      FH_DOCKER_BIN: fakeDocker,
      FAKE_DOCKER_LOG: log,
      FAKE_DOCKER_LB_PORT: String((stats.address() as AddressInfo).port),
    };
    let orchestrator: number | undefined;
    const args = ["--platform", "compose", "--strategy", "sticky", "--instances", "2", "--no-load"];
    const result = await runNpm(
      "scenario",
      [...args, "--duration", "30s", "--seed", "3", "--out", join(dir, "killed")],
      (line, run) => {
        if (orchestrator || !/^\[run\] no load: applying the fault plan/.test(line)) return;
        orchestrator = run.tree().find((p) => p.command.includes("watchdog.mjs"))?.ppid;
        if (orchestrator) process.kill(orchestrator, "SIGKILL");
      },
      env,
    );
    expect(orchestrator, result.output).toBeDefined();
    // Killed during the run, before its own tear-down: a `down` can come only from the watchdog.
    const deadline = Date.now() + 10_000;
    while (!calls(log).some(isDown) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const down = calls(log).filter(isDown);
    expect(down, result.output).toHaveLength(1);
    expect(down[0]).toEqual(expect.arrayContaining(["compose", "-p", "down", "-v", "--remove-orphans"]));
  });
});
