import { createHmac } from "node:crypto";
import { sameBytes } from "../crypto/constant-time";
import { InvalidSignatureError, MissingHeaderError } from "../../domain/errors";

/** HubSpot rejects nothing older than 5 minutes; we also refuse timestamps more than 5 minutes ahead. */
export const MAX_SIGNATURE_AGE_MS = 300_000;

// The only sequences HubSpot decodes before signing v3 (reference/hubspot.md §2.1 rule 2).
const DECODED: Record<string, string> = {
  "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
  "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}; // prettier-ignore

/** Decodes the 12 sequences HubSpot decodes in the signed URI, and nothing else (`%20` stays). */
export function decodeHubSpotUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

export interface HubSpotSignedRequest {
  method: string;
  /** The full URL HubSpot called: the configured PUBLIC_URL + path + query, never rebuilt from proxy headers. */
  url: string;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
}

/** v3: base64 HMAC-SHA256 over METHOD + decodedURI + rawBody + timestamp, keyed with the app secret. */
export function signHubSpotV3(
  secret: string,
  method: string,
  url: string,
  rawBody: Buffer | string,
  timestamp: string,
) {
  return createHmac("sha256", secret)
    .update(method.toUpperCase())
    .update(decodeHubSpotUri(url))
    .update(rawBody)
    .update(timestamp)
    .digest("base64");
}

/**
 * Verifies HubSpot's v3 signature on the raw bytes, before anything is parsed. Accepts the current and the
 * previous client secret so that secrets can be rotated.
 * @throws MissingHeaderError (400) when a header is absent; InvalidSignatureError (401) when stale or wrong.
 */
export function verifyHubSpotSignature(req: HubSpotSignedRequest, secrets: string[], now: number): void {
  if (!req.signature) {
    throw new MissingHeaderError(
      "X-HubSpot-Signature-v3",
      "HubSpot sends it on every request of an OAuth app; check that the request comes from HubSpot.",
    );
  }
  if (!req.timestamp) {
    throw new MissingHeaderError("X-HubSpot-Request-Timestamp", "HubSpot sends it with every v3 signature.");
  }
  const ts = Number(req.timestamp);
  if (!/^\d{10,16}$/.test(req.timestamp) || !Number.isFinite(ts)) {
    throw new InvalidSignatureError(
      "X-HubSpot-Request-Timestamp is not epoch milliseconds",
      "The timestamp must be a decimal number of milliseconds.",
      "invalid_timestamp",
    );
  }
  if (Math.abs(now - ts) > MAX_SIGNATURE_AGE_MS) {
    throw new InvalidSignatureError(
      `request timestamp is ${Math.round((now - ts) / 1000)} s away from now (limit 300 s)`,
      "A replayed or delayed request; if all requests fail, check this server's clock (NTP).",
      "stale_signature",
    );
  }
  const given = Buffer.from(req.signature, "utf8");
  for (const secret of secrets) {
    const expected = Buffer.from(
      signHubSpotV3(secret, req.method, req.url, req.rawBody, req.timestamp),
      "utf8",
    );
    if (sameBytes(expected, given)) return;
  }
  throw new InvalidSignatureError(
    "signature mismatch",
    "Was the body re-encoded by a proxy, or does PUBLIC_URL differ from the URL HubSpot calls? Check HUBSPOT_CLIENT_SECRET for a trailing newline.",
  );
}
