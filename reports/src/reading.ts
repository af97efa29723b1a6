// The plain-language reading of a run and of a comparison, generated from the numbers (pure).

import type { RunEvent } from "../../orchestrator/src/run/events.ts";
import { FAILED_CLASSES } from "../../orchestrator/src/verdict/aggregate.ts";
import { firstFault } from "../../orchestrator/src/verdict/windows.ts";
import { formatCount, formatMs, formatSeconds, plural } from "./html.ts";
import type { RunView } from "./run-view.ts";
import { emulatorWarning, storeSentence } from "./store-time.ts";

type Audit = Extract<RunEvent, { type: "audit" }>;

function failedByClass(v: RunView): string {
  return FAILED_CLASSES.filter((c) => (v.values[`requests.failed.${c}`] ?? 0) > 0)
    .map((c) => `${formatCount(v.values[`requests.failed.${c}`])} ${/^\d/.test(c) ? `HTTP ${c}` : c}`)
    .join(", ");
}

/** What the run's faults did, as the reading needs it. */
interface FaultStory {
  /** The first fault, e.g. "crash app-2"; null when the run had none. */
  first: { action: string; target: string } | null;
  /** Instances the store audit looked at before they were taken away (in order, once each). */
  victims: string[];
  /** True when the audit found the sessions in a shared store, not on the instance. */
  shared: boolean;
  /** The shared store's own audit before a store fault (target "store"): its live sessions, when it ran. */
  storeLive: number | null;
}

function faultStory(events: readonly RunEvent[]): FaultStory {
  const first = firstFault(events);
  const audits = events.filter((e): e is Audit => e.type === "audit");
  return {
    first: first ? { action: first.action, target: first.target } : null,
    victims: [...new Set(audits.map((a) => a.target))],
    shared: audits.length > 0 && audits.every((a) => "shared" in a.detail && a.detail.shared),
    storeLive: ((audit) => (audit && "liveSessions" in audit.detail ? audit.detail.liveSessions : null))(
      audits.find((a) => a.target === "store"),
    ),
  };
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function sessionsSentence(v: RunView, story: FaultStory): string {
  const started = v.values["sessions.started"] ?? 0;
  const lost = v.values["sessions.lost"] ?? 0;
  const expected = v.values["sessions.lostExpected"];
  const of = `of ${plural(started, "session")} started`;
  if (!story.first) {
    if (lost === 0) return `${v.strategy} lost no session ${of}, with no fault.`;
    const why =
      v.strategy === "local" ? ": without stickiness, requests land on instances that do not hold the session" : "";
    return `${v.strategy} lost ${formatCount(lost)} ${of} without any fault${why}.`;
  }
  const victims = list(story.victims);
  if (story.victims.length === 0) {
    return lost === 0
      ? `${v.strategy} lost no session ${of} (fault: ${story.first.action} ${story.first.target}).`
      : `${v.strategy} lost ${formatCount(lost)} ${of} (fault: ${story.first.action} ${story.first.target}).`;
  }
  if (story.storeLive !== null && story.victims.length === 1) {
    // A store fault: the audit read the shared store itself, and said how many of its live sessions the fault loses.
    const fault = `${story.first.action} ${story.first.target}`;
    const audit = `the store audit found ${plural(story.storeLive, "live session")} just before the ${fault} and expected ${formatCount(expected ?? 0)} lost`;
    if (lost === 0) return `${v.strategy} lost no session ${of} (${audit}): the store kept them.`;
    return `${v.strategy} lost ${formatCount(lost)} ${of} (${audit}).`;
  }
  const where = `the store audit found on ${victims} just before ${story.victims.length === 1 ? "it was" : "they were"} taken away`;
  if (lost === 0) {
    if (story.shared) return `${v.strategy} lost no session ${of}: they live in the shared store, not on ${victims}.`;
    return expected
      ? `${v.strategy} lost no session ${of}, although ${where} held ${formatCount(expected)}.`
      : `${v.strategy} lost no session ${of}.`;
  }
  const homes = Object.entries(v.lostByHome)
    .map(([home, n]) => `${formatCount(n)} started on ${home}`)
    .join(", ");
  const head = `${v.strategy} lost ${formatCount(lost)} ${of}`;
  if (expected === null || expected === undefined) return `${head} (${homes}).`;
  if (lost === expected) return `${head} (all ${formatCount(expected)} that ${where}).`;
  if (lost < expected) return `${head} (${formatCount(lost)} of the ${formatCount(expected)} that ${where}).`;
  return `${head}: ${formatCount(lost - expected)} more than the ${formatCount(expected)} that ${where} (${homes}).`;
}

function failuresSentence(v: RunView, story: FaultStory): string {
  const failed = v.values["requests.failed.total"] ?? 0;
  const total = v.values["requests.total"] ?? 0;
  const inFlight = v.values["requests.inFlightAtFault"];
  if (failed === 0) return `No request of ${formatCount(total)} failed.`;
  const head = `${plural(failed, "request")} of ${formatCount(total)} failed (${failedByClass(v)})`;
  if (story.victims.length === 0 || inFlight === null || inFlight === undefined) return `${head}.`;
  const when = `on ${list(story.victims)} when ${story.victims.length === 1 ? "it was" : "they were"} taken away`;
  if (failed === inFlight) return `${head}: as many as the balancer had in flight ${when}.`;
  if (failed < inFlight) return `${head}; the balancer had ${formatCount(inFlight)} in flight ${when}.`;
  return `${head}: ${formatCount(failed - inFlight)} more than the ${formatCount(inFlight)} the balancer had in flight ${when}.`;
}

/**
 * What the balancer did with requests sent to a dead instance: hid them by retrying elsewhere
 * (HAProxy), or failed them until it marked the instance DOWN (an AWS balancer).
 */
function balancerSentence(v: RunView, story: FaultStory): string | null {
  const retries = v.values["requests.retriedByBalancer.retries"];
  const redispatches = v.values["requests.retriedByBalancer.redispatches"] ?? 0;
  const requests = v.values["undetected.requests"];
  const failed = v.values["undetected.failed"];
  const share = v.values["undetected.victimSharePercent"];
  const victim = story.victims[0];
  const sentences: string[] = [];
  if (retries !== null && retries !== undefined) {
    sentences.push(
      retries === 0 && redispatches === 0
        ? `The balancer retried no request on another instance${v.setup.balancer.startsWith("no retry") ? " (it does not retry, as an AWS load balancer does not)" : ""}.`
        : `The balancer retried ${plural(retries, "connection attempt")} and redispatched ${plural(redispatches, "request")} to another instance: failures it hid from the users.`,
    );
  }
  if (victim && requests && failed !== null && failed !== undefined) {
    const before =
      share === null || share === undefined ? "" : ` (${victim} had ${Math.round(share)} % of the traffic before)`;
    sentences.push(
      `While ${victim} was dead and still UP in the balancer's view, ${formatCount(failed)} of ${formatCount(requests)} requests failed${before}.`,
    );
  }
  return sentences.length > 0 ? sentences.join(" ") : null;
}

function dataSentence(v: RunView): string {
  const stale = v.values["reads.stale"] ?? 0;
  const indeterminate = v.values["writes.indeterminate"] ?? 0;
  if (stale === 0 && indeterminate === 0) return "No stale read and no indeterminate write.";
  return `${plural(stale, "stale read")} and ${plural(indeterminate, "indeterminate write")} (a write that failed and may or may not have been applied).`;
}

/** What became of the acknowledged writes (scenarios that record operations: concurrent-tabs); null otherwise. */
function updatesSentence(v: RunView): string | null {
  const lost = v.values["updates.lost"];
  const acknowledged = v.values["updates.acknowledged"] ?? 0;
  if (lost === null || lost === undefined) return null;
  const wait = v.values["lockWait.p95"];
  const waited =
    wait === null || wait === undefined
      ? ""
      : ` Requests waited for their session's lock ${formatMs(v.values["lockWait.p50"])} at p50 and ${formatMs(wait)} at p95.`;
  if (lost === 0) {
    return `No update was lost: every one of ${plural(acknowledged, "acknowledged write")} was in the next read.${waited}`;
  }
  return (
    `${formatCount(lost)} of ${plural(acknowledged, "acknowledged write")} were lost: answered 200, then missing from the next read, ` +
    `because an overlapping request of the same user saved its own copy of the session over them (last writer wins).${waited}`
  );
}

function timingSentence(v: RunView, story: FaultStory): string | null {
  const detection = v.values.detectionMs;
  const recovery = v.values.recoveryMs;
  const rejoin = v.values.rejoinMs;
  const parts: string[] = [];
  const first = story.first!;
  const victim = story.victims[0];
  if (detection !== null && detection !== undefined && victim) {
    parts.push(`The balancer marked ${victim} DOWN ${formatSeconds(detection)} after the ${first.action}`);
  }
  if (recovery !== null && recovery !== undefined) {
    parts.push(
      recovery === 0
        ? "the error rate never rose above its baseline"
        : `the error rate was back at its baseline ${formatSeconds(recovery)} after the fault`,
    );
  }
  if (rejoin !== null && rejoin !== undefined)
    parts.push(`the restored instance answered again ${formatSeconds(rejoin)} after it was brought back`);
  if (parts.length === 0) return null;
  const text = parts.join("; ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function latencySentence(v: RunView, fault: boolean): string | null {
  const p = (field: string) => v.values[field] ?? null;
  if (!fault) {
    const p95 = p("latency.overall.p95");
    if (p95 === null) return null;
    return `p95 latency ${formatMs(p95)}, p99 ${formatMs(p("latency.overall.p99"))}.`;
  }
  const windows = (["before", "during", "after"] as const)
    .filter((w) => p(`latency.${w}.p95`) !== null)
    .map((w) => `${formatMs(p(`latency.${w}.p95`))} ${w}`);
  if (windows.length === 0) return null;
  const p99 = p("latency.during.p99");
  return `p95 latency ${list(windows)} the fault${p99 === null ? "" : ` (p99 during: ${formatMs(p99)})`}.`;
}

/** A few sentences that say what happened in one run. */
export function runReading(v: RunView, events: readonly RunEvent[]): string[] {
  const lines: string[] = [];
  if (v.status !== "completed") {
    lines.push(
      `This run ${v.status === "failed" ? "failed" : "was interrupted"}${v.error ? ` (${v.error})` : ""}: the numbers cover only what was recorded.`,
    );
  }
  if (v.values["requests.total"] === null) {
    lines.push("There are no results to read: the load engine recorded nothing for this run.");
    return lines;
  }
  const story = faultStory(events);
  lines.push(sessionsSentence(v, story));
  lines.push(failuresSentence(v, story));
  const balancer = balancerSentence(v, story);
  if (balancer) lines.push(balancer);
  lines.push(dataSentence(v));
  const updates = updatesSentence(v);
  if (updates) lines.push(updates);
  const timing = story.first ? timingSentence(v, story) : null;
  if (timing) lines.push(timing);
  const latency = latencySentence(v, story.first !== null);
  if (latency) lines.push(latency);
  for (const line of [storeSentence(v), emulatorWarning(v)]) if (line) lines.push(line);
  if (v.trust.trustworthy === false) {
    lines.push(`Not trustworthy: ${v.trust.warnings.join("; ")}.`);
  }
  return lines;
}

/** Sentences that rank the runs against each other; empty for a single run. */
export function comparisonReading(views: readonly RunView[]): string[] {
  if (views.length < 2) return [];
  const withResults = views.filter((v) => v.values["requests.total"] !== null);
  if (withResults.length < 2) return [];
  const name = (v: RunView) =>
    views.filter((o) => o.strategy === v.strategy).length > 1 ? `${v.strategy} (${v.runId})` : v.strategy;
  const ranked = (field: string) =>
    [...withResults].sort(
      (a, b) => (a.values[field] ?? Number.POSITIVE_INFINITY) - (b.values[field] ?? Number.POSITIVE_INFINITY),
    );
  const lines: string[] = [];
  const lost = ranked("sessions.lost");
  lines.push(
    `Sessions lost: ${lost.map((v) => `${name(v)} ${formatCount(v.values["sessions.lost"])} of ${formatCount(v.values["sessions.started"])}`).join(", ")}.`,
  );
  const failed = ranked("requests.failed.total");
  lines.push(
    `Failed requests: ${failed.map((v) => `${name(v)} ${formatCount(v.values["requests.failed.total"])} of ${formatCount(v.values["requests.total"])}`).join(", ")}.`,
  );
  const withFault = withResults.filter((v) => v.values["latency.during.p95"] !== null);
  if (withFault.length > 0) {
    lines.push(
      `p95 latency during the fault: ${withFault.map((v) => `${name(v)} ${formatMs(v.values["latency.during.p95"])}`).join(", ")}.`,
    );
  }
  const tradeOff = lostUpdatesReading(withResults, name);
  if (tradeOff) lines.push(tradeOff);
  const untrusted = views.filter((v) => v.trust.trustworthy !== true);
  if (untrusted.length > 0) {
    lines.push(
      `Read with care: ${untrusted.map(name).join(", ")} ${untrusted.length === 1 ? "is" : "are"} not trustworthy (see the banner).`,
    );
  }
  return lines;
}

/** Lost updates against latency, in words: what a store that keeps every update costs in waiting. */
function lostUpdatesReading(views: readonly RunView[], name: (v: RunView) => string): string | null {
  const counted = views.filter((v) => v.values["updates.lost"] !== null && v.values["updates.lost"] !== undefined);
  if (counted.length === 0) return null;
  const figures = counted
    .map(
      (v) =>
        `${name(v)} lost ${formatCount(v.values["updates.lost"])} of ${formatCount(v.values["updates.acknowledged"])} acknowledged writes at p95 latency ${formatMs(v.values["latency.overall.p95"])}`,
    )
    .join("; ");
  const keeping = counted.filter((v) => v.values["updates.lost"] === 0);
  const losing = counted.filter((v) => (v.values["updates.lost"] ?? 0) > 0);
  let tradeOff = "";
  if (keeping.length > 0 && losing.length > 0) {
    const keeper = keeping[0]!;
    const loser = losing[0]!;
    const slower = (keeper.values["latency.overall.p95"] ?? 0) - (loser.values["latency.overall.p95"] ?? 0);
    tradeOff =
      ` The trade-off: ${name(keeper)} keeps every update by making a user's overlapping requests wait for each other` +
      `${keeper.values["lockWait.p95"] == null ? "" : ` (lock wait p95 ${formatMs(keeper.values["lockWait.p95"])})`}, ` +
      (slower > 0
        ? `which costs ${formatMs(slower)} of p95 latency against ${name(loser)}; ${name(loser)} answers without waiting and silently drops what the other tabs wrote.`
        : `at no p95 latency cost against ${name(loser)} in this run; ${name(loser)} silently drops what the other tabs wrote.`);
  }
  return `Lost updates versus latency: ${figures}.${tradeOff}`;
}
