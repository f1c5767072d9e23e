// cli: the `refrain` command.
export { exitCodeOf, main, VERSION } from "./main.js";
