import { CircuitBreakers } from "../../../src/jobs/circuit-breaker";
import { retryPolicy } from "../../../src/jobs/retry-policy";
import { CrmAuthError, CrmUnavailableError } from "../../../src/domain/errors";

const outage = () => new CrmUnavailableError("hubspot: POST /crm/v3/objects/contacts/batch/read: no answer");

describe("CircuitBreakers", () => {
  let now = 0;
  const breakers = () =>
    new CircuitBreakers({ threshold: 3, baseCooldownMs: 1000, maxCooldownMs: 4000, monotonicMs: () => now });

  it("when a CRM fails 3 times in a row, then its connection pauses and other connections keep running", () => {
    now = 0;
    const b = breakers();
    expect(b.recordFailure("hs-a", outage())).toBe(false);
    expect(b.recordFailure("hs-a", outage())).toBe(false);
    expect(b.recordFailure("hs-a", outage())).toBe(true);
    expect(b.verdict("hs-a")).toEqual({ run: false, retryInMs: 1000 });
    expect(b.verdict("hs-b")).toEqual({ run: true });
    expect(b.notClosed()).toEqual([{ connectionId: "hs-a", state: "open" }]);
  });

  it("when the pause is over, then one probe runs; its success closes the breaker and says the CRM recovered", () => {
    now = 0;
    const b = breakers();
    for (let i = 0; i < 3; i += 1) b.recordFailure("hs-a", outage());
    now = 1000;
    expect(b.verdict("hs-a")).toEqual({ run: true });
    expect(b.verdict("hs-a").run).toBe(false); // one probe at a time
    expect(b.recordSuccess("hs-a")).toBe(true);
    expect(b.verdict("hs-a")).toEqual({ run: true });
    expect(b.recordSuccess("hs-a")).toBe(false);
  });

  it("when probes keep failing, then the pause doubles up to the maximum", () => {
    now = 0;
    const b = breakers();
    for (let i = 0; i < 3; i += 1) b.recordFailure("hs-a", outage());
    const pauses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      now += 10_000;
      expect(b.verdict("hs-a").run).toBe(true);
      b.recordFailure("hs-a", outage());
      pauses.push((b.verdict("hs-a") as { retryInMs: number }).retryInMs);
    }
    expect(pauses).toEqual([2000, 4000, 4000, 4000]);
  });

  it("when the failure is the event's own (a refused token), then it does not count as an outage", () => {
    now = 0;
    const b = breakers();
    for (let i = 0; i < 5; i += 1) b.recordFailure("hs-a", new CrmAuthError("hubspot: 401"));
    expect(b.verdict("hs-a")).toEqual({ run: true });
  });
});

describe("retryPolicy over a horizon of hours", () => {
  it("when the CRM has been down for 10 minutes, then the event is still retried, backing off to 15 minutes", () => {
    expect(retryPolicy(7, outage(), {}, 10 * 60_000)).toEqual({ retryInMs: 64_000 });
    expect(retryPolicy(40, outage(), {}, 3_600_000)).toEqual({ retryInMs: 900_000 });
  });

  it("when the event has failed for 24 hours, then it is parked with how long it tried", () => {
    expect(retryPolicy(100, outage(), {}, 86_400_000)).toEqual({
      park: true,
      reason: "crm_unavailable: still failing after 24 h (100 attempts)",
    });
  });

  it("when the error is not retryable, then it parks at once", () => {
    expect(retryPolicy(1, new CrmAuthError("hubspot: 401"))).toMatchObject({ park: true });
  });
});
