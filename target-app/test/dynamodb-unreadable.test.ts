// A corrupt DynamoDB item is a counted miss, never a 503 for ever (a stub client; no DynamoDB server needed).
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it, vi } from "vitest";
import { readSessionItem } from "../src/stores/dynamodb-item.ts";
import { DynamoDbStore } from "../src/stores/dynamodb-store.ts";
import { storeGet } from "./store-contract.ts";

const NOW = 1_800_000_000_000;
const later = String(NOW / 1000 + 600);
type Item = Record<string, AttributeValue>;

/** A client whose every GetItem answers `item`. */
function storeAnswering(item: Item | undefined): DynamoDbStore {
  const client = { send: async () => ({ Item: item }), destroy: () => undefined } as unknown as DynamoDBClient;
  return new DynamoDbStore({ client, table: "sessions", now: () => NOW });
}

describe("readSessionItem", () => {
  it("reads a session, a missing item, an expired item", () => {
    expect(readSessionItem({ id: { S: "a" }, data: { S: '{"username":"u"}' }, expires: { N: later } }, NOW)).toEqual({
      kind: "session",
      sess: { username: "u" },
      expiresMs: (NOW / 1000 + 600) * 1000,
    });
    expect(readSessionItem(undefined, NOW)).toEqual({ kind: "miss" });
    expect(readSessionItem({ data: { S: "{" }, expires: { N: String(NOW / 1000 - 1) } }, NOW)).toEqual({
      kind: "miss",
    });
  });

  it.each<[string, Item]>([
    ["bad JSON", { data: { S: '{"username":' }, expires: { N: later } }],
    ["JSON that is not an object", { data: { S: "42" }, expires: { N: later } }],
    ["a JSON array", { data: { S: "[]" }, expires: { N: later } }],
    ["data of another type", { data: { N: "1" }, expires: { N: later } }],
    ["no expires", { data: { S: "{}" } }],
    ["expires not a number", { data: { S: "{}" }, expires: { N: "soon" } }],
  ])("calls an item with %s unreadable", (_name, item) => {
    expect(readSessionItem(item, NOW)).toMatchObject({ kind: "unreadable", reason: expect.any(String) });
  });
});

describe("DynamoDbStore and an unreadable item", () => {
  it("answers a miss (not an error), counts it and logs it without the whole session id", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const store = storeAnswering({ id: { S: "sid" }, data: { S: "{corrupt" }, expires: { N: later } });
    const sid = "abcdefSECRETPART0123456789";
    await expect(storeGet(store, sid)).resolves.toBeNull();
    await expect(storeGet(store, sid)).resolves.toBeNull();
    expect(store.unreadableSessions).toBe(2);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[1]?.[0])).toMatch(/item abcdef\.\.\. in sessions is not a session .*\(2 so far\)/);
    expect(String(warn.mock.calls[0]?.[0])).not.toContain("SECRETPART");
    warn.mockRestore();
  });

  it("does not count a plain miss", async () => {
    const store = storeAnswering(undefined);
    await expect(storeGet(store, "nobody")).resolves.toBeNull();
    expect(store.unreadableSessions).toBe(0);
  });
});
