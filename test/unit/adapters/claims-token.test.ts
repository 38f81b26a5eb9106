import { readClaims, signClaims } from "../../../src/adapters/crypto/claims-token";
import { sameBytes, sameSecret } from "../../../src/adapters/crypto/constant-time";

describe("signed claims tokens (card feedback, preview links, install state)", () => {
  it("when a token comes back unchanged, then its claims are read; with another secret or an edited payload, it is refused", () => {
    const token = signClaims("s3cret", { leadId: "501", exp: 1_800_000_000_000 });
    expect(readClaims<{ leadId: string }>("s3cret", token)).toEqual({
      claims: { leadId: "501", exp: 1_800_000_000_000 },
    });
    expect(readClaims("other", token)).toEqual({ refused: "signature mismatch" });
    const [, mac] = token.split(".");
    const forged = `${Buffer.from(JSON.stringify({ leadId: "502", exp: 1_800_000_000_000 })).toString("base64url")}.${mac}`;
    expect(readClaims("s3cret", forged)).toEqual({ refused: "signature mismatch" });
  });

  it("when a token is not two dot-separated parts, then it is malformed", () => {
    for (const token of ["", "abc", "abc.", ".abc", "a.b.c"]) {
      expect(readClaims("s3cret", token)).toEqual({ refused: "is malformed" });
    }
  });
});

describe("constant-time comparisons", () => {
  it("when secrets differ in content or length, then they do not match; equal ones do", () => {
    expect(sameSecret("token-123", "token-123")).toBe(true);
    expect(sameSecret("token-123", "token-124")).toBe(false);
    expect(sameSecret("token-123", "token-1234")).toBe(false);
    expect(sameBytes(Buffer.from("abc"), Buffer.from("abc"))).toBe(true);
    expect(sameBytes(Buffer.from("abc"), Buffer.from("abcd"))).toBe(false);
  });
});
