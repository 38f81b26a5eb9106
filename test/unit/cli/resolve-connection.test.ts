import { resolveConnection } from "../../../src/cli/resolve-connection";

describe("the connection a CLI command acts on (one rule for the sla, routing and report commands)", () => {
  it("when --connection is not given and there is one connection, then that one", () => {
    expect(resolveConnection(["hubspot-1"], undefined)).toBe("hubspot-1");
  });

  it("when --connection names a known connection, then that one", () => {
    expect(resolveConnection(["hubspot-1", "salesforce-2"], "salesforce-2")).toBe("salesforce-2");
  });

  it("when --connection names an unknown one, then unknown_connection lists the known ids and the database hint", () => {
    expect(() => resolveConnection(["hubspot-1"], "hubspot-9")).toThrow(
      expect.objectContaining({
        code: "unknown_connection",
        hint: "Use one of: hubspot-1. Another database? Check DATABASE_URL.",
      }),
    );
  });

  it("when several could be meant or none is installed, then the command asks which or says to install one", () => {
    expect(() => resolveConnection(["hubspot-1", "salesforce-2"], undefined)).toThrow(
      expect.objectContaining({
        code: "connection_required",
        hint: "Pass --connection <id>: hubspot-1, salesforce-2",
      }),
    );
    expect(() => resolveConnection([], undefined)).toThrow(
      expect.objectContaining({
        code: "connection_required",
        hint: expect.stringContaining("no connection yet"),
      }),
    );
  });
});
