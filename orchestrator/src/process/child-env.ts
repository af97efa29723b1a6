// The environment a child starts with: an allow-list of what programs need from ours, never a credential, plus its own.

/**
 * Inherited by every child when set: where programs are, the locale, temporary folders. Nothing that
 * authenticates (AWS_*, tokens, ...): a child that needs a setting gets it by name.
 */
export const inheritedVariables: readonly string[] = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "LC_NUMERIC",
  "TZ",
  "TMPDIR",
  "TERM",
];

/**
 * Keeps the AWS SDK (in the apps) from finding the user's credentials elsewhere than in the environment: no shared
 * credentials or config file, no instance role from the metadata service. A child that talks to AWS is given what it
 * needs explicitly (dynalite's dummy keys). And the SDK's documented switch for its multi-line notice that its
 * releases from January 2027 need Node 22: the apps run on this machine's Node (>= 20.19, package.json's engines),
 * and each would print it at start.
 */
const awsSdkSettings = {
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
} as const;

/** The allow-listed part of `parent`, then `own` (undefined values are left out). */
export function childEnv(
  own: Readonly<Record<string, string | undefined>> = {},
  parent: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...awsSdkSettings };
  for (const name of inheritedVariables) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(own)) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}
