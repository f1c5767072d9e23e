// A `refrain worker` process for the PostgreSQL end-to-end test: the CLI's own entry, run by tsx.
import { main } from "../../src/cli/main.js";

process.exitCode = await main(["node", "refrain", "worker", ...process.argv.slice(2)]);
