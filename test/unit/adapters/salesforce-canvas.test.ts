import { createHmac } from "node:crypto";
import { verifyCanvasSignedRequest } from "../../../src/adapters/salesforce/salesforce-canvas";
import { InvalidPayloadError, InvalidSignatureError } from "../../../src/domain/errors";
import vectors from "../../fixtures/salesforce/vectors.json";

const canvas = vectors.canvas_signed_request;
const vector = (name: string) => canvas.vectors.find((v) => v.name === name)!;

function sign(envelope: unknown, secret = canvas.consumer_secret): string {
  const encoded = Buffer.from(JSON.stringify(envelope), "utf8").toString("base64");
  return `${createHmac("sha256", secret).update(encoded).digest("base64")}.${encoded}`;
}

describe("verifyCanvasSignedRequest", () => {
  it("when Salesforce signed the request with our consumer secret, then it yields the org, the Lead and the viewer", () => {
    const result = verifyCanvasSignedRequest(vector("valid").signed_request, [canvas.consumer_secret]);

    expect(result).toMatchObject({
      organizationId: "00DHz000004Hnd0MAC",
      recordId: "00QHz00000Lx7aAMAR",
      recordType: "Lead",
      userId: "005Hz00000Rp1aAIAR",
      instanceUrl: "https://handoff-test.my.salesforce.com",
    });
    // The viewer's OAuth token is dropped at the edge.
    expect(JSON.stringify(result)).not.toContain("oauthToken");
  });

  it("when the envelope was changed after signing, then it is refused", () => {
    expect(() =>
      verifyCanvasSignedRequest(vector("tampered_envelope").signed_request, [canvas.consumer_secret]),
    ).toThrow(InvalidSignatureError);
  });

  it("when it was signed with another app's secret, then it is refused, and accepted with that secret", () => {
    const wrong = vector("wrong_secret").signed_request;
    expect(() => verifyCanvasSignedRequest(wrong, [canvas.consumer_secret])).toThrow(InvalidSignatureError);
    expect(verifyCanvasSignedRequest(wrong, [canvas.other_consumer_secret]).recordId).toBe(
      "00QHz00000Lx7aAMAR",
    );
  });

  it("accepts the previous secret while the consumer secret is rotated", () => {
    const result = verifyCanvasSignedRequest(vector("wrong_secret").signed_request, [
      canvas.consumer_secret,
      canvas.other_consumer_secret,
    ]);
    expect(result.organizationId).toBe("00DHz000004Hnd0MAC");
  });

  it.each([
    ["no dot", "abc"],
    ["empty signature", ".eyJ9"],
    ["empty envelope", "abc."],
  ])("refuses a malformed signed_request (%s)", (_name, signed) => {
    expect(() => verifyCanvasSignedRequest(signed, [canvas.consumer_secret])).toThrow(
      expect.objectContaining({ code: "invalid_signed_request" }),
    );
  });

  it("when a correctly signed envelope has no record, then it says how to fix the page layout", () => {
    const envelope = {
      ...vector("valid").envelope,
      context: { ...vector("valid").envelope.context, environment: {} },
    };
    expect(() => verifyCanvasSignedRequest(sign(envelope), [canvas.consumer_secret])).toThrow(
      InvalidPayloadError,
    );
  });

  it("refuses an envelope that names another algorithm", () => {
    const envelope = { ...vector("valid").envelope, algorithm: "HMACSHA1" };
    expect(() => verifyCanvasSignedRequest(sign(envelope), [canvas.consumer_secret])).toThrow(
      expect.objectContaining({ code: "unsupported_algorithm" }),
    );
  });
});
