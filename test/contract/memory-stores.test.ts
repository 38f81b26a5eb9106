import { fixedClock } from "../../src/ports/clock";
import { createMemoryStores } from "../helpers/memory";
import { MONDAY_MORNING_EU } from "../helpers/routing-builders";
import { storesContract } from "./stores.contract";

storesContract("in memory", async () => ({
  ...createMemoryStores({ clock: fixedClock(MONDAY_MORNING_EU) }),
  teardown: () => Promise.resolve(),
}));
