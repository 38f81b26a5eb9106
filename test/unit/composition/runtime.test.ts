import { startHandoffRuntime } from "../../../src/composition/handoff-runtime";
import { fixedClock } from "../../../src/ports/clock";
import { silent } from "../../helpers/silent-logger";

describe("startHandoffRuntime", () => {
  it("when a worker is asked for without a pipeline, then start-up is refused instead of marking every event processed", async () => {
    await expect(
      startHandoffRuntime({
        databaseUrl: "postgres://nobody@127.0.0.1:1/none",
        logger: silent,
        publicUrl: "https://handoff.test",
        hubspotSecrets: ["s"],
        adminToken: "t",
        encryptionKey: "k",
        worker: true,
        now: fixedClock(new Date("2026-01-05T09:00:00Z")),
      }),
    ).rejects.toThrow("`worker: true` needs a pipeline");
  });
});
