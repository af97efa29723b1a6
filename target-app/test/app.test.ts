// HTTP tests of every route on real listening servers with disk stores in temporary folders.
import { mkdtempSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DiskStore } from "../src/stores/disk-store.ts";
import { type Answer, Person, type RunningApp, sessionIdOf, startApp, testConfig } from "./helpers/app-server.ts";

const root = mkdtempSync(join(tmpdir(), "app-test-"));
let a: RunningApp;
let b: RunningApp;

async function startDiskApp(id: string): Promise<RunningApp> {
  const dir = join(root, id);
  return startApp(testConfig(id, { kind: "disk", dir }), new DiskStore({ dir }));
}

beforeAll(async () => {
  a = await startDiskApp("app-a");
  b = await startDiskApp("app-b");
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await rm(root, { recursive: true, force: true });
});

const HTML = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

function expectError(answer: Answer, status: number, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get("x-instance-id")).toBe("app-a");
  expect(answer.json).toEqual({ error: expect.stringMatching(message) });
}

describe("routes without a session", () => {
  it("GET /ping.html answers 200 HTML and never sets a cookie or writes a session", async () => {
    const before = await readdir(join(root, "app-a"));
    const res = await new Person().request(a.url, "GET", "/ping.html");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("x-instance-id")).toBe("app-a");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await readdir(join(root, "app-a"))).toEqual(before);
  });

  it("GET / shows the login form and the instance", async () => {
    const res = await new Person().request(a.url, "GET", "/", { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<form method="post" action="/login">');
    expect(res.text).toContain("served by instance <strong");
    expect(res.text).toContain("app-a");
    expect(res.headers.get("set-cookie")).toBeNull(); // saveUninitialized: false
  });

  it("GET /profile is 401 with a JSON error", async () => {
    const res = await new Person().request(a.url, "GET", "/profile");
    expectError(res, 401, /^not logged in$/);
  });

  it("POST /profile and DELETE /profile/:key are 401", async () => {
    const person = new Person();
    expectError(
      await person.request(a.url, "POST", "/profile", { json: { key: "k", value: "v" } }),
      401,
      /not logged in/,
    );
    expectError(await person.request(a.url, "DELETE", "/profile/k"), 401, /not logged in/);
  });

  it("POST /logout without a session is fine", async () => {
    const res = await new Person().request(a.url, "POST", "/logout");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
  });

  it("unknown routes are 404 JSON naming the route", async () => {
    expectError(await new Person().request(a.url, "GET", "/nope"), 404, /^not found: GET \/nope$/);
  });
});

describe("login, profile, logout", () => {
  it("logs in with JSON, with an HttpOnly SameSite=Lax cookie, and writes the session file", async () => {
    const person = new Person();
    const res = await person.request(a.url, "POST", "/login", { json: { username: "alice@example.com" } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ username: "alice@example.com", profile: {}, instance: "app-a" });
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^fh\.sid=/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Expires=/);
    const sid = sessionIdOf(person.cookie);
    const file = JSON.parse(await readFile(join(root, "app-a", `${sid}.json`), "utf8"));
    expect(file.sess.username).toBe("alice@example.com");
    expect(file.expires).toBeGreaterThan(Date.now());
  });

  it("gives a new session id at every login", async () => {
    const person = new Person();
    await person.request(a.url, "POST", "/login", { json: { username: "first" } });
    const firstCookie = person.cookie;
    const first = sessionIdOf(firstCookie);
    await person.request(a.url, "POST", "/login", { json: { username: "second" } });
    const second = sessionIdOf(person.cookie);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect((await person.request(a.url, "GET", "/profile")).json).toMatchObject({ username: "second" });
    // The old session is gone: its cookie no longer logs anyone in.
    const old = new Person();
    old.cookie = firstCookie;
    expect((await old.request(a.url, "GET", "/profile")).status).toBe(401);
  });

  it("sets, reads, deletes profile fields and logs out (JSON)", async () => {
    const person = new Person();
    await person.request(a.url, "POST", "/login", { json: { username: "bob" } });
    let res = await person.request(a.url, "POST", "/profile", { json: { key: "colour", value: "blue" } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ username: "bob", profile: { colour: "blue" }, instance: "app-a" });
    res = await person.request(a.url, "POST", "/profile", { json: { key: "city", value: "Lyon" } });
    res = await person.request(a.url, "POST", "/profile", { json: { key: "colour", value: "" } });
    expect(res.json).toEqual({ username: "bob", profile: { colour: "", city: "Lyon" }, instance: "app-a" });

    res = await person.request(a.url, "GET", "/profile");
    expect(res.json).toEqual({ username: "bob", profile: { colour: "", city: "Lyon" }, instance: "app-a" });

    res = await person.request(a.url, "DELETE", "/profile/colour");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ username: "bob", profile: { city: "Lyon" }, instance: "app-a" });
    res = await person.request(a.url, "DELETE", "/profile/colour");
    expectError(res, 404, /^profile has no field "colour"$/);

    const cookie = person.cookie;
    res = await person.request(a.url, "POST", "/logout");
    expect(res.json).toEqual({ ok: true });
    expect(res.headers.get("set-cookie")).toMatch(/^fh\.sid=;.*Expires=Thu, 01 Jan 1970/);
    expect(await readdir(join(root, "app-a"))).not.toContain(`${sessionIdOf(cookie)}.json`);
    // Replaying the old cookie after logout: the session is gone.
    person.cookie = cookie;
    expect((await person.request(a.url, "GET", "/profile")).status).toBe(401);
  });

  it("serves people HTML: form login, 303 redirects, an escaped profile page", async () => {
    const person = new Person();
    let res = await person.request(a.url, "POST", "/login", { form: { username: "carol" }, headers: HTML });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    res = await person.request(a.url, "POST", "/profile", {
      form: { key: "bio", value: `<script>alert("x")</script> & 'co'` },
      headers: HTML,
    });
    expect(res.status).toBe(303);
    res = await person.request(a.url, "GET", "/", { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.text).toContain("carol");
    expect(res.text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;");
    expect(res.text).not.toContain("<script>");
    expect(res.text).toMatch(/served by instance <strong class="instance">app-a<\/strong>/);
    res = await person.request(a.url, "POST", "/logout", { headers: HTML });
    expect(res.status).toBe(303);
    expect((await person.request(a.url, "GET", "/", { headers: HTML })).text).toContain('action="/login"');
  });

  it("a session cookie from one disk instance is unknown (401) to another", async () => {
    const person = new Person();
    await person.request(a.url, "POST", "/login", { json: { username: "dan" } });
    expect((await person.request(a.url, "GET", "/profile")).status).toBe(200);
    const res = await person.request(b.url, "GET", "/profile");
    expect(res.status).toBe(401);
    expect(res.headers.get("x-instance-id")).toBe("app-b");
  });

  it("caps a profile at 50 fields, still allowing updates of existing ones", async () => {
    const person = new Person();
    await person.request(a.url, "POST", "/login", { json: { username: "erin" } });
    for (let i = 0; i < 50; i++) {
      expect((await person.request(a.url, "POST", "/profile", { json: { key: `k${i}`, value: "v" } })).status).toBe(
        200,
      );
    }
    expectError(
      await person.request(a.url, "POST", "/profile", { json: { key: "one-more", value: "v" } }),
      400,
      /50 fields, the maximum/,
    );
    expect((await person.request(a.url, "POST", "/profile", { json: { key: "k0", value: "w" } })).status).toBe(200);
  });
});

describe("bad input: a 4xx naming the problem, the instance keeps serving, the session is unchanged", () => {
  const person = new Person();
  const profile = { colour: "blue" };

  beforeAll(async () => {
    await person.request(a.url, "POST", "/login", { json: { username: "mallory" } });
    await person.request(a.url, "POST", "/profile", { json: { key: "colour", value: "blue" } });
  });

  beforeEach(async () => {
    expect((await person.request(a.url, "GET", "/profile")).json).toMatchObject({ profile });
  });

  async function expectUnchanged(): Promise<void> {
    expect((await person.request(a.url, "GET", "/ping.html")).status).toBe(200);
    const res = await person.request(a.url, "GET", "/profile");
    expect(res.json).toEqual({ username: "mallory", profile, instance: "app-a" });
    expect(Object.getPrototypeOf({}).polluted).toBeUndefined();
  }

  it.each(["__proto__", "constructor", "prototype"])("refuses the profile key %s", async (key) => {
    const res = await person.request(a.url, "POST", "/profile", { json: { key, value: "x" } });
    expectError(res, 400, new RegExp(`key "${key}" is not allowed: __proto__, constructor, prototype are reserved`));
    await expectUnchanged();
  });

  it.each(["__proto__", "constructor"])("refuses DELETE /profile/%s", async (key) => {
    expectError(await person.request(a.url, "DELETE", `/profile/${key}`), 400, /is not allowed/);
    await expectUnchanged();
  });

  it("refuses a __proto__ field in the JSON body (no prototype pollution)", async () => {
    const res = await person.request(a.url, "POST", "/profile", {
      raw: { body: '{"key":"colour","value":"red","__proto__":{"polluted":"yes"}}', type: "application/json" },
    });
    expectError(res, 400, /unknown field in request body: "__proto__" \(expected: key, value\)/);
    await expectUnchanged();
  });

  it("refuses unknown fields, naming them", async () => {
    const res = await person.request(a.url, "POST", "/profile", {
      json: { key: "colour", value: "red", extra: 1, more: 2 },
    });
    expectError(res, 400, /unknown fields in request body: "extra", "more"/);
    await expectUnchanged();
  });

  it.each([
    [42, "number"],
    [null, "null"],
    [["red"], "an array"],
    [{ nested: "red" }, "object"],
  ])("refuses the non-string value %j", async (value, kind) => {
    const res = await person.request(a.url, "POST", "/profile", { json: { key: "colour", value } });
    expectError(res, 400, new RegExp(`^value must be a string of at most 1024 characters, got ${kind}$`));
    await expectUnchanged();
  });

  it("refuses a value over 1024 characters and a bad key", async () => {
    expectError(
      await person.request(a.url, "POST", "/profile", { json: { key: "colour", value: "x".repeat(1025) } }),
      400,
      /^value is 1025 characters long: expected at most 1024$/,
    );
    expectError(
      await person.request(a.url, "POST", "/profile", { json: { key: "a b", value: "x" } }),
      400,
      /^key "a b" is not valid: expected 1 to 64 characters/,
    );
    expectError(await person.request(a.url, "POST", "/profile", { json: { value: "x" } }), 400, /^key is required/);
    await expectUnchanged();
  });

  it("refuses malformed JSON", async () => {
    const res = await person.request(a.url, "POST", "/profile", {
      raw: { body: '{"key": "colour", "value": ', type: "application/json" },
    });
    expectError(res, 400, /^malformed JSON body: /);
    await expectUnchanged();
  });

  it("refuses a JSON body that is not an object", async () => {
    const res = await person.request(a.url, "POST", "/profile", { raw: { body: "[1,2]", type: "application/json" } });
    expectError(res, 400, /^request body must be an object with key, value, got an array$/);
    await expectUnchanged();
  });

  it("refuses a 1 MB body with 413 naming the limit", async () => {
    const value = "x".repeat(1024 * 1024);
    const res = await person.request(a.url, "POST", "/profile", { json: { key: "colour", value } });
    expectError(res, 413, /^request body of \d+ bytes is larger than the limit of 16kb$/);
    const form = await person.request(a.url, "POST", "/profile", { form: { key: "colour", value } });
    expectError(form, 413, /larger than the limit of 16kb/);
    await expectUnchanged();
  });

  it("refuses a 10,000-character username and keeps the current session", async () => {
    const res = await person.request(a.url, "POST", "/login", { json: { username: "u".repeat(10_000) } });
    expectError(res, 400, /^username is 10000 characters long: expected 1 to 64 characters \[A-Za-z0-9_.@-\]$/);
    expect(res.text.length).toBeLessThan(200);
    await expectUnchanged();
  });

  it("refuses bad usernames: missing, not a string, bad characters, unknown fields", async () => {
    expectError(await person.request(a.url, "POST", "/login", { json: {} }), 400, /^username is required/);
    expectError(await person.request(a.url, "POST", "/login"), 400, /^username is required/);
    expectError(await person.request(a.url, "POST", "/login", { json: { username: 7 } }), 400, /got number/);
    expectError(
      await person.request(a.url, "POST", "/login", { json: { username: "<b>" } }),
      400,
      /^username "<b>" is not valid/,
    );
    expectError(
      await person.request(a.url, "POST", "/login", { json: { username: "ok", admin: true } }),
      400,
      /unknown field in request body: "admin"/,
    );
    await expectUnchanged();
  });
});
