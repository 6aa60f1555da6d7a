import { DEFAULT_PORTS, int, str, SUBGRAPH_NAMES, type ContextName, type Setting } from "@junggo/runtime";

/** Base URL of every context's service (its internal dead-letter API). */
const contextUrls = Object.fromEntries(
  SUBGRAPH_NAMES.map((n) => [
    `${n}Url`,
    str({
      env: `${n.toUpperCase()}_URL`,
      format: "url",
      default: `http://127.0.0.1:${DEFAULT_PORTS[n]}`,
      description: `Base URL of ${n}'s service (its internal dead-letter API).`,
    }),
  ]),
) as Record<`${ContextName}Url`, Setting<string>>;

/** Dashboard's own settings: the staff's view of every context's dead letters. */
export const dashboardSettings = {
  ...contextUrls,
  deadLetterApiTimeoutMs: int({
    env: "DEAD_LETTER_API_TIMEOUT_MS",
    min: 1,
    default: 5000,
    description: "Per call to a context's dead-letter API (a slower context is reported unreachable).",
  }),
};
