import { readFileSync } from "node:fs";
import path from "node:path";
import { sourceFiles } from "../../helpers/import-graph";

const ROOT = path.resolve(__dirname, "../../..");

/** CRM wire words: property and field names, change sources, id prefixes, record types. */
const WIRE_WORDS = [
  "hs_lead_status",
  "lifecyclestage",
  "hubspot_owner_id",
  "hs_pipeline_stage",
  "hs_lead_disqualification_reason",
  '"Status"',
  "CRM_UI",
  '"CRM"',
  "MOBILE_IOS",
  "MOBILE_ANDROID",
  "userId:",
  '"handoff_',
  '"Handoff_',
  "sourceId",
  "changeSource",
  "LastModifiedById",
  "sObjectType",
  // Lead-status values each CRM ships with: the CRM folders name them, the use case gets them as data.
  "OPEN_DEAL",
  "UNQUALIFIED",
  "BAD_TIMING",
  "Closed - Converted",
  "Closed - Not Converted",
];

/** Where a use case file names a wire word, as `file:line word`. */
export function wireWordsIn(files: string[]): string[] {
  return files.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) =>
        WIRE_WORDS.filter((w) => line.includes(w)).map((w) => `${path.relative(ROOT, file)}:${i + 1} ${w}`),
      ),
  );
}

describe("CRM words stop at the edge", () => {
  it("when a use case reads a CRM event, then it reads Handoff's words (no file in src/app names a CRM wire word)", () => {
    // No exception: the synced pair, too, reads what HubSpot's connector leaves through its adapter.
    expect(wireWordsIn(sourceFiles(path.join(ROOT, "src/app")))).toEqual([]);
  });

  it("when the lead-event use case decides what a record is, then it reads the event's words, never which CRM sent it", () => {
    const asksTheCrm = ["src/app/handle-lead-event.ts", "src/app/pipeline-steps.ts"].flatMap((file) =>
      readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (/event\.crm\b/.test(line) ? [`${file}:${i + 1}`] : [])),
    );
    expect(asksTheCrm).toEqual([]);
  });

  it("when a file names a wire word, then the check points at its line", () => {
    const adapter = path.join(ROOT, "src/adapters/hubspot/hubspot-delivery.ts");
    expect(wireWordsIn([adapter])).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^src\/adapters\/hubspot\/hubspot-delivery\.ts:\d+ hs_lead_status$/),
      ]),
    );
  });
});
