import { translateCrmError } from "../../../src/adapters/crm-errors";
import {
  CrmAuthError,
  CrmNotFoundError,
  CrmRateLimitedError,
  CrmUnavailableError,
  CrmValidationError,
} from "../../../src/domain/errors";

describe("translateCrmError", () => {
  it("when HubSpot answers 429, then it is a rate limit that keeps the CRM's wait, or 10 s when it gave none", () => {
    const told = translateCrmError({
      crm: "hubspot",
      status: 429,
      message: "batch read",
      retryAfterMs: 1_000,
    });
    expect(told).toBeInstanceOf(CrmRateLimitedError);
    expect(told).toMatchObject({ code: "crm_rate_limited", retryable: true, retryAfterMs: 1_000 });
    expect(translateCrmError({ crm: "hubspot", status: 429, message: "x" })).toMatchObject({
      retryAfterMs: 10_000,
    });
  });

  it("when Salesforce reports REQUEST_LIMIT_EXCEEDED with a 403, then it is a rate limit, not an auth failure", () => {
    const error = translateCrmError({
      crm: "salesforce",
      status: 403,
      crmCode: "REQUEST_LIMIT_EXCEEDED",
      message: "query",
      retryAfterMs: 3_600_000,
    });
    expect(error).toBeInstanceOf(CrmRateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 3_600_000 });
  });

  it("when the token is refused (401, INVALID_SESSION_ID, invalid_grant) or a scope is missing (403), then it is an auth error that parks", () => {
    for (const failure of [
      { status: 401 },
      { status: 400, crmCode: "invalid_grant" },
      { status: 500, crmCode: "INVALID_SESSION_ID" },
    ]) {
      const error = translateCrmError({ crm: "salesforce", message: "m", ...failure });
      expect(error).toBeInstanceOf(CrmAuthError);
      expect(error.retryable).toBe(false);
    }
    expect(translateCrmError({ crm: "hubspot", status: 403, message: "owners" }).message).toBe(
      "hubspot: owners (missing permission or scope)",
    );
  });

  it("when the record is gone (404, NOT_FOUND, ENTITY_IS_DELETED), then it is a not-found error", () => {
    expect(translateCrmError({ crm: "hubspot", status: 404, message: "m" })).toBeInstanceOf(CrmNotFoundError);
    expect(
      translateCrmError({ crm: "salesforce", status: 400, crmCode: "ENTITY_IS_DELETED", message: "m" }),
    ).toBeInstanceOf(CrmNotFoundError);
  });

  it("when the CRM refuses the request as malformed (4xx other than 408 and 409), then it is a validation error with a hint", () => {
    const error = translateCrmError({ crm: "hubspot", status: 400, message: "batch update" });
    expect(error).toBeInstanceOf(CrmValidationError);
    expect(error.hint).toBe("The CRM refused the request as malformed.");
  });

  it("when the CRM times out, conflicts, fails or cannot be reached, then it is unavailable and retryable, with the cause kept", () => {
    const cause = new Error("ECONNRESET");
    for (const status of [408, 409, 500, 503, undefined]) {
      const error = translateCrmError({ crm: "hubspot", status, message: "call", cause });
      expect(error).toBeInstanceOf(CrmUnavailableError);
      expect(error).toMatchObject({ retryable: true, message: "hubspot: call", cause });
    }
  });
});
