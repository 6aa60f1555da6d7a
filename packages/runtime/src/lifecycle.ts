import type { Logger } from "./logger.ts";

/** One part of a process that is started, then stopped on shutdown (database, bus, server, …). */
export interface Component {
  name: string;
  start?: () => unknown;
  stop?: () => unknown;
}

/**
 * A process's parts, started in order and stopped in reverse: the shutdown order is the list of
 * components, not code. A part that fails to start stops the ones already started (reverse order)
 * and the error is rethrown; a part that fails to stop is logged and the others still stop.
 */
export class Lifecycle {
  private readonly started: Component[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly log: Logger) {}

  /** Names of the started components, in start order. */
  get names(): string[] {
    return this.started.map((c) => c.name);
  }

  /** Starts `component` now, after every component started before it. */
  async start<C extends Component>(component: C): Promise<C> {
    if (this.stopping) throw new Error(`cannot start ${component.name}: shutting down`);
    try {
      await component.start?.();
    } catch (err) {
      this.log.error("start failed", { component: component.name, err });
      await this.stop();
      throw err;
    }
    this.started.push(component);
    return component;
  }

  /** Stops every started component in reverse order, once (later calls share the first). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const c of [...this.started].reverse()) {
        try {
          await c.stop?.();
        } catch (err) {
          failures.push(err);
          this.log.error("stop failed", { component: c.name, err });
        }
      }
      if (failures.length)
        throw new AggregateError(failures, `${failures.length} component(s) failed to stop`);
    })();
    return this.stopping;
  }
}
