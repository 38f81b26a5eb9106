import type { Clock } from "../ports/clock";

/**
 * The machine's clock. Only the composition roots (`src/main.ts`, `src/cli/index.ts`, `src/composition/`) read it;
 * everything else is handed a `Clock`.
 */
export const systemClock: Clock = () => new Date();
