import { describe, expect, it } from "vitest";
import { BoundedQueue, END, OVERFLOW } from "../src/bounded-queue.ts";

describe("a subscriber's bounded queue", () => {
  it("hands items out in order and waits for the next one", async () => {
    const q = new BoundedQueue<number>(3);
    q.push(1);
    q.push(2);
    expect(await q.take()).toBe(1);
    expect(await q.take()).toBe(2);
    const pending = q.take();
    q.push(3);
    expect(await pending).toBe(3);
  });

  it("on overflow delivers what it holds, then OVERFLOW, and accepts nothing more", async () => {
    const q = new BoundedQueue<number>(2);
    for (const n of [1, 2, 3, 4]) q.push(n);
    expect([await q.take(), await q.take(), await q.take()]).toEqual([1, 2, OVERFLOW]);
    q.push(5);
    expect(await q.take()).toBe(OVERFLOW);
  });

  it("ends after the items it holds; close() drops them and wakes a waiting taker", async () => {
    const q = new BoundedQueue<number>(5);
    q.push(1);
    q.end();
    q.push(2);
    expect([await q.take(), await q.take()]).toEqual([1, END]);
    const r = new BoundedQueue<number>(5);
    const pending = r.take();
    r.push(7);
    await pending;
    r.push(8);
    r.close();
    expect(await r.take()).toBe(END);
  });
});
