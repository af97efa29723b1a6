import { describe, expect, it } from "vitest";
import { healthProfiles } from "../../../src/plan/health-profiles.ts";
import { haproxyConfig } from "../../../src/platforms/local/haproxy-config.ts";
import { parseShowStat } from "../../../src/platforms/local/haproxy-stats.ts";

const servers = [
  { id: "app-1", host: "127.0.0.1", port: 4001 },
  { id: "app-2", host: "127.0.0.1", port: 4002 },
];
const base = { bind: { host: "127.0.0.1", port: 8080 }, statsSocket: "/tmp/x.sock", servers };

describe("haproxyConfig", () => {
  it("sticky: cookie insert, a cookie per server, redispatch and retries", () => {
    const cfg = haproxyConfig({ ...base, sticky: true, health: healthProfiles.fast });
    expect(cfg).toContain("cookie FHSRV insert indirect nocache");
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

  it("applies the health profile's interval, fall, rise and timeout", () => {
    const cfg = haproxyConfig({ ...base, sticky: false, health: healthProfiles["aws-elb"] });
    expect(cfg).toContain("default-server check inter 30000ms fall 2 rise 10");
    expect(cfg).toContain("timeout check 5000ms");
    expect(cfg).toContain("option httpchk GET /ping.html");
    expect(cfg).toContain("bind 127.0.0.1:8080");
  });
});

describe("parseShowStat", () => {
  // Trimmed from a real `show stat` answer of HAProxy 2.6 (first columns and status kept in place).
  const header =
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight";
  const csv = [
    header,
    "web,FRONTEND,,,3,10,4096,200,0,0,0,0,0,,,,,OPEN,",
    "app,app-1,0,0,2,5,,90,0,0,,0,,0,0,0,0,UP,1",
    "app,app-2,0,0,0,5,,80,0,0,,0,,3,0,0,0,DOWN,1",
    "app,app-3,0,0,1,5,,80,0,0,,0,,0,0,0,0,UP 1/2,1",
    "app,app-4,0,0,0,5,,80,0,0,,0,,0,0,0,0,DOWN 1/2,1",
    "app,BACKEND,0,0,3,10,,250,0,0,0,0,,3,0,0,0,UP,3",
    "",
  ].join("\n");

  it("maps each server of the backend to UP/DOWN with its current sessions", () => {
    const states = parseShowStat(csv, "app");
    expect(Object.fromEntries(states)).toEqual({
      "app-1": { status: "UP", inFlight: 2 },
      "app-2": { status: "DOWN", inFlight: 0 },
      "app-3": { status: "UP", inFlight: 1 },
      "app-4": { status: "DOWN", inFlight: 0 },
    });
  });

  it("throws on an answer without the header", () => {
    expect(() => parseShowStat("Unknown command\n", "app")).toThrow(/no header/);
  });
});
