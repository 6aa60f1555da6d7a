// `npm run bench -- [options]`: see bench/options.ts (or --help).
import { runBench } from "./bench.ts";
import { parseOptions, USAGE, UsageError } from "./options.ts";
import { formatReport } from "./report.ts";

let opts: ReturnType<typeof parseOptions>;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`bench: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (opts === "help") {
  console.log(USAGE);
  process.exit(0);
}
try {
  const result = await runBench(opts);
  console.log(`\n${formatReport(result)}`);
  process.exit(0);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
