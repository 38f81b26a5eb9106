import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { adminTokenNotice, loadOrCreateEmbeddedSecrets } from "../../../src/composition/embedded-secrets";

describe("the embedded default's admin token notice", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "handoff-secrets-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const startNotice = () => {
    const secrets = loadOrCreateEmbeddedSecrets(dataDir);
    return {
      secrets,
      notice: adminTokenNotice({ created: secrets.created, token: secrets.adminToken, dataDir }),
    };
  };

  it("when the first start creates the token, then it prints the token and where it is kept", () => {
    const first = startNotice();
    expect(first.secrets.created).toBe(true);
    expect(first.notice).toContain(first.secrets.adminToken);
    expect(first.notice).toContain(path.join(dataDir, "secrets.json"));
  });

  it("when a later start finds the token, then it prints only where it lives, never the token", () => {
    const first = startNotice();
    const second = startNotice();
    expect(second.secrets.created).toBe(false);
    expect(second.secrets.adminToken).toBe(first.secrets.adminToken);
    expect(second.notice).not.toContain(first.secrets.adminToken);
    expect(second.notice).toContain(path.join(dataDir, "secrets.json"));
    expect(second.notice).toContain("printed on the first start only");
  });
});
