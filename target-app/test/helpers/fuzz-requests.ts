// A seeded generator of malformed raw HTTP requests over every route (paths, methods, headers, cookies, bodies).
import { seededRandom } from "../../../orchestrator/src/plan/seed.ts";

export interface FuzzRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body: string;
}

const ROUTES = ["/", "/login", "/profile", "/profile/k0", "/logout", "/ping.html", "/nope"];
const METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS", "PROPFIND", "get", "X-EVIL"];

const PATHS = [
  "/profile/%zz",
  "/profile/%",
  "/profile/%E0%A4%A",
  "/profile/%C0%AF",
  "/profile/%00",
  "/profile/..%2f..%2fetc%2fpasswd",
  "/profile/__proto__",
  "/profile/constructor",
  "/profile/%5F%5Fproto%5F%5F",
  `/profile/${"k".repeat(5000)}`,
  "/profile/",
  "/profile//",
  "//profile",
  "/profile/k0/extra",
  "/profile?key=%zz",
  "/profile?%zz=1&a[b][c]=d",
  "/login?__proto__[x]=1",
  "/%zz",
  "/%ff%fe",
  "/ping.html%00",
  "/..",
  "/./profile",
  "*",
  "http://evil.example/profile",
];

const COOKIES = [
  "fh.sid=%zz",
  "fh.sid=s%3A",
  "fh.sid=s%3Aabc.def",
  "fh.sid=s:../../etc/passwd.x",
  `fh.sid=s%3A${"a".repeat(4000)}.sig`,
  "fh.sid=",
  "fh.sid",
  "fh.sid=a; fh.sid=b",
  "=; ==; fh.sid==",
  'fh.sid="quoted"',
  "__proto__=1; constructor=2",
  "fh.sid=s%3A%E0%A4%A.x",
];

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-16",
  "application/json; charset=nope",
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=latin1",
  "text/plain",
  "multipart/form-data; boundary=x",
  "application/json;;;=",
  "",
  "*/*",
];

const BODIES = [
  "",
  "{",
  '{"key":',
  "null",
  "[]",
  "123",
  '"string"',
  '{"username":{"$gt":""}}',
  '{"username":["a","b"]}',
  '{"key":"k0","value":null}',
  '{"key":"__proto__","value":"x"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  `{"username":"${"u".repeat(20_000)}"}`,
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  "username=%zz",
  "username=a&username=b",
  "key=k0&value=%E0%A4%A",
  "a[b][c]=d&__proto__[x]=y",
  "\u0000\u0001\u0002",
  "\ufeff{}",
  '{"key":"k0","value":"\\ud800"}',
];

const EXTRA_HEADERS: [string, string][] = [
  ["Accept", "text/html;q=abc"],
  ["Accept", "text/html"],
  ["Accept", ";;;,,,"],
  ["Accept", "application/json"],
  ["Accept-Encoding", "gzip;q=x"],
  ["Content-Encoding", "gzip"],
  ["Content-Encoding", "br, identity, x-nope"],
  ["X-Forwarded-For", "not-an-ip, 999.1.1.1"],
  ["X-Forwarded-Proto", "javascript"],
  ["Host", "%zz"],
  ["Transfer-Encoding", "identity"],
  ["Expect", "100-continue-no"],
  ["If-None-Match", '"*"'],
  ["Range", "bytes=9999999-1"],
  ["X-Long", "x".repeat(20_000)],
];

/** A reproducible stream of malformed requests: the same seed gives the same requests. */
export function fuzzRequests(seed: number, count: number, validCookie: string): FuzzRequest[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const requests: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    const headers: [string, string][] = [];
    const path = chance(0.5) ? pick(PATHS) : pick(ROUTES);
    const method = chance(0.8) ? pick(["GET", "POST", "DELETE"]) : pick(METHODS);
    if (chance(0.4)) headers.push(["Cookie", `fh.sid=${validCookie}`]);
    else if (chance(0.6)) headers.push(["Cookie", pick(COOKIES)]);
    const body = chance(0.7) ? pick(BODIES) : "";
    if (body !== "" || chance(0.3)) {
      const type = pick(CONTENT_TYPES);
      if (type !== "" || chance(0.5)) headers.push(["Content-Type", type]);
    }
    const extras = Math.floor(random() * 3);
    for (let j = 0; j < extras; j++) headers.push(pick(EXTRA_HEADERS));
    requests.push({ method, path, headers, body });
  }
  return requests;
}

/** The request as bytes on the wire: framing always valid (Content-Length true, connection closed after). */
export function rawRequest(request: FuzzRequest, host: string): Buffer {
  const body = Buffer.from(request.body, "utf8");
  const hasHost = request.headers.some(([name]) => name.toLowerCase() === "host");
  const lines = [
    `${request.method} ${request.path} HTTP/1.1`,
    ...(hasHost ? [] : [`Host: ${host}`]),
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${body.length}`,
    "Connection: close",
  ];
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body]);
}

/** One line describing a request, short enough for a failure message. */
export function describeRequest(request: FuzzRequest): string {
  const cut = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}...(${s.length})` : s);
  const headers = request.headers.map(([n, v]) => `${n}: ${cut(v)}`).join(" | ");
  return `${request.method} ${cut(request.path)} [${headers}] body=${JSON.stringify(cut(request.body))}`;
}
