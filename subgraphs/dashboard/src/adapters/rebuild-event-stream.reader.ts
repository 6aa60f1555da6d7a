import { EVENT_STREAM, type EventEnvelope } from "@junggo/events";
import type { EventBus } from "@junggo/runtime";
import type { EventStreamReader, StreamMessage } from "../app/rebuild-dashboard.use-case.ts";

const BATCH = 500;
/** Empty pulls in a row before giving up on reaching the snapshot's last sequence. */
const MAX_EMPTY_PULLS = 3;

function parse(data: Uint8Array): EventEnvelope | null {
  try {
    const e = JSON.parse(new TextDecoder().decode(data)) as EventEnvelope;
    return e && typeof e.eventId === "string" && typeof e.type === "string" && e.payload ? e : null;
  } catch {
    return null;
  }
}

/**
 * Reads JUNGGO_EVENTS from sequence 1 with an ordered consumer: ephemeral, in memory, no acks,
 * deleted when the read ends (and dropped by the server within a minute if this process dies).
 * No durable is created, so the read leaves nothing behind.
 */
export function jetStreamReader(bus: EventBus): EventStreamReader {
  return {
    async snapshot() {
      const { state } = await bus.jsm().streams.info(EVENT_STREAM);
      return {
        firstSeq: state.first_seq,
        lastSeq: state.last_seq,
        messages: state.messages,
        deleted: state.num_deleted ?? 0,
      };
    },

    async *read(lastSeq): AsyncIterable<StreamMessage> {
      const consumer = await bus
        .js()
        .consumers.get(EVENT_STREAM, { opt_start_seq: 1, inactive_threshold: 60_000 });
      try {
        let seq = 0;
        let empty = 0;
        while (seq < lastSeq) {
          const batch = await consumer.fetch({ max_messages: BATCH, expires: 2000 });
          let got = 0;
          for await (const m of batch) {
            got++;
            seq = m.seq;
            if (seq > lastSeq) break;
            yield { seq, event: parse(m.data) };
            if (seq === lastSeq) break;
          }
          // A silent stream before the last sequence means messages vanished while reading:
          // better no rebuild than a partial one.
          empty = got === 0 ? empty + 1 : 0;
          if (empty >= MAX_EMPTY_PULLS)
            throw new Error(`the event stream stopped at sequence ${seq}, before ${lastSeq}`);
        }
      } finally {
        await consumer.delete().catch(() => {});
      }
    },
  };
}
