// Entry point of one target-app instance: configuration from the environment, listen, drain gracefully on SIGTERM
// (and on Ctrl-C when run by hand; under the orchestrator, FH_SUPERVISED=1, only the orchestrator stops it).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.ts";
import { type AppConfig, ConfigError, parseConfig } from "./config.ts";
import { createStore } from "./stores/index.ts";

const EXIT_BAD_CONFIG = 2;

function readConfig(): AppConfig {
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`target-app: ${err.message}`);
    process.exit(EXIT_BAD_CONFIG);
  }
}

function main(): void {
  const config = readConfig();
  const tag = `[${config.instanceId}]`;
  const store = createStore(config);
  let draining = false;
  const server = createServer(createApp({ config, store, isDraining: () => draining }));

  server.once("error", (err) => {
    console.error(`target-app: cannot listen on ${config.host}:${config.port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    console.log(`${tag} listening on http://${config.host}:${port} (store=${store.kind})`);
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    console.log(`${tag} ${signal}: finishing requests in flight, then exiting`);
    const force = setTimeout(() => {
      console.error(`${tag} shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting now`);
      process.exit(1);
    }, config.shutdownTimeoutMs);

    // Stop accepting; close keep-alive connections as soon as they are idle (a request in flight finishes first).
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(idle);
      store
        .close()
        .catch((err: unknown) => console.error(`${tag} closing the session store failed: ${err}`))
        .finally(() => {
          clearTimeout(force);
          console.log(`${tag} stopped`);
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", shutdown);
  // Under the orchestrator a stray SIGINT is ignored: it stops instances with SIGTERM, when it decides.
  if (process.env.FH_SUPERVISED === "1") process.on("SIGINT", () => {});
  else process.on("SIGINT", shutdown);
}

main();
