import path from "node:path";
import { fieldsUsedBySla } from "../../../src/domain/sla-fields";
import { loadSlaFile } from "../../../src/sla/load-sla";
import { anSla, fitRule } from "./builders";

describe("fieldsUsedBySla", () => {
  it("collects fields from required fields, fit rules and territories, and CRM properties", () => {
    const sla = anSla({
      requiredFields: ["email", "jobtitle"],
      fit: [
        fitRule({ when: { employees: ">= 100", "property:hs_analytics_source": "ORGANIC*" }, points: 5 }),
      ],
    });
    sla.routing.territories = [
      { name: "Madrid", when: { country: "ES", postal_code: "28*" }, pool: "iberia" },
    ];
    expect(fieldsUsedBySla(sla)).toEqual({
      leadFields: ["country", "email", "employees", "jobTitle", "postalCode"],
      properties: ["hs_analytics_source"],
    });
  });

  it("lists what the default SLA reads", async () => {
    const { sla } = await loadSlaFile(path.join(__dirname, "../../../config/sla.default.yaml"));
    expect(fieldsUsedBySla(sla).leadFields).toEqual([
      "company",
      "country",
      "email",
      "employees",
      "firstName",
      "industry",
      "jobTitle",
      "lastName",
      "seniority",
    ]);
  });
});
