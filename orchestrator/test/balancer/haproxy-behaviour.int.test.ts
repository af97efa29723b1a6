// The generated HAProxy configuration under real HAProxy: each profile's answers to a request sent
// to a dead server, the app's own answers passed untouched, and the stats page's maint/ready.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haproxyPath } from "../../../tools/tool-paths.mjs";
import { haproxyConfig } from "../../src/balancer/haproxy-config.ts";
import { parseShowStat, statsPageAction } from "../../src/balancer/haproxy-stats.ts";
import { type HealthProfileName, healthProfiles } from "../../src/plan/health-profiles.ts";
import { ManagedChild } from "../../src/process/child.ts";
import { pollUntil } from "../../src/process/poll.ts";
import { freePorts } from "../../src/process/ports.ts";

const dir = mkdtempSync(join(tmpdir(), "fh-haproxy-behaviour-"));
const statsUri = "/fh-lb-stats";
let app: Server;
let appPort = 0;
const balancers: ManagedChild[] = [];

beforeAll(async () => {
  appPort = (await freePorts(1))[0]!;
  app = appServer();
  await new Promise<void>((resolve) => app.listen(appPort, "127.0.0.1", resolve));
});

afterAll(async () => {
  await Promise.all(balancers.map((b) => b.stop(3000)));
  await new Promise((resolve) => app.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** An app that answers like target-app: its own 503 (the store is down) carries X-Instance-Id. */
function appServer(): Server {
  return createServer((req, res) => {
    res.setHeader("X-Instance-Id", "app");
    res.statusCode = req.url === "/store-down" ? 503 : 200;
    res.end("ok");
  });
}

/**
 * HAProxy in front of one live server and, when asked, a victim: a server that answers until
 * HAProxy has seen it UP, then dies (its listener closed), as an instance just crashed. Checks are
 * a second apart with fall 3: the dead victim stays UP for the ~2 s the test needs.
 */
/** The stats page's credential in these tests; a run draws its own. */
const auth = { user: "fh", password: "test-password-1234" };
const authHeader = { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString("base64")}` };

/** The balancer's app URL, and its stats page's URL (its own listener, behind the credential). */
interface Balancer {
  url: string;
  stats: string;
}

async function balancer(profile: HealthProfileName, withVictim: boolean): Promise<Balancer> {
  const [port, victimPort, statsPort] = await freePorts(3);
  const victim = appServer();
  if (withVictim) await new Promise<void>((resolve) => victim.listen(victimPort, "127.0.0.1", resolve));
  const servers = [
    ...(withVictim ? [{ id: "victim", host: "127.0.0.1", port: victimPort! }] : []),
    { id: "live", host: "127.0.0.1", port: appPort },
  ];
  const config = join(dir, `${profile}-${port}.cfg`);
  writeFileSync(
    config,
    haproxyConfig({
      bind: { host: "127.0.0.1", port: port! },
      statsSocket: join(dir, `${port}.sock`),
      statsPage: { bind: { host: "127.0.0.1", port: statsPort! }, uri: statsUri, auth },
      servers,
      sticky: false,
      health: { ...healthProfiles[profile], intervalMs: 1000, fall: 3 },
    }),
  );
  const child = new ManagedChild({
    name: `lb-${profile}`,
    command: haproxyPath(),
    args: ["-db", "-f", config],
    echo: false,
  });
  balancers.push(child);
  const url = `http://127.0.0.1:${port}`;
  const stats = `http://127.0.0.1:${statsPort}${statsUri}`;
  await pollUntil(
    async () => {
      const res = await fetch(`${stats};csv`, { headers: authHeader });
      const states = parseShowStat(await res.text(), "app");
      // every server checked once and UP ("UP" without a pending "1/2")
      return [...states.values()].every((s) => s.status === "UP") && states.size === servers.length;
    },
    { timeoutMs: 5000, what: "HAProxy to see every server UP" },
  );
  if (withVictim) {
    // Past the first check of every server (within one interval of the start): the victim was seen
    // alive; it dies now and stays UP for at least the 3 failed checks (about 2 s) the test outlasts.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    victim.closeAllConnections();
    await new Promise((resolve) => victim.close(resolve));
  }
  return { url, stats };
}

async function statusOf(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

describe("HAProxy as each profile configures it (real HAProxy)", () => {
  it("a request to a dead server that is still UP: 502 as an ALB, 504 as a classic ELB; HAProxy retries it on the live one", async () => {
    for (const [profile, expected] of [
      ["aws-alb", 502],
      ["aws-elb", 504],
    ] as const) {
      const { url } = await balancer(profile, true);
      // round robin over the victim and the live server: every other request fails
      const answers = await Promise.all(Array.from({ length: 4 }, () => statusOf(`${url}/`)));
      expect(answers.sort(), profile).toEqual([200, 200, expected, expected].sort());
    }
    // fast: 3 retries, the last on another server: the users never see the dead one.
    const { url, stats: statsUrl } = await balancer("fast", true);
    const answers = await Promise.all(Array.from({ length: 6 }, () => statusOf(`${url}/`)));
    expect(answers).toEqual([200, 200, 200, 200, 200, 200]);
    const stats = parseShowStat(await (await fetch(`${statsUrl};csv`, { headers: authHeader })).text(), "app");
    const hidden = stats.get("victim")?.retried;
    expect((hidden?.retries ?? 0) + (hidden?.redispatches ?? 0)).toBeGreaterThan(0);
  });

  it("the app's own 503 passes untouched; a balancer with no server left answers 503", async () => {
    const { url, stats } = await balancer("aws-alb", false);
    expect(await statusOf(`${url}/store-down`)).toBe(503);
    await statsPageAction(stats, "app", "live", "maint", authHeader);
    const csv = await (await fetch(`${stats};csv`, { headers: authHeader })).text();
    expect(parseShowStat(csv, "app").get("live")?.status).toBe("MAINT");
    expect(await statusOf(`${url}/`)).toBe(503);
    await statsPageAction(stats, "app", "live", "ready", authHeader);
    expect(await statusOf(`${url}/`)).toBe(200);
    await expect(statsPageAction(stats, "app", "app-9", "maint", authHeader)).rejects.toThrow(/did not set app\/app-9/);
  });

  it("the admin interface is not on the app's port, and refuses a POST without the run's credential", async () => {
    const { url, stats } = await balancer("fast", false);
    // The app's port serves the app only: the stats path reaches the app (its 404), not HAProxy's page.
    const onAppPort = await fetch(`${url}${statsUri};csv`);
    expect(onAppPort.headers.get("x-instance-id")).toBe("app");
    expect(await onAppPort.text()).not.toContain("pxname");
    // A cross-site form POST (no credential) to the stats listener cannot put a server into MAINT.
    const forged = await fetch(stats, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "s=live&action=maint&b=app",
      redirect: "manual",
    });
    await forged.arrayBuffer();
    expect(forged.status).toBe(401);
    const csv = await (await fetch(`${stats};csv`, { headers: authHeader })).text();
    expect(parseShowStat(csv, "app").get("live")?.status).toBe("UP");
  });
});
