import type { Logger } from "../../src/ports/logger";

/** A logger that drops everything, for tests that do not assert on log lines. */
export const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
