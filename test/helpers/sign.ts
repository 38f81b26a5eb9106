import { signHubSpotV3 } from "../../src/adapters/hubspot/hubspot-delivery";

/** Headers HubSpot would send for this body, signed with `secret` at `timestamp`. */
export function hubSpotHeaders(secret: string, url: string, body: string, timestamp = Date.now()) {
  return {
    "content-type": "application/json",
    "x-hubspot-signature-v3": signHubSpotV3(secret, "POST", url, Buffer.from(body), String(timestamp)),
    "x-hubspot-request-timestamp": String(timestamp),
  };
}
