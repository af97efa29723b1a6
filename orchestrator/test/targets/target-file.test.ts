// The target file (orchestrator/src/targets/target-file.ts): a mistake is refused before anything starts, naming
// the file, the field and what was expected; the repository's own targets load.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { InputError } from "../../src/errors.ts";
import { loadTarget, parseTargetFile, targetNames } from "../../src/targets/target-file.ts";

/** A valid target file, as plain data, for each test to break in one place. */
function valid(): Record<string, unknown> {
  return {
    name: "my-app",
    summary: "an app",
    health: "/health",
    local: { command: ["my-app", "--port", "{port}"], env: { ID: "{instance}", DIR: "{sessionDir}" } },
    strategies: {
      sticky: { env: { HANDLER: "files" } },
      redis: { env: { HANDLER: "redis", ADDR: "tcp://{storeHost}:{storePort}" } },
    },
    protocol: {
      login: { path: "/login", fields: { name: "{username}" } },
      read: { path: "/me", user: { pattern: "user=(\\w+)" }, value: { pattern: "{key}=(\\w*)" } },
      loggedOut: { redirectTo: "/login" },
    },
    audit: {
      disk: { files: "^sess_", user: { pattern: "u=(\\w+)" } },
      redis: { keyPrefix: "S:", user: { json: "/u" } },
    },
  };
}

function refusal(data: unknown): string {
  try {
    parseTargetFile(stringify(data), "/x/targets/my-app/target.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("the file was accepted");
}

describe("a target file", () => {
  it("a valid one parses, with its defaults", () => {
    const target = parseTargetFile(stringify(valid()), "/x/targets/my-app/target.yaml");
    expect(target.dir).toBe("/x/targets/my-app");
    expect(target.scenarios).toEqual(["protocol-profile"]);
    expect(target.protocol.login.method).toBe("POST");
    expect(target.protocol.login.body).toBe("form");
  });

  it("an unknown placeholder is refused naming the file, the field and the value", () => {
    const data = valid();
    (data.local as { env: Record<string, string> }).env.DIR = "{sessionFolder}";
    const message = refusal(data);
    expect(message).toContain("/x/targets/my-app/target.yaml");
    expect(message).toContain(".local.env.DIR: unknown placeholder {sessionFolder}");
    expect(message).toContain('(got "{sessionFolder}")');
  });

  it("a store placeholder in a strategy without a shared store is refused", () => {
    const data = valid();
    (data.strategies as Record<string, { env: Record<string, string> }>).sticky!.env.ADDR = "{storePort}";
    expect(refusal(data)).toContain(".strategies.sticky.env.ADDR: unknown placeholder {storePort}");
  });

  it("a strategy without its environment is refused", () => {
    const data = valid();
    (data.strategies as Record<string, unknown>).sticky = {};
    expect(refusal(data)).toMatch(/\.strategies\.sticky\.env: .*expected record/i);
  });

  it("a strategy the harness does not know is refused with the list", () => {
    const data = valid();
    (data.strategies as Record<string, unknown>).memcached = { env: {} };
    expect(refusal(data)).toMatch(/\.strategies\.memcached: not a strategy: expected one of local, sticky/);
  });

  it("a protocol without a login is refused", () => {
    const data = valid();
    delete (data.protocol as Record<string, unknown>).login;
    expect(refusal(data)).toMatch(/\.protocol\.login: .*expected object/i);
  });

  it("a pattern that does not compile is refused", () => {
    const data = valid();
    (data.protocol as { read: { user: unknown } }).read.user = { pattern: "user=(\\w+" };
    expect(refusal(data)).toMatch(/\.protocol\.read\.user.*expected a regular expression that compiles/);
  });

  it("a pattern without a capture group is refused", () => {
    const data = valid();
    (data.protocol as { read: { value: unknown } }).read.value = { pattern: "{key}=\\w*" };
    expect(refusal(data)).toContain("capture group");
  });

  it("a logged-out signature with nothing in it is refused", () => {
    const data = valid();
    (data.protocol as Record<string, unknown>).loggedOut = {};
    expect(refusal(data)).toContain(".protocol.loggedOut: expected at least one of status, redirectTo, pattern");
  });

  it("a disk strategy needs the disk audit", () => {
    const data = valid();
    delete (data.audit as Record<string, unknown>).disk;
    expect(refusal(data)).toContain(".audit.disk: required by strategy sticky");
  });

  it("text that is not YAML is refused naming the file", () => {
    expect(() => parseTargetFile("name: [", "/x/t.yaml")).toThrow(/target file \/x\/t\.yaml: not valid YAML/);
  });

  it("an unknown --target name is refused with the targets there are", () => {
    expect(() => loadTarget("no-such-app")).toThrow(
      /--target "no-such-app": no such target; expected one of .*target-app/,
    );
  });

  it("the repository's targets load", () => {
    expect(targetNames()).toContain("target-app");
    for (const name of targetNames()) expect(loadTarget(name).name).toBe(name);
  });

  describe("its compose section", () => {
    const withCompose = (compose: Record<string, unknown>): Record<string, unknown> => ({
      ...valid(),
      platforms: ["local", "compose"],
      compose,
    });

    it("an image of the user's own parses, with the port's default", () => {
      const target = parseTargetFile(
        stringify(withCompose({ image: "my-app:1.2", env: { ID: "{instance}" } })),
        "/x/targets/my-app/target.yaml",
      );
      expect(target.compose).toEqual({ image: "my-app:1.2", env: { ID: "{instance}" }, port: 8080 });
    });

    it("platform compose without the section is refused", () => {
      expect(refusal({ ...valid(), platforms: ["local", "compose"] })).toContain(
        ".compose: required by platform compose: an image or a build",
      );
    });

    it("both an image and a build, or neither, is refused", () => {
      const both = refusal(withCompose({ image: "my-app:1.2", build: { dockerfile: "Dockerfile" } }));
      expect(both).toContain(".compose: expected exactly one of image");
      expect(refusal(withCompose({ env: {} }))).toContain(".compose: expected exactly one of image");
    });

    it("an image that is not a reference is refused with the value", () => {
      const message = refusal(withCompose({ image: "My App" }));
      expect(message).toContain(".compose.image: expected an image reference");
      expect(message).toContain('(got "My App")');
    });

    it("a host path placeholder inside the container is refused", () => {
      const message = refusal(withCompose({ image: "my-app", env: { DIR: "{targetDir}/x" } }));
      expect(message).toContain(".compose.env.DIR: unknown placeholder {targetDir}");
      const data = withCompose({ image: "my-app" });
      (data.strategies as Record<string, { env: Record<string, string> }>).sticky!.env.INI = "{targetDir}/php.ini";
      expect(refusal(data)).toContain(
        ".strategies.sticky.env.INI: {targetDir} is a path on the host, not inside a compose container",
      );
    });

    it("a build argument's unknown placeholder, and a Dockerfile that is not there, are refused", () => {
      expect(refusal(withCompose({ build: { args: { BASE: "{base}" } } }))).toContain(
        ".compose.build.args.BASE: unknown placeholder {base}: expected one of {baseImage}, {nodeImage}",
      );
      const message = refusal(withCompose({ build: { dockerfile: "Nope.Dockerfile" } }));
      expect(message).toContain(".compose.build.dockerfile: no such file /x/targets/my-app/Nope.Dockerfile");
    });
  });
});
