import {
  AppError,
  CrmAuthError,
  CrmRateLimitedError,
  CrmUnavailableError,
  CrmValidationError,
} from "../../../src/domain/errors";
import { asAppError, retryPolicy } from "../../../src/jobs/retry-policy";

const unavailable = new CrmUnavailableError("hubspot: 503");

describe("retryPolicy", () => {
  it("when a retryable failure repeats, then the wait doubles from 1 s each attempt", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryPolicy(attempt, unavailable))).toEqual([
      { retryInMs: 1_000 },
      { retryInMs: 2_000 },
      { retryInMs: 4_000 },
      { retryInMs: 8_000 },
      { retryInMs: 16_000 },
    ]);
  });

  it("when the backoff would pass the ceiling, then it waits the ceiling", () => {
    expect(
      retryPolicy(5, unavailable, { baseDelayMs: 60_000, maxDelayMs: 300_000, maxAttempts: 10 }),
    ).toEqual({
      retryInMs: 300_000,
    });
  });

  it("when the last attempt fails, then the event is parked with the code and the number of attempts", () => {
    // No attempt cap by default: an outage is retried over the 24-hour horizon instead (retry horizon tests).
    expect(retryPolicy(6, unavailable)).toEqual({ retryInMs: 32_000 });
    expect(retryPolicy(6, unavailable, { maxAttempts: 6 })).toEqual({
      park: true,
      reason: "crm_unavailable: gave up after 6 attempts",
    });
    expect(retryPolicy(3, unavailable, { maxAttempts: 3 })).toEqual({
      park: true,
      reason: "crm_unavailable: gave up after 3 attempts",
    });
  });

  it("when the failure cannot heal by waiting (revoked token, refused payload), then it parks at once", () => {
    expect(retryPolicy(1, new CrmAuthError("hubspot: 401"))).toEqual({
      park: true,
      reason: "crm_auth: not retryable",
    });
    expect(retryPolicy(1, new CrmValidationError("salesforce: 400"))).toMatchObject({ park: true });
  });

  it("when the CRM says how long to wait, then the wait is at least that, and the backoff when it is longer", () => {
    const limited = new CrmRateLimitedError("hubspot: 429 TEN_SECONDLY_ROLLING", 10_000);
    expect(retryPolicy(1, limited)).toEqual({ retryInMs: 10_000 });
    expect(retryPolicy(5, limited)).toEqual({ retryInMs: 16_000 });
  });
});

describe("asAppError", () => {
  it("when something that is not an AppError is thrown, then it becomes a retryable handler_failed that keeps the cause", () => {
    const cause = new TypeError("x is undefined");
    const wrapped = asAppError(cause);
    expect(wrapped).toMatchObject({
      code: "handler_failed",
      message: "x is undefined",
      retryable: true,
      cause,
    });
    expect(asAppError("a".repeat(600)).message).toHaveLength(500);
  });

  it("when an AppError is thrown, then it is kept as it is", () => {
    const error = new AppError("routing_conflict", "slot vanished", { retryable: true });
    expect(asAppError(error)).toBe(error);
  });
});
