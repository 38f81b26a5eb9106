import {
  createHubSpotSandboxState,
  HUBSPOT_SANDBOX_DEMO,
  hubspotRateLimits,
  type HubSpotSandboxOptions,
} from "../../../src/sandbox/hubspot/state";
import { startSandbox, type SandboxServer } from "../../../src/sandbox/server";

const auth = { authorization: `Bearer ${HUBSPOT_SANDBOX_DEMO.accessToken}` };

describe("HubSpot sandbox rate limits by tier and app type", () => {
  let sandbox: SandboxServer | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  const start = async (hubspot: HubSpotSandboxOptions) => {
    sandbox = await startSandbox({ port: 0, hubspot: { seed: false, ...hubspot } });
    return sandbox;
  };
  const burst = (s: SandboxServer, n: number) =>
    Promise.all(
      Array.from({ length: n }, () => fetch(`${s.hubspotBasePath}/crm/v3/owners/`, { headers: auth })),
    );

  it.each([
    ["starter", "oauth", 0, 110, undefined],
    ["enterprise", "oauth", 0, 110, undefined],
    ["starter", "private", 0, 100, 250_000],
    ["professional", "private", 0, 190, 625_000],
    ["enterprise", "private", 0, 190, 1_000_000],
    ["professional", "private", 2, 250, 2_625_000],
  ] as const)(
    "when a %s portal is called by a %s app with %i limit packs, then the burst is %i per 10 s and the daily cap %s",
    (tier, appType, apiLimitPacks, tenSecond, daily) => {
      expect(hubspotRateLimits(tier, appType, apiLimitPacks)).toEqual({ tenSecond, daily });
      const state = createHubSpotSandboxState({ tier, appType, apiLimitPacks, seed: false });
      expect(state.tenSecondLimit).toBe(tenSecond);
      expect(state.dailyLimit).toBe(daily);
    },
  );

  it("when limit packs are set for an OAuth app, then the sandbox refuses the setting: HubSpot does not apply them", () => {
    expect(() => createHubSpotSandboxState({ appType: "oauth", apiLimitPacks: 1, seed: false })).toThrow(
      /do not apply to OAuth apps/,
    );
  });

  it("when a private app on a Starter portal sends 101 calls within 10 s, then the 101st gets HubSpot's 429 with the daily headers", async () => {
    const s = await start({ tier: "starter", appType: "private" });
    const res = await burst(s, 101);
    const limited = res.filter((r) => r.status === 429);
    expect(limited).toHaveLength(1);
    const ok = res.find((r) => r.status === 200)!;
    expect(ok.headers.get("x-hubspot-ratelimit-max")).toBe("100");
    expect(ok.headers.get("x-hubspot-ratelimit-daily")).toBe("250000");
    expect(limited[0]!.headers.get("x-hubspot-ratelimit-max")).toBe("100");
    expect(limited[0]!.headers.get("x-hubspot-ratelimit-remaining")).toBe("0");
    expect(limited[0]!.headers.get("x-hubspot-ratelimit-interval-milliseconds")).toBe("10000");
    expect(limited[0]!.headers.get("x-hubspot-ratelimit-daily-remaining")).toBe("249900");
    expect(await limited[0]!.json()).toEqual({
      status: "error",
      message: "You have reached your ten_secondly_rolling limit.",
      errorType: "RATE_LIMIT",
      correlationId: expect.any(String),
      policyName: "TEN_SECONDLY_ROLLING",
      requestId: expect.any(String),
    });
  });

  it("when an OAuth app on a Starter portal sends 111 calls within 10 s, then only the 111th is refused and no daily headers are sent", async () => {
    const s = await start({ tier: "starter" });
    const res = await burst(s, 111);
    expect(res.filter((r) => r.status === 429)).toHaveLength(1);
    const ok = res.find((r) => r.status === 200)!;
    expect(ok.headers.get("x-hubspot-ratelimit-max")).toBe("110");
    expect(ok.headers.get("x-hubspot-ratelimit-daily")).toBeNull();
  });

  it("when a private app has used its daily cap, then calls get the DAILY 429 until the next day", async () => {
    let now = Date.parse("2026-11-23T23:59:00Z");
    const s = await start({ tier: "starter", appType: "private", now: () => now });
    s.hubspot.windows.daily = { day: "2026-11-23", count: 250_000 };
    const [refused] = await burst(s, 1);
    expect(refused!.status).toBe(429);
    expect(refused!.headers.get("x-hubspot-ratelimit-daily-remaining")).toBe("0");
    expect(await refused!.json()).toMatchObject({
      status: "error",
      message: "You have reached your daily limit.",
      errorType: "RATE_LIMIT",
      policyName: "DAILY",
    });
    now = Date.parse("2026-11-24T00:00:01Z");
    const [next] = await burst(s, 1);
    expect(next!.status).toBe(200);
    expect(next!.headers.get("x-hubspot-ratelimit-daily-remaining")).toBe("249999");
  });
});
