import { planPublish, SlaPublishRefusedError, type VersionFacts } from "../../../src/domain/sla-publish";

const version = (over: Partial<VersionFacts> = {}): VersionFacts => ({
  hash: "sha256:aaaa",
  name: "Acme SLA",
  version: 2,
  effective: "2026-12-01",
  status: "draft",
  ...over,
});

const facts = (over: Partial<Parameters<typeof planPublish>[0]> = {}) => ({
  connectionId: "hs-1",
  hash: "sha256:aaaa",
  candidate: version(),
  signedBy: ["marketing", "sales"] as const,
  others: [],
  ...over,
});

describe("the SLA publish policy", () => {
  it("when the hash was never stored, then it is refused naming both teams and how to sign", () => {
    expect(() => planPublish(facts({ candidate: null }))).toThrow(SlaPublishRefusedError);
    expect(() => planPublish(facts({ candidate: null }))).toThrow(
      expect.objectContaining({ missing: ["marketing", "sales"], hint: expect.stringContaining("sla sign") }),
    );
  });

  it("when one team has not signed, then it is refused naming that team", () => {
    expect(() => planPublish(facts({ signedBy: ["marketing"] }))).toThrow(
      expect.objectContaining({ code: "sla_publish_refused", missing: ["sales"] }),
    );
  });

  it("when the document has no effective date, then it is refused even with both signatures", () => {
    expect(() => planPublish(facts({ candidate: version({ effective: null }) }))).toThrow(
      expect.objectContaining({
        missing: ["effective date"],
        hint: expect.stringContaining("sla.effective"),
      }),
    );
  });

  it("when the same version number was published with other content, then it is refused", () => {
    const earlier = version({ hash: "sha256:bbbb", status: "superseded" });
    expect(() => planPublish(facts({ others: [earlier] }))).toThrow(
      expect.objectContaining({ missing: ["new version number"] }),
    );
    // A draft with the same number is no clash: it was never in force.
    expect(planPublish(facts({ others: [version({ hash: "sha256:cccc" })] }))).toEqual({ supersede: [] });
  });

  it("when it is published, then versions in force from an earlier or the same date are superseded, later ones not", () => {
    const plan = planPublish(
      facts({
        others: [
          version({ hash: "sha256:old", version: 1, effective: "2026-11-01", status: "published" }),
          version({ hash: "sha256:same", version: 0, effective: "2026-12-01", status: "published" }),
          version({ hash: "sha256:later", version: 3, effective: "2027-01-01", status: "published" }),
          version({ hash: "sha256:gone", version: 4, effective: "2026-10-01", status: "superseded" }),
        ],
      }),
    );
    expect(plan).toEqual({ supersede: ["sha256:old", "sha256:same"] });
  });
});
