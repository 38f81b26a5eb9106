import path from "node:path";
import { importCycles, sourceFiles } from "../../helpers/import-graph";

const ROOT = path.resolve(__dirname, "../../..");

describe("import cycles", () => {
  it("when the use cases import each other, then no file reaches itself again (src/app has no cycle)", () => {
    expect(importCycles(sourceFiles(path.join(ROOT, "src/app")), ROOT)).toEqual([]);
  });

  it("when two files import each other, then the walk names the cycle", () => {
    const fixtures = path.join(ROOT, "test/fixtures/import-cycle");
    expect(importCycles(sourceFiles(fixtures), ROOT)).toEqual([
      [
        "test/fixtures/import-cycle/a.ts",
        "test/fixtures/import-cycle/b.ts",
        "test/fixtures/import-cycle/a.ts",
      ],
    ]);
  });
});
