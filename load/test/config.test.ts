// Config validation: each bad field is named with its value and what was expected; a good config comes back whole.
import { describe, expect, it } from "vitest";
import { isLoopbackHost, validateLoadConfig } from "../config.ts";
import { configFromArgs } from "../main.ts";
import { definitionProblems } from "../scenario.ts";

const good = {
  scenario: "login-profile",
  baseUrl: "http://127.0.0.1:8080/",
  rate: 50,
  sessions: 10,
  durationMs: 1000,
  requestTimeoutMs: 500,
  runId: "r1",
  recordsFile: "/tmp/x.gz",
};

function errorsOf(raw: unknown): string[] {
  const check = validateLoadConfig(raw);
  return check.ok ? [] : check.errors;
}

describe("validateLoadConfig", () => {
  it("accepts a good config, defaults workers to 1 and logoutAtEnd to false, trims the URL's slash", () => {
    expect(validateLoadConfig(good)).toEqual({
      ok: true,
      config: { ...good, baseUrl: "http://127.0.0.1:8080", workers: 1, logoutAtEnd: false, allowRemote: false },
    });
  });

  it("takes a host off this machine only with allowRemote (an ec2 run's balancer)", () => {
    const remote = { ...good, baseUrl: "http://fleet-alb-123.eu-west-1.elb.amazonaws.com" };
    expect(errorsOf(remote).join("\n")).toContain("expected an http:// URL on loopback");
    expect(errorsOf({ ...remote, allowRemote: true })).toEqual([]);
    expect(errorsOf({ ...remote, allowRemote: true, baseUrl: "https://x.example.com" }).join("\n")).toContain(
      "expected an http:// URL with no path",
    );
  });

  it.each([
    [{ sessions: 0 }, "sessions: 0: expected a whole number of people from 1 to 100000"],
    [{ sessions: 2.5 }, "sessions: 2.5: expected a whole number"],
    [{ rate: 0 }, "rate: 0: expected iterations per second, more than 0"],
    [{ rate: -3 }, "rate: -3: expected"],
    [{ rate: "50" }, 'rate: "50": expected'],
    [{ baseUrl: "http://10.0.0.5:8080" }, 'baseUrl: "http://10.0.0.5:8080": expected an http:// URL on loopback'],
    [{ baseUrl: "https://127.0.0.1" }, "baseUrl"],
    [{ baseUrl: "http://127.0.0.1:8080/app" }, "with no path"],
    [{ scenario: "" }, 'scenario: "": expected a scenario name'],
    [{ runId: "a b" }, 'runId: "a b": expected 1 to 64 of'],
    [{ durationMs: 0 }, "durationMs: 0: expected"],
    [{ requestTimeoutMs: 0 }, "requestTimeoutMs: 0: expected"],
    [{ workers: 0 }, "workers: 0: expected a whole number of worker threads"],
    [{ workers: 11 }, "workers: 11: expected at most sessions (10)"],
    [{ logoutAtEnd: "yes" }, 'logoutAtEnd: "yes": expected true or false'],
    [{ allowRemote: 1 }, "allowRemote: 1: expected true or false"],
    [{ sesions: 5 }, "sesions: 5: expected no such field"],
    [{ recordsFile: undefined }, "recordsFile: (missing): expected a file path"],
  ])("%j is refused: %s", (change, message) => {
    const errors = errorsOf({ ...good, ...change });
    expect(errors.join("\n")).toContain(message);
  });

  it("refuses what is not an object", () => {
    expect(errorsOf([1])).toEqual(["config: [1]: expected a JSON object (a LoadConfig, load/api.ts)"]);
  });
});

describe("isLoopbackHost", () => {
  it("takes 127.0.0.0/8, ::1 and localhost only", () => {
    expect(["127.0.0.1", "127.3.2.1", "localhost", "[::1]", "::1"].every(isLoopbackHost)).toBe(true);
    expect(["10.0.0.1", "192.168.1.1", "128.0.0.1", "127.0.0.256", "example.com", "0.0.0.0"].some(isLoopbackHost)).toBe(
      false,
    );
  });
});

describe("configFromArgs", () => {
  it("takes the JSON itself, --config FILE, or --help; anything else is a usage error", () => {
    expect(configFromArgs(['{"a":1}'])).toEqual({ raw: { a: 1 } });
    expect(configFromArgs(["--help"])).toEqual({ help: true });
    expect(configFromArgs(["--config"])).toEqual({ error: "--config: expected one file path, got []" });
    expect(configFromArgs(["--config", "/nonexistent/c.json"])).toMatchObject({
      error: expect.stringMatching(/cannot read it/),
    });
    expect(configFromArgs(["{nope"])).toMatchObject({ error: expect.stringMatching(/^config: not JSON/) });
    expect(configFromArgs(["run"])).toMatchObject({ error: expect.stringMatching(/expected --config FILE/) });
  });
});

describe("definitionProblems", () => {
  it("names what a scenario module's default export lacks", () => {
    expect(definitionProblems(undefined)).toEqual(["its default export is missing: expected defineScenario({...})"]);
    expect(definitionProblems({ name: "x", newState: () => ({}) })).toEqual([
      "iteration: expected an async function (context) => void",
    ]);
    expect(definitionProblems({ name: "", newState: 1, iteration: () => {}, connectionsPerPerson: 0 })).toEqual([
      "name: expected a non-empty string",
      "newState: expected a function (person) => state",
      "connectionsPerPerson: 0: expected a whole number from 1 to 64",
    ]);
    expect(definitionProblems({ name: "x", newState: () => ({}), iteration: async () => {} })).toEqual([]);
  });
});
