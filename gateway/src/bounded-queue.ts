export const END = Symbol("end");
export const OVERFLOW = Symbol("overflow");

/**
 * A subscriber's pending events. Bounded: a subscriber that falls `limit` events behind is told
 * (SUBSCRIPTION_OVERFLOW) and ended, instead of silently missing events or growing without bound.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private ended = false;
  private overflowed = false;
  private wake: (() => void) | null = null;

  constructor(private readonly limit: number) {}

  push(item: T): void {
    if (this.ended || this.overflowed) return;
    if (this.items.length >= this.limit) this.overflowed = true;
    else this.items.push(item);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  close(): void {
    this.items = [];
    this.end();
  }

  async take(): Promise<T | typeof END | typeof OVERFLOW> {
    for (;;) {
      if (this.items.length) return this.items.shift()!;
      if (this.overflowed) return OVERFLOW;
      if (this.ended) return END;
      await new Promise<void>((r) => {
        this.wake = r;
      });
      this.wake = null;
    }
  }
}
