// Fuzz test: malformed paths, methods, headers, cookies and bodies on every route never get a 5xx (seeded: FUZZ_SEED).
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiskStore } from "../src/stores/disk-store.ts";
import { Person, type RunningApp, startApp, testConfig } from "./helpers/app-server.ts";
import { describeRequest, type FuzzRequest, fuzzRequests, rawRequest } from "./helpers/fuzz-requests.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const COUNT = Number(process.env.FUZZ_COUNT ?? 600);

const root = mkdtempSync(join(tmpdir(), "fuzz-test-"));
let app: RunningApp;
const person = new Person();

beforeAll(async () => {
  const dir = join(root, "app-f");
  app = await startApp(testConfig("app-f", { kind: "disk", dir }), new DiskStore({ dir }));
  const login = await person.request(app.url, "POST", "/login", { json: { username: "fuzzer" } });
  expect(login.status).toBe(200);
  await person.request(app.url, "POST", "/profile", { json: { key: "k0", value: "v" } });
});
afterAll(async () => {
  await app?.close();
  await rm(root, { recursive: true, force: true });
});

/** Sends the raw bytes and returns the status of the answer (0 when the server closed without one). */
function send(request: FuzzRequest): Promise<number> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error("no answer within 5 s")));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      // The server may answer 4xx and close before reading everything we send: keep what came back.
      if (err.code === "ECONNRESET" || err.code === "EPIPE") return;
      reject(err);
    });
    socket.on("close", () => {
      // The final answer's status, after any interim 1xx answers.
      const text = Buffer.concat(chunks).toString("latin1");
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve(statuses.find((status) => status >= 200) ?? statuses.at(-1) ?? 0);
    });
    // Not end(): a half-closed client can make Node drop an answer still being computed; the server closes.
    socket.write(rawRequest(request, `${hostname}:${port}`));
  });
}

describe(`fuzzing every route (seed ${SEED}, ${COUNT} requests; FUZZ_SEED=... reproduces)`, () => {
  it("DELETE /profile/%zz is a 400 naming the bad encoding, not a 500", async () => {
    const res = await person.request(app.url, "DELETE", "/profile/%zz");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: expect.stringMatching(/%zz/) });
  });

  it("no malformed request gets a 5xx, and the app still serves afterwards", async () => {
    console.log(`fuzz: seed ${SEED}, ${COUNT} requests (FUZZ_SEED=${SEED} reproduces)`);
    const cookie = person.cookie ?? "";
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const request of fuzzRequests(SEED, COUNT, cookie)) {
      const status = await send(request);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status === 0) failures.push(`${status} <- ${describeRequest(request)}`);
    }
    console.log(`fuzz: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(failures, `seed ${SEED}`).toEqual([]);
    // More than one kind of answer: the generator reached past the first error path.
    expect(statuses.size).toBeGreaterThan(3);
    // The process still serves (the fuzzed requests may have logged the session out: log in afresh).
    const again = new Person();
    expect((await again.request(app.url, "POST", "/login", { json: { username: "after" } })).status).toBe(200);
    expect((await again.request(app.url, "GET", "/profile")).json).toMatchObject({ username: "after" });
  });
});
