import { matchCondition, matchesWhen, parseMatcher, resolveField } from "../../../src/domain/conditions";
import { aLead } from "../sla/builders";

describe("matchCondition", () => {
  it.each([
    ["ES", "es", true],
    ["ES", "ES ", true],
    ["ES", "DE", false],
    [250, 250, true],
    [250, "250", true],
    [["ES", "DE"], "de", true],
    [["ES", "DE"], "FR", false],
  ] as const)("exact and any-of: %j against %j → %s", (condition, value, expected) => {
    expect(matchCondition(value, condition as never)).toBe(expected);
  });

  it.each([
    ["VP*", "VP Sales", true],
    ["VP*", "vp of marketing", true],
    ["VP*", "SVP Sales", false],
    ["*student*", "PhD Student", true],
    ["Head of*", "Head of Growth", true],
    ["C?O", "CFO", true],
    ["C?O", "CMO ", true],
    ["C?O", "CEO Office", false],
    ["28*", "28013", true],
    ["28*", "08013", false],
    ["/pricing*", "/pricing/enterprise", true],
    ["a.b*", "axb", false],
  ])("wildcard %s against %s → %s", (condition, value, expected) => {
    expect(matchCondition(value, condition)).toBe(expected);
  });

  it.each([
    [">= 100", 100, true],
    [">= 100", 99, false],
    ["> 100", 100, false],
    ["< 50", 49, true],
    ["< 50", 50, false],
    ["<= 50", 50, true],
    [">= 10M", 10_000_000, true],
    [">= 10M", 9_999_999, false],
    [">= 1.5k", "1500", true],
    ["100..500", 100, true],
    ["100..500", 500, true],
    ["100..500", 501, false],
    ["28000..28999", "28013", true],
    ["28000..28999", "29001", false],
    ["08000..08999", "08013", true],
    ["!= student", "VP", true],
    ["!= student", "Student", false],
  ] as const)("comparison and range %s against %j → %s", (condition, value, expected) => {
    expect(matchCondition(value, condition)).toBe(expected);
  });

  it("when the lead has no value, then no positive condition matches", () => {
    expect(matchCondition(undefined, "*")).toBe(false);
    expect(matchCondition(null, ">= 0")).toBe(false);
    expect(matchCondition("", "ES")).toBe(false);
  });

  it("when a number compares with text, then it does not match instead of guessing", () => {
    expect(matchCondition("lots", ">= 100")).toBe(false);
  });

  it("booleans accept true/false and yes/no", () => {
    expect(matchCondition(true, true)).toBe(true);
    expect(matchCondition("yes", true)).toBe(true);
    expect(matchCondition("false", true)).toBe(false);
  });
});

describe("parseMatcher explains conditions that cannot work", () => {
  it.each([
    ["500..100", /empty/],
    [">= lots", /not a number/],
    ["**VP", /\*\*/],
    ["", /empty condition/],
    ["28*..29*", /wildcard/],
  ])("%j", (condition, message) => {
    expect(parseMatcher(condition)).toMatchObject({ message: expect.stringMatching(message) });
  });
});

describe("matchesWhen", () => {
  it("when every field holds, then it matches with one evidence line per field", () => {
    const result = matchesWhen(aLead({ country: "ES", postalCode: "28013" }), {
      country: ["ES", "PT"],
      postal_code: "28*",
    });
    expect(result).toEqual({
      matched: true,
      evidence: ['country "ES" matches any of ES, PT', 'postal_code "28013" matches "28*"'],
    });
  });

  it("when one field fails, then it does not match", () => {
    expect(matchesWhen(aLead({ country: "DE" }), { country: "ES", employees: ">= 10" }).matched).toBe(false);
  });

  it("reads CRM properties through property:<name>", () => {
    const lead = aLead({ properties: { hs_analytics_source: "ORGANIC_SEARCH", plan_seats: 40 } });
    expect(matchesWhen(lead, { "property:hs_analytics_source": "organic*" }).matched).toBe(true);
    expect(matchesWhen(lead, { "property:plan_seats": ">= 50" }).matched).toBe(false);
  });

  it("accepts the SLA's spellings of lead fields", () => {
    expect(resolveField("jobtitle")).toBe("jobTitle");
    expect(resolveField("job_title")).toBe("jobTitle");
    expect(resolveField("annual_revenue")).toBe("annualRevenue");
    expect(resolveField("business_model")).toBe("businessModel");
    expect(resolveField("property:x")).toEqual({ property: "x" });
    expect(resolveField("shoe_size")).toBeUndefined();
  });

  it("derives the e-mail domain", () => {
    expect(matchesWhen(aLead({ email: "a@Acme.io" }), { email_domain: "acme.io" }).matched).toBe(true);
  });
});
