// The target app: login and a key/value profile kept in an express-session store; HTML for people, JSON for scripts.
import express, { type NextFunction, type Request, type Response } from "express";
import session from "express-session";
import type { AppConfig } from "./config.ts";
import { describeError, HttpError } from "./http-errors.ts";
import { loginPage, profilePage } from "./pages.ts";
import { MaxAgeStore } from "./session-lifetime.ts";
import { type RequestStore, serverTiming, storeClockOf, timedStoreView, UntouchedStore } from "./store-timing.ts";
import { inRequestScope, RequestEndedError, RequestScope } from "./stores/session-lease.ts";
import type { SessionStore } from "./stores/session-store.ts";
import { touchDue } from "./touch-policy.ts";
import { MAX_PROFILE_FIELDS, parseLogin, parseProfileField, parseProfileKey } from "./validation.ts";

export const SESSION_COOKIE = "fh.sid";
const BODY_LIMIT = "16kb";

export interface AppDeps {
  config: AppConfig;
  store: SessionStore;
  /** True while the server drains at shutdown: answers then ask the client to close the connection. */
  isDraining?: () => boolean;
  /** The clock, in epoch milliseconds, for the sessions' absolute lifetime; tests replace it. */
  now?: () => number;
}

interface ProfileView {
  username: string;
  profile: Record<string, string>;
  instance: string;
}

// People get HTML; scripts (fetch, undici and curl send "Accept: */*") get JSON.
const wantsHtml = (req: Request) => req.accepts(["json", "html"]) === "html";

const promised = (run: (done: (err?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => run((err) => (err ? reject(err) : resolve())));

export function createApp({ config, store, isDraining, now = Date.now }: AppDeps): express.Express {
  const instance = config.instanceId;
  const app = express();
  app.disable("x-powered-by");
  // Behind a balancer that terminates TLS: believe its X-Forwarded-Proto, so that a Secure cookie is sent.
  if (config.trustProxy > 0) app.set("trust proxy", config.trustProxy);
  const cookieFlags = { httpOnly: true, sameSite: "lax", secure: config.cookieSecure, path: "/" } as const;

  // First, so that every answer (errors, 404s, health checks) names the instance.
  app.use((_req, res, next) => {
    res.setHeader("X-Instance-Id", instance);
    if (isDraining?.()) res.setHeader("Connection", "close");
    next();
  });

  // The load balancer's health check: mounted before the session middleware, it never touches the store.
  app.get("/ping.html", (_req, res) => {
    res.type("html").send(`<!doctype html><title>ping</title><p>ok ${instance}</p>\n`);
  });

  if (config.testRoutes) {
    // Test-only (TARGET_APP_TEST_ROUTES=1): a request that stays in flight, for graceful-shutdown tests.
    app.get("/__test/slow", (req, res) => {
      const ms = Math.min(Number(req.query.ms) || 0, 30_000);
      setTimeout(() => res.json({ slept: ms, instance }), ms);
    });
  }

  // Session routes from here on: a Server-Timing header with this request's store time and total time.
  app.use(serverTiming);
  app.use(express.json({ limit: BODY_LIMIT }), express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  // An absolute lifetime from login: an older session is a miss, and the request goes on as logged out.
  // express-session never sees the store's touch (it would touch from res.end, after the headers): the app does.
  const sessionStore = new UntouchedStore(new MaxAgeStore(store, config.sessionMaxAgeSeconds * 1000, now));
  const sessions = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store: sessionStore,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { ...cookieFlags, maxAge: config.sessionTtlSeconds * 1000 },
  });

  app.use((req, res, next) => {
    const clock = storeClockOf(res);
    // A locking store (dynamodb-locking, disk) holds the session from its load to the end of this request.
    const scope = new RequestScope();
    res.locals.requestScope = scope;
    res.locals.locksSessions = store.locksSessions;
    releaseBeforeEnd(res, scope, clock);
    const loaded = clock.begin();
    inRequestScope(scope, () =>
      sessions(req, res, (err?: unknown) => {
        loaded();
        // The session's own save, regenerate, destroy and reload go through req.sessionStore: timed from here on.
        req.sessionStore = timedStoreView(sessionStore, clock);
        next(err);
      }),
    );
  });

  // Touch (move the stored expiry) only when it would move by more than SESSION_TOUCH_AFTER_FRACTION of the TTL,
  // and before the answer, so that its time is in Server-Timing. A failed touch is logged; the answer goes on.
  const ttlMs = config.sessionTtlSeconds * 1000;
  app.use(async (req, _res, next) => {
    const sess = req.session;
    if (sess?.username !== undefined) {
      const storedExpiresMs = sess.cookie.expires?.getTime();
      sess.touch();
      const nextExpiresMs = sess.cookie.expires?.getTime() ?? Date.now() + ttlMs;
      if (touchDue(storedExpiresMs, nextExpiresMs, ttlMs, config.sessionTouchAfterFraction)) {
        const view = req.sessionStore as RequestStore;
        await promised((done) => view.touchNow(req.sessionID, sess, done)).catch((err: unknown) =>
          console.error(`[${instance}] ${req.method} ${req.path}: touch failed, expiry not moved: ${errorText(err)}`),
        );
      }
    }
    next();
  });

  const viewOf = (req: Request): ProfileView | null => {
    const username = req.session.username;
    if (username === undefined) return null;
    return { username, profile: { ...req.session.profile }, instance };
  };

  const requireLogin = (req: Request): ProfileView => {
    const view = viewOf(req);
    if (!view) throw new HttpError(401, "not logged in");
    return view;
  };

  const reply = (req: Request, res: Response, body: object) => {
    if (wantsHtml(req)) res.redirect(303, "/");
    else res.json(body);
  };

  const save = (req: Request) => promised((done) => req.session.save(done));

  if (config.testRoutes) {
    // Test-only: a logged-in request that holds its session (and a locking store's lock) for `ms`, for crash tests.
    app.get("/__test/hold", (req, res) => {
      const view = requireLogin(req);
      const ms = Math.min(Number(req.query.ms) || 0, 60_000);
      setTimeout(() => res.json(view), ms);
    });
  }

  app.get("/", (req, res) => {
    const view = viewOf(req);
    res.type("html").send(view ? profilePage(view.username, view.profile, instance) : loginPage(instance));
  });

  app.post("/login", async (req, res) => {
    const { username } = parseLogin(req.body);
    // A fresh session id at every login (no session fixation). A session loaded from the store (it has a
    // username: only logins save sessions) is destroyed and replaced; otherwise express-session has just
    // generated a new, never-stored id, and regenerating it would only cost a store round trip and a second save.
    if (req.session.username !== undefined) await promised((done) => req.session.regenerate(done));
    // The only route that creates a session: every other save updates one that still exists.
    (res.locals.requestScope as RequestScope).allowCreate(req.sessionID);
    req.session.username = username;
    req.session.profile = {};
    req.session.loginAt = now();
    await save(req);
    reply(req, res, requireLogin(req));
  });

  app.get("/profile", (req, res) => {
    res.json(requireLogin(req));
  });

  app.post("/profile", async (req, res) => {
    const view = requireLogin(req);
    const { key, value } = parseProfileField(req.body);
    if (!Object.hasOwn(view.profile, key) && Object.keys(view.profile).length >= MAX_PROFILE_FIELDS) {
      throw new HttpError(400, `profile already has ${MAX_PROFILE_FIELDS} fields, the maximum; delete one first`);
    }
    // Keys are validated (no __proto__, constructor, prototype), so this plain assignment cannot pollute.
    view.profile[key] = value;
    req.session.profile = view.profile;
    await save(req);
    reply(req, res, view);
  });

  app.delete("/profile/:key", async (req, res) => {
    const view = requireLogin(req);
    const key = parseProfileKey(req.params.key);
    if (!Object.hasOwn(view.profile, key)) throw new HttpError(404, `profile has no field ${JSON.stringify(key)}`);
    delete view.profile[key];
    req.session.profile = view.profile;
    await save(req);
    reply(req, res, view);
  });

  app.post("/logout", async (req, res) => {
    if (req.session.username !== undefined) await promised((done) => req.session.destroy(done));
    res.clearCookie(SESSION_COOKIE, cookieFlags);
    reply(req, res, { ok: true });
  });

  app.use((req, _res, next) => {
    next(new HttpError(404, `not found: ${req.method} ${req.path}`));
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof RequestEndedError) {
      // Nobody is left to answer; the refused save must be said, so that a lost write is never silent.
      console.warn(`[${instance}] ${req.method} ${req.path}: ${err.message}`);
      return;
    }
    const { status, message } = describeError(err, BODY_LIMIT);
    if (status >= 500) console.error(`[${instance}] ${req.method} ${req.path} -> ${status}: ${errorText(err)}`);
    if (res.headersSent) return; // e.g. a touch that failed after the answer was sent: logged above, nothing to add
    if (status === 503) {
      // The store just failed: do not let express-session save or touch this request's session when the
      // answer ends, which would make the client wait for a second store timeout.
      delete (req as { session?: unknown }).session;
    }
    res.status(status).json({ error: message });
  });

  return app;
}

/**
 * Ends the request's session leases (a lock's release) before its answer goes out, timed on the store clock; and
 * when the client goes away first. Wrapped before express-session wraps `res.end`, so that its save comes first.
 */
function releaseBeforeEnd(res: Response, scope: RequestScope, clock: ReturnType<typeof storeClockOf>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  let ending = false;
  res.end = ((...args: unknown[]) => {
    if (ending || !scope.holding) return end(...args);
    ending = true;
    const done = clock.begin();
    void scope.end().then(() => {
      done();
      end(...args);
    });
    return res;
  }) as Response["end"];
  res.once("close", () => void scope.end());
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
