import { startRuntime } from "../../../src/composition/runtime";
import { silent } from "../../helpers/silent-logger";

describe("startRuntime", () => {
  it("when a worker is asked for without a pipeline, then start-up is refused instead of marking every event processed", async () => {
    await expect(
      startRuntime({
        databaseUrl: "postgres://nobody@127.0.0.1:1/none",
        logger: silent,
        publicUrl: "https://handoff.test",
        hubspotSecrets: ["s"],
        adminToken: "t",
        encryptionKey: "k",
        worker: true,
      }),
    ).rejects.toThrow("`worker: true` needs a pipeline");
  });
});
