// Reserves ports with `freePort` until none is left in JUNGGO_PORT_RANGE, prints them as JSON and
// exits (which gives them back): another process, competing with the test's own reservations.
import { freePort } from "../../src/ports.ts";

const got: number[] = [];
for (;;) {
  try {
    got.push(await freePort());
  } catch {
    break;
  }
}
process.stdout.write(JSON.stringify(got));
