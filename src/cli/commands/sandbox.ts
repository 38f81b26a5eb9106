import type { Command } from "commander";

/** Registers the `handoff` sub-commands of this area. */
export function register(_program: Command): void {}
