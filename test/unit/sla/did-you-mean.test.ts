import { didYouMean, suggest } from "../../../src/sla/did-you-mean";

describe("didYouMean", () => {
  it.each([
    ["pionts", ["points", "reason", "when"], "points"],
    ["half_life", ["half_life_days", "steps"], "half_life_days"],
    ["iberai", ["dach", "iberia", "na"], "iberia"],
    ["Page_Veiw", ["page_view", "chat"], "page_view"],
  ])("%s → %s", (word, candidates, expected) => {
    expect(didYouMean(word, candidates)).toBe(expected);
  });

  it("when nothing is close, then it lists what is allowed", () => {
    expect(suggest("colour", ["points", "when"], "allowed keys")).toBe("allowed keys: points, when");
  });
});
