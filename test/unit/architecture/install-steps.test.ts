import path from "node:path";
import { importsOf } from "../../helpers/import-graph";

const ROOT = path.resolve(__dirname, "../../..");

describe("install steps live in the CRM folders", () => {
  it("when an admin installs into a CRM, then the route handles HTTP only: it imports no CRM folder (the authorize URL, scopes, code exchange and portal or org come through CrmInstaller)", () => {
    const route = path.join(ROOT, "src/http/routes/install-routes.ts");
    const crmFolders = importsOf(route)
      .map((file) => path.relative(ROOT, file))
      .filter((file) => /^src\/adapters\/(hubspot|salesforce)\//.test(file));
    expect(crmFolders).toEqual([]);
    expect(importsOf(route).map((file) => path.relative(ROOT, file))).toContain("src/ports/crm-install.ts");
  });
});
