import path from "node:path";
import { runPreview } from "../../../src/cli/commands/preview";
import { fixedClock } from "../../../src/ports/clock";
import { loadSlaFile } from "../../../src/sla/load-sla";
import { addPreviewStep, parsePreviewLeads, previewLeads, type PreviewStep } from "../../../src/sla/preview";

const ROOT = path.join(__dirname, "../../..");
const SLA = path.join(ROOT, "config/sla.default.yaml");
const LEADS = path.join(ROOT, "test/fixtures/sla/sample-leads.ndjson");
const AT = "2026-11-23T09:00:00Z";

describe("handoff preview", () => {
  it("prints each lead's stage, reason and point-by-point breakdown, in order", async () => {
    const lines: string[] = [];
    const code = await runPreview({ sla: SLA, leads: LEADS, at: AT }, (l) => lines.push(l), fixedClock(AT));
    const text = lines.join("\n");
    expect(code).toBe(0);
    expect(text).toContain("lead 101 (line 1): → MQL, handed to sales [promote]");
    expect(text).toContain(
      "    +10 viewed /pricing on 2026-11-20  (decayed: 10 → 9.3 after 2 days (half-life 30 days))  [pricing-page]",
    );
    expect(text).toContain("lead 103 (line 3): stays lead [hold]\n  why: waiting for: jobtitle");
    expect(text).toContain("requalifies only on new activity since then");
    expect(text).toContain("5 lead(s): 1 handed to sales, 1 held for missing fields");
    expect(text.indexOf("lead 101")).toBeLessThan(text.indexOf("lead 102"));
  });

  it("with --json, prints one object per lead with score and decision", async () => {
    const lines: string[] = [];
    await runPreview({ sla: SLA, leads: LEADS, at: AT, json: true }, (l) => lines.push(l), fixedClock(AT));
    const rows = lines.map(
      (l) => JSON.parse(l) as { leadId: string; decision: { stage: string }; score: { fit: number } },
    );
    expect(rows.map((r) => [r.leadId, r.decision.stage])).toEqual([
      ["101", "mql"],
      ["102", "lead"],
      ["103", "lead"],
      ["104", "nurture"],
      ["105", "lead"],
    ]);
    expect(rows[0]?.score.fit).toBe(80);
  });

  it("reports bad lines by number and still previews the good ones", () => {
    const { inputs, errors } = parsePreviewLeads(
      [
        '{"id": "1", "country": "ES"}',
        "not json",
        '{"lead": {"id": "2"}, "activities": [{"kind": "page_vew", "occurredAt": "x"}]}',
      ].join("\n"),
    );
    expect(inputs.map((i) => i.lead.id)).toEqual(["1"]);
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(errors[1]?.message).toMatch(/kind/);
  });

  it("runs registered steps after each lead, so routing can add its column", async () => {
    const { sla } = await loadSlaFile(SLA);
    const seen: string[] = [];
    const step: PreviewStep = {
      name: "routing",
      run: (row, _input, _sla, context) => {
        seen.push(`${row.leadId}@${context.at}:${context.roster ?? ""}`);
        row.extra.routing = { lines: [`owner for ${row.leadId}`], data: { ownerId: "80003" } };
      },
    };
    addPreviewStep(step);
    const { inputs } = parsePreviewLeads('{"id": "7", "country": "ES"}\n{"id": "8"}');
    const rows = await previewLeads(inputs, sla, AT, { roster: "roster.yaml" });
    expect(seen).toEqual([
      "7@2026-11-23T09:00:00.000Z:roster.yaml",
      "8@2026-11-23T09:00:00.000Z:roster.yaml",
    ]);
    expect(rows[0]?.extra.routing?.data).toEqual({ ownerId: "80003" });
  });
});
