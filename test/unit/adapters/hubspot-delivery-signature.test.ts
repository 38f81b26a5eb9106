import { Signature } from "@hubspot/api-client";
import vectors from "../../fixtures/hubspot/signature-vectors.json";
import { InvalidSignatureError, MissingHeaderError } from "../../../src/domain/errors";
import {
  decodeHubSpotUri,
  signHubSpotV3,
  verifyHubSpotSignature,
} from "../../../src/adapters/hubspot/hubspot-delivery";

const v3 = vectors.vectors.filter((v) => v.signatureVersion === "v3");

describe("verifyHubSpotSignature", () => {
  it.each(v3.map((v) => [v.id, v] as const))(
    "when given reference vector %s, then it is accepted",
    (_id, v) => {
      const req = {
        method: v.method,
        url: v.url!,
        rawBody: Buffer.from(v.requestBody, "utf8"),
        signature: v.expectedSignature,
        timestamp: v.timestamp!,
      };
      expect(signHubSpotV3(v.clientSecret, v.method, v.url!, req.rawBody, v.timestamp!)).toBe(
        v.expectedSignature,
      );
      expect(() => verifyHubSpotSignature(req, [v.clientSecret], Number(v.timestamp) + 1000)).not.toThrow();
    },
  );

  it("when the URL has encoded characters, then only HubSpot's 12 sequences are decoded", () => {
    expect(decodeHubSpotUri("/x?a=rep%40example.com&b=%20&c=%2f")).toBe("/x?a=rep@example.com&b=%20&c=/");
  });

  it("when the request was signed by @hubspot/api-client's Signature helper, then it is accepted", () => {
    const body = '[{"eventId":1}]';
    const url = "https://handoff.test/webhooks/hubspot";
    const timestamp = 1767225600000;
    const signature = Signature.getSignature("POST", "v3", {
      signature: "",
      clientSecret: "sdk-secret-123456",
      requestBody: body,
      url,
      timestamp,
    });
    const req = { method: "POST", url, rawBody: Buffer.from(body), signature, timestamp: String(timestamp) };
    expect(() => verifyHubSpotSignature(req, ["sdk-secret-123456"], timestamp + 10)).not.toThrow();
  });

  const base = () => {
    const v = v3[0]!;
    return {
      v,
      req: {
        method: v.method,
        url: v.url!,
        rawBody: Buffer.from(v.requestBody),
        signature: v.expectedSignature,
        timestamp: v.timestamp!,
      },
      now: Number(v.timestamp) + 1000,
    };
  };

  it("when the body was tampered with, then it is refused as invalid_signature", () => {
    const { v, req, now } = base();
    req.rawBody = Buffer.from(v.requestBody.replace("51", "52"));
    expect(() => verifyHubSpotSignature(req, [v.clientSecret], now)).toThrow(InvalidSignatureError);
  });

  it("when the signature is older than 5 minutes, then it is refused as stale_signature", () => {
    const { v, req } = base();
    expect(() => verifyHubSpotSignature(req, [v.clientSecret], Number(v.timestamp) + 300_001)).toThrow(
      expect.objectContaining({ code: "stale_signature" }),
    );
  });

  it("when the timestamp is more than 5 minutes ahead, then it is refused", () => {
    const { v, req } = base();
    expect(() => verifyHubSpotSignature(req, [v.clientSecret], Number(v.timestamp) - 300_001)).toThrow(
      expect.objectContaining({ code: "stale_signature" }),
    );
  });

  it("when a header is missing, then it names the header", () => {
    const { v, req, now } = base();
    expect(() => verifyHubSpotSignature({ ...req, signature: undefined }, [v.clientSecret], now)).toThrow(
      MissingHeaderError,
    );
    expect(() => verifyHubSpotSignature({ ...req, timestamp: undefined }, [v.clientSecret], now)).toThrow(
      /X-HubSpot-Request-Timestamp/,
    );
  });

  it("when the secret was rotated, then the previous secret still verifies", () => {
    const { v, req, now } = base();
    expect(() => verifyHubSpotSignature(req, ["new-secret-abcdefgh", v.clientSecret], now)).not.toThrow();
    expect(() => verifyHubSpotSignature(req, ["new-secret-abcdefgh"], now)).toThrow(InvalidSignatureError);
  });
});
