import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { haproxyConfig } from "../../src/balancer/haproxy-config.ts";
import { parseShowStat } from "../../src/balancer/haproxy-stats.ts";
import { healthProfiles } from "../../src/plan/health-profiles.ts";

const servers = [
  { id: "app-1", host: "127.0.0.1", port: 4001 },
  { id: "app-2", host: "127.0.0.1", port: 4002 },
];
const base = { bind: { host: "127.0.0.1", port: 8080 }, statsSocket: "/tmp/x.sock", servers };

describe("haproxyConfig", () => {
  it("sticky: cookie insert, a cookie per server, redispatch and retries", () => {
    const cfg = haproxyConfig({ ...base, sticky: true, health: healthProfiles.fast });
    expect(cfg).toContain("cookie FHSRV insert indirect nocache httponly");
    expect(cfg).toContain("server app-1 127.0.0.1:4001 cookie app-1");
    expect(cfg).toContain("option redispatch");
    expect(cfg).toMatch(/retries \d/);
  });

  it("round robin: no cookie", () => {
    const cfg = haproxyConfig({ ...base, sticky: false, health: healthProfiles.fast });
    expect(cfg).toContain("balance roundrobin");
    expect(cfg).not.toContain("cookie");
    expect(cfg).toContain("server app-2 127.0.0.1:4002\n");
  });

  it("checks the target's health path and names the server on each of its answers", () => {
    const cfg = haproxyConfig({ ...base, sticky: false, health: healthProfiles.fast, healthPath: "/health.php" });
    expect(cfg).toContain("option httpchk GET /health.php");
    expect(cfg).toContain("http-response set-header X-Served-By %s");
    expect(haproxyConfig({ ...base, sticky: false, health: healthProfiles.fast })).toContain("GET /ping.html");
  });

  it("applies the health profile's interval, fall, rise and timeout", () => {
    const cfg = haproxyConfig({ ...base, sticky: false, health: healthProfiles["aws-elb"] });
    expect(cfg).toContain("default-server check inter 30000ms fall 2 rise 10");
    expect(cfg).toContain("timeout check 5000ms");
    expect(cfg).toContain("option httpchk GET /ping.html");
    expect(cfg).toContain("bind 127.0.0.1:8080");
  });
});

describe("parseShowStat", () => {
  // A real `show stat` answer of HAProxy 2.6 (app-2 had no listener), with app-1's scur, eresp,
  // srv_abrt, wretr and wredis edited to 2, 3, 1, 5 and 1 so that each column is seen to land in its field
  // (srv_abrt in none: HAProxy counts it in eresp too).
  const csv = readFileSync(new URL("../fixtures/haproxy-show-stat.csv", import.meta.url), "utf8");

  it("maps each server of the backend to UP/DOWN, in-flight and aborted counts", () => {
    expect(Object.fromEntries(parseShowStat(csv, "app"))).toEqual({
      "app-1": { status: "UP", inFlight: 2, abortedTotal: 3, retried: { retries: 5, redispatches: 1 } },
      "app-2": { status: "DOWN", inFlight: 0, abortedTotal: 0, retried: { retries: 0, redispatches: 0 } },
    });
  });

  it("ignores other proxies", () => {
    expect(parseShowStat(csv, "web").size).toBe(0);
  });

  it("reads transitional states as the state they are still in", () => {
    const edited = csv.replace(/,UP,/, ",UP 1/2,").replace(/,DOWN,/, ",DOWN 1/2,");
    expect([...parseShowStat(edited, "app").values()].map((s) => s.status)).toEqual(["UP", "DOWN"]);
  });

  it("throws on an answer without the header", () => {
    expect(() => parseShowStat("Unknown command\n", "app")).toThrow(/no header/);
  });
});
