// Starts dynalite (npm `dynalite`: DynamoDB on LevelDB) as dynalite's own CLI does, refusing every request a
// browser sends (one with an Origin header: dynalite would answer it with CORS for any origin), so that no web
// page can read or write the sessions. Plain CommonJS with dynalite as its only dependency: the container image
// runs this same file.
//   node serve.cjs --host 127.0.0.1 --port 8000 [--path DIR]
"use strict";
const dynalite = require("dynalite");

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const host = option("--host");
const port = Number(option("--port"));
const path = option("--path");
if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`serve.cjs: expected --host HOST --port PORT [--path DIR], got ${JSON.stringify(args)}`);
  process.exit(2);
}

const server = dynalite(path ? { path } : {});
const [handler] = server.listeners("request");
server.removeAllListeners("request");
server.on("request", (req, res) => {
  if (req.headers.origin !== undefined) {
    res.writeHead(403, { "content-type": "text/plain" });
    res.end("requests from a browser are refused\n");
    return;
  }
  handler.call(server, req, res);
});
server.listen(port, host, () => {
  console.log(
    `dynalite ${require("dynalite/package.json").version} listening on http://${host}:${port} (${path ? `on disk in ${path}` : "in memory"})`,
  );
});
// As a container's PID 1 (without an init) SIGINT and SIGTERM would not end it.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
