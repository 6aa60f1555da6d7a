// A minimal service for the supervisor tests: GET /healthz answers 200. CRASH_AFTER_MS makes it
// exit(1) that long after it started listening; SICK_AFTER_MS makes /healthz answer 503 from then on.
import { createServer } from "node:http";

const startedAt = Date.now();
const sickAfter = Number(process.env.SICK_AFTER_MS ?? 0);
const server = createServer((req, res) => {
  if (req.url !== "/healthz") return res.writeHead(404).end();
  const sick = sickAfter > 0 && Date.now() - startedAt >= sickAfter;
  res.writeHead(sick ? 503 : 200).end(sick ? "sick" : "ok");
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => {
  const crashAfter = Number(process.env.CRASH_AFTER_MS ?? 0);
  if (crashAfter > 0) setTimeout(() => process.exit(1), crashAfter);
});
