// childEnv: children inherit an allow-list of our environment (never a credential) plus their own settings.
import { describe, expect, it } from "vitest";
import { childEnv } from "../../src/process/child-env.ts";

const parent = {
  PATH: "/usr/bin:/bin",
  HOME: "/root",
  LANG: "C.UTF-8",
  AWS_ACCESS_KEY_ID: "AKIAREALUSERKEY",
  AWS_SECRET_ACCESS_KEY: "real-secret",
  AWS_SESSION_TOKEN: "real-token",
  AWS_PROFILE: "prod",
  NPM_TOKEN: "npm-token",
  GITHUB_TOKEN: "ghp_x",
  NODE_OPTIONS: "--require /tmp/evil.js",
  FH_SESSION_SECRET: "compose-secret",
};

describe("childEnv", () => {
  it("keeps PATH, HOME and the locale, and nothing secret", () => {
    const env = childEnv({}, parent);
    expect(env).toMatchObject({ PATH: "/usr/bin:/bin", HOME: "/root", LANG: "C.UTF-8" });
    for (const name of Object.keys(parent).filter((n) => !["PATH", "HOME", "LANG"].includes(n))) {
      expect(env[name], name).toBeUndefined();
    }
    expect(JSON.stringify(env)).not.toMatch(/real-secret|real-token|AKIAREAL|npm-token|ghp_|compose-secret/);
  });

  it("closes the AWS SDK's other ways to find credentials (shared files, instance role)", () => {
    expect(childEnv({}, parent)).toMatchObject({
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
    });
  });

  it("adds the child's own settings, which win, and leaves out undefined ones", () => {
    const env = childEnv({ AWS_ACCESS_KEY_ID: "local", PATH: "/opt/bin", UNSET: undefined }, parent);
    expect(env.AWS_ACCESS_KEY_ID).toBe("local");
    expect(env.PATH).toBe("/opt/bin");
    expect("UNSET" in env).toBe(false);
  });
});
