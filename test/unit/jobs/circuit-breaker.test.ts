import { CircuitBreakers, MemoryBreakerStore } from "../../../src/jobs/circuit-breaker";
import { retryPolicy } from "../../../src/jobs/retry-policy";
import { CrmAuthError, CrmUnavailableError } from "../../../src/domain/errors";

const outage = () => new CrmUnavailableError("hubspot: POST /crm/v3/objects/contacts/batch/read: no answer");

describe("CircuitBreakers", () => {
  let now = 0;
  const breakers = (store?: MemoryBreakerStore) =>
    new CircuitBreakers({
      threshold: 3,
      baseCooldownMs: 1000,
      maxCooldownMs: 4000,
      monotonicMs: () => now,
      ...(store ? { store } : {}),
    });

  it("when a CRM fails 3 times in a row, then its connection pauses and other connections keep running", async () => {
    now = 0;
    const b = breakers();
    expect(await b.recordFailure("hs-a", outage())).toBe(false);
    expect(await b.recordFailure("hs-a", outage())).toBe(false);
    expect(await b.recordFailure("hs-a", outage())).toBe(true);
    expect(await b.verdict("hs-a")).toEqual({ run: false, retryInMs: 1000 });
    expect(await b.verdict("hs-b")).toEqual({ run: true });
    expect(await b.notClosed()).toEqual([{ connectionId: "hs-a", state: "open" }]);
  });

  it("when the pause is over, then one probe runs; its success closes the breaker and says the CRM recovered", async () => {
    now = 0;
    const b = breakers();
    for (let i = 0; i < 3; i += 1) await b.recordFailure("hs-a", outage());
    now = 1000;
    expect(await b.verdict("hs-a")).toEqual({ run: true });
    expect((await b.verdict("hs-a")).run).toBe(false); // one probe at a time
    expect(await b.recordSuccess("hs-a")).toBe(true);
    expect(await b.verdict("hs-a")).toEqual({ run: true });
    expect(await b.recordSuccess("hs-a")).toBe(false);
  });

  it("when probes keep failing, then the pause doubles up to the maximum", async () => {
    now = 0;
    const b = breakers();
    for (let i = 0; i < 3; i += 1) await b.recordFailure("hs-a", outage());
    const pauses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      now += 10_000;
      expect((await b.verdict("hs-a")).run).toBe(true);
      await b.recordFailure("hs-a", outage());
      pauses.push(((await b.verdict("hs-a")) as { retryInMs: number }).retryInMs);
    }
    expect(pauses).toEqual([2000, 4000, 4000, 4000]);
  });

  it("when the failure is the event's own (a refused token), then it does not count as an outage", async () => {
    now = 0;
    const b = breakers();
    for (let i = 0; i < 5; i += 1) await b.recordFailure("hs-a", new CrmAuthError("hubspot: 401"));
    expect(await b.verdict("hs-a")).toEqual({ run: true });
  });

  it("when two processes share a store, then one opens the breaker, the other sees it open and only one of them probes", async () => {
    now = 0;
    const store = new MemoryBreakerStore(() => now);
    const [first, second] = [breakers(store), breakers(store)];
    expect(await second.verdict("hs-a")).toEqual({ run: true }); // its copy is now read
    now = 100;
    for (let i = 0; i < 3; i += 1) await first.recordFailure("hs-a", outage());
    now = 500; // the second process's copy is at most a second old
    expect(await second.verdict("hs-a")).toEqual({ run: true });
    now = 1050;
    expect(await second.verdict("hs-a")).toEqual({ run: false, retryInMs: 1000 });
    expect(await second.notClosed()).toEqual([{ connectionId: "hs-a", state: "open" }]);
    now = 2200;
    const verdicts = [await first.verdict("hs-a"), await second.verdict("hs-a")];
    expect(verdicts.filter((v) => v.run)).toHaveLength(1);
    expect(await second.recordSuccess("hs-a")).toBe(true);
    now = 3300;
    expect(await first.verdict("hs-a")).toEqual({ run: true });
    expect(await first.notClosed()).toEqual([]);
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
