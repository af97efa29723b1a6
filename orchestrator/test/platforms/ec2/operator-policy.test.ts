// infra/iam/failover-harness-operator.json: exactly the calls the ec2 platform makes, and every call that changes
// anything only on resources tagged failover-harness=allowed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { optInTag } from "../../../src/platforms/ec2/ec2-plan.ts";
import { repoRoot } from "../../helpers/run-cli.ts";

interface Statement {
  Effect: string;
  Action: string[];
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}
const policy = JSON.parse(readFileSync(join(repoRoot, "infra/iam/failover-harness-operator.json"), "utf8")) as {
  Statement: Statement[];
};

/** The API calls the ec2 platform's source sends, as IAM actions (from the commands it imports per client). */
function actionsInSource(): string[] {
  const services = {
    "@aws-sdk/client-ec2": "ec2",
    "@aws-sdk/client-elastic-load-balancing-v2": "elasticloadbalancing",
  };
  const actions = new Set<string>();
  for (const file of ["ec2-platform.ts", "fleet.ts", "aws-clients.ts"]) {
    const text = readFileSync(join(repoRoot, "orchestrator/src/platforms/ec2", file), "utf8");
    for (const [, names, from] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
      const service = services[from as keyof typeof services];
      if (!service) continue;
      for (const [, command] of (names ?? "").matchAll(/\b([A-Z][A-Za-z]+)Command\b/g)) {
        if (new RegExp(`new ${command}Command\\(`).test(text)) actions.add(`${service}:${command}`);
      }
    }
  }
  return [...actions].sort();
}

describe("the operator IAM policy", () => {
  it("allows exactly the calls the ec2 platform makes", () => {
    const allowed = policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action);
    expect(actionsInSource().length).toBeGreaterThan(5);
    expect([...allowed].sort()).toEqual(actionsInSource());
  });

  it("allows every call that changes something only on resources carrying the opt-in tag", () => {
    for (const statement of policy.Statement) {
      const mutating = statement.Action.filter((a) => !/:Describe/.test(a));
      if (mutating.length === 0) continue;
      expect(statement.Resource, statement.Action.join()).not.toBe("*");
      expect(statement.Condition, statement.Action.join()).toEqual({
        StringEquals: { [`aws:ResourceTag/${optInTag.key}`]: optInTag.value },
      });
    }
  });

  it("never lets the operator tag resources (which would opt them in)", () => {
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => /Tag|\*/.test(a))).toEqual([]);
  });
});
