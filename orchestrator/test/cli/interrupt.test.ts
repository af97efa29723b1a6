// The Ctrl-C counter: one person's Ctrl-C, relayed by npm and tsx, counts once; a later one forces.
import { describe, expect, it } from "vitest";
import { InterruptCounter, relayWindowMs } from "../../src/cli/interrupt.ts";

describe("InterruptCounter", () => {
  it("counts copies within the window once, and forces on a signal after it", () => {
    const counter = new InterruptCounter(500);
    expect(counter.next(1000)).toBe("stop");
    expect(counter.next(1003)).toBe("relayed");
    expect(counter.next(1499)).toBe("relayed");
    expect(counter.next(1500)).toBe("force");
    expect(counter.next(1501)).toBe("forcing");
    expect(counter.next(9000)).toBe("forcing");
  });

  it("a single signal only stops; the default window is half a second", () => {
    const counter = new InterruptCounter();
    expect(relayWindowMs).toBe(500);
    expect(counter.next(0)).toBe("stop");
    expect(counter.next(relayWindowMs - 1)).toBe("relayed");
    expect(counter.next(relayWindowMs)).toBe("force");
  });
});
