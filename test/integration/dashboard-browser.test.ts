import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { PostgresReportStore } from "../../src/adapters/postgres/report-store";
import { PostgresRepAvailabilityStore } from "../../src/adapters/postgres/rep-availability-store";
import { PostgresAssignmentStore } from "../../src/adapters/postgres/assignment-store";
import { replayDecision } from "../../src/app/replay-decision";
import { PostgresSlaStore } from "../../src/adapters/postgres/sla-store";
import { planPublish } from "../../src/domain/sla-publish";
import { createSlaRegistry } from "../../src/app/sla-registry";
import { CrmAuthError } from "../../src/domain/errors";
import { createDashboardApiRouter, createDashboardRouter } from "../../src/http/routes/dashboard-routes";
import { createReportRouter } from "../../src/http/routes/report-routes";
import { createRepsRouter } from "../../src/http/routes/reps-routes";
import { parseSla } from "../../src/sla/load-sla";
import { fixedClock } from "../../src/ports/clock";
import { startTestRuntime, TEST_ADMIN_TOKEN, type TestRuntime } from "../helpers/runtime";
import { PostgresConnectionLinkStore } from "../../src/adapters/postgres/connection-link-store";
import { createConnectionLinkRouter } from "../../src/http/routes/connection-link-routes";

// What an admin sees on /admin, checked in Debian's headless Chromium against the real app and database
// (DESIGN §8: never download a browser).
const CHROMIUM = "/usr/bin/chromium";
const CONNECTION = "hs-acme";
const OTHER = "sf-acme";
const PORTAL = "9876543";
const SCREENSHOT = "/tmp/handoff-dashboard.png";
const DAY = 86_400_000;
/**
 * The dashboard's "now": week 8 of a quarter, so the pace chart has weeks behind it whatever day the suite runs.
 * Seeds and the report routes read this clock; nothing here reads the calendar.
 */
const clock = fixedClock("2026-11-23T10:00:00Z");

async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Two SLA versions: v1 signed by both teams and published, v2 (higher fit threshold) signed by marketing only. */
async function seedSla(rt: TestRuntime): Promise<void> {
  const text = readFileSync(join(__dirname, "../../config/sla.default.yaml"), "utf8");
  const v1 = parseSla(text, "sla.default.yaml");
  const at = new Date(clock().getTime() - 60 * DAY);
  for (const team of ["marketing", "sales"] as const) {
    await new PostgresSlaStore(rt.pool).sign(
      CONNECTION,
      { ...v1, source: text },
      { team, name: `${team} lead`, email: `${team}@acme.test` },
      at,
    );
  }
  await new PostgresSlaStore(rt.pool).publish(CONNECTION, v1.hash, "admin", at, planPublish);
  const draftText = text.replace(/version: 1\b/, "version: 2").replace('fit: ">= 50"', 'fit: ">= 60"');
  const v2 = parseSla(draftText, "sla.draft.yaml");
  await new PostgresSlaStore(rt.pool).sign(
    CONNECTION,
    { ...v2, source: draftText },
    { team: "marketing", name: "marketing lead", email: "marketing@acme.test" },
    clock(),
  );
}

/** MQLs since the quarter began, about 40 a week, as the pipeline records them. */
async function seedMqls(rt: TestRuntime): Promise<void> {
  await rt.pool.query(
    `INSERT INTO lifecycle_events (connection_id, lead_id, type, stage, by, at)
     SELECT $1, 'bulk-' || n, 'stage_set', 'mql', 'handoff', date_trunc('quarter', $2::timestamptz) + (n * interval '4 hours 10 minutes')
       FROM generate_series(1, 2000) AS n
      WHERE date_trunc('quarter', $2::timestamptz) + (n * interval '4 hours 10 minutes') < $2::timestamptz - interval '1 hour'`,
    [CONNECTION, clock()],
  );
}

/** Handoffs over the last weeks (some accepted, some rejected, one late) so every chart has data. */
async function seedHandoffs(rt: TestRuntime): Promise<void> {
  // anna (weight 2) and ben share the dach pool; carla and diego the iberia pool.
  const reps = [
    ["anna", "dach"],
    ["ben", "dach"],
    ["anna", "dach"],
    ["carla", "iberia"],
    ["diego", "iberia"],
  ] as const;
  const now = clock().getTime();
  for (let i = 0; i < 36; i++) {
    const started = new Date(now - (i * 1.3 + 0.2) * DAY);
    const [rep, pool] = reps[i % reps.length]!;
    const touchedAfterMin = i % 7 === 0 ? 95 : 8 + (i % 5) * 4;
    const status = i % 4 === 0 ? "rejected" : i % 3 === 0 ? "open" : "accepted";
    await rt.pool.query(
      `INSERT INTO handoffs (id, connection_id, lead_id, event_key, owner_id, rep_key, method, started_at, due_at,
         first_touch_at, status, reject_reason, feedback_at, score, source, card_input)
       VALUES ($1, $2, $3, $4, $5, $6, 'pool', $7, $8, $9, $10, $11, $12, $13, $14, '{}'::jsonb)`,
      [
        `d-${i}`,
        CONNECTION,
        `lead-${i}`,
        `ev-${i}`,
        `8000${(i % 3) + 1}`,
        rep,
        started,
        new Date(started.getTime() + 30 * 60_000),
        new Date(started.getTime() + touchedAfterMin * 60_000),
        status,
        status === "rejected" ? (i % 8 === 0 ? "not_icp" : "no_budget") : null,
        status === "open" ? null : new Date(started.getTime() + DAY),
        JSON.stringify({
          fit: 60,
          engagement: 55,
          total: 115,
          reasons: [
            { rule: "title", axis: "fit", points: 20, evidence: "job title matches 'VP*'" },
            { rule: "pricing", axis: "engagement", points: 10, evidence: "viewed /pricing" },
          ],
        }),
        JSON.stringify({ source: i % 2 ? "google" : "linkedin", medium: "cpc", campaign: "q4" }),
      ],
    );
    await rt.pool.query(
      `INSERT INTO decisions (id, connection_id, lead_id, event_key, created_at, outcome) VALUES ($1, $2, $3, $4, $5, $6)`,
      [`d-${i}`, CONNECTION, `lead-${i}`, `ev-${i}`, started, JSON.stringify({ routing: { pool, rep } })],
    );
    await rt.pool.query(
      `INSERT INTO lifecycle_events (connection_id, lead_id, type, stage, by, at) VALUES ($1, $2, 'stage_set', 'mql', 'handoff', $3)`,
      [CONNECTION, `lead-${i}`, started],
    );
  }
}

describe("the admin dashboard at /admin", () => {
  let rt: TestRuntime;
  let context: BrowserContext;
  let profile: string;
  let crmRefusesToken = true;
  const pageErrors: string[] = [];
  const eventKey = `hs:${PORTAL}:2001:77:501:lifecyclestage:1767225600000`;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: run \`apt-get update && apt-get install -y chromium\` (CI installs it in .ci/run).`,
      );
    }
    rt = await startTestRuntime({
      handleLeadEvent: async () => {
        if (crmRefusesToken) throw new CrmAuthError("HubSpot refused the access token");
        return "processed";
      },
      routers: (core) => [
        createDashboardRouter({
          logger: core.logger,
          adminToken: TEST_ADMIN_TOKEN,
          now: clock,
        }),
      ],
      adminRouters: (core) => [
        createDashboardApiRouter({
          versions: new PostgresSlaStore(core.pool),
          connections: core.connections,
          logger: core.logger,
          now: clock,
        }),
        createRepsRouter({
          reps: new PostgresRepAvailabilityStore(core.pool, clock),
          connections: core.connections,
          logger: core.logger,
          loadRules: async (connectionId) =>
            (
              await createSlaRegistry({
                versions: new PostgresSlaStore(core.pool),
                connections: core.connections,
                logger: core.logger,
                now: clock,
              })(connectionId)
            ).sla.routing,
          replayDecision: (connectionId, decisionId) =>
            replayDecision(
              new PostgresAssignmentStore({ pool: core.pool }),
              decisionId,
              undefined,
              connectionId,
            ),
        }),
        createConnectionLinkRouter({
          connections: core.connections,
          links: new PostgresConnectionLinkStore(core.pool),
          logger: core.logger,
          audit: async () => undefined,
          now: clock,
        }),
        createReportRouter({
          reports: new PostgresReportStore(core.pool),
          slaFor: createSlaRegistry({
            versions: new PostgresSlaStore(core.pool),
            connections: core.connections,
            logger: core.logger,
            now: clock,
          }),
          logger: core.logger,
          now: clock,
        }),
      ],
    });
    await rt.connections.upsert({ id: CONNECTION, crm: "hubspot", externalId: PORTAL, name: "Acme EMEA" });
    await rt.connections.upsert({
      id: OTHER,
      crm: "salesforce",
      externalId: "00D000000000001AAA",
      name: "Acme US",
    });
    await rt.connections.saveTokens(OTHER, {
      accessToken: "sf-access-secret",
      refreshToken: "sf-refresh-secret",
    });
    // A synced pair: Acme's HubSpot runs marketing, its Salesforce sales.
    await new PostgresConnectionLinkStore(rt.pool).link(
      {
        marketingConnectionId: CONNECTION,
        salesConnectionId: OTHER,
        integrationUserId: "005000000000099AAA",
        linkedBy: "admin",
      },
      clock(),
    );
    await seedSla(rt);
    await seedHandoffs(rt);
    await seedMqls(rt);
    await rt.events.append([
      {
        connectionId: CONNECTION,
        crm: "hubspot",
        eventKey,
        kind: "property_changed",
        objectType: "contact",
        objectId: "501",
        occurredAt: new Date().toISOString(),
        propertyName: "lifecyclestage",
        propertyValue: "marketingqualifiedlead",
        raw: { eventId: 77, subscriptionId: 2001, portalId: Number(PORTAL) },
      },
    ]);
    await waitFor(async () => (await rt.events.get(CONNECTION, eventKey))?.status === "parked");

    profile = mkdtempSync(join(tmpdir(), "handoff-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await rt?.stop();
    await rt?.db.close();
  });

  async function openPage(): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    return page;
  }

  /** The dashboard, signed in (each test can run alone), with every panel loaded. */
  async function openDashboard(): Promise<Page> {
    const page = await openPage();
    await page.goto(`${rt.url!}/admin`);
    if ((await page.locator("#token").count()) > 0) {
      await page.fill("#token", TEST_ADMIN_TOKEN);
      await page.click("button[type=submit]");
    }
    await page.waitForSelector("body[data-loaded=true]");
    return page;
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto(`${rt.url!}/admin`);
    await page.fill("#token", token);
    await page.click("button[type=submit]");
  }

  it("when the admin opens /admin without the token, then a sign-in form is shown and a wrong token is refused", async () => {
    const page = await openPage();
    const res = await page.goto(`${rt.url!}/admin`);
    expect(res?.status()).toBe(200);
    await expect(page.locator("label[for=token]").textContent()).resolves.toBe("Admin token");
    expect(await page.locator("[data-testid=pace-chart]").count()).toBe(0);

    await signIn(page, "not-the-token");
    await expect(page.locator("[data-testid=login-error]").textContent()).resolves.toContain(
      "does not match",
    );
    expect((await context.cookies()).some((c) => c.name === "handoff_admin")).toBe(false);
    const api = await page.request.get(`${rt.url!}/admin/api/connections`);
    expect(api.status()).toBe(401);
    await page.close();
  });

  it("when the admin signs in with the token, then the dashboard shows the connection, the pace chart with bars and the other charts", async () => {
    const page = await openPage();
    await signIn(page, TEST_ADMIN_TOKEN);
    await page.waitForSelector("body[data-loaded=true]");

    const cookie = (await context.cookies()).find((c) => c.name === "handoff_admin");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    await expect(page.locator("[data-testid=connection-picker] option").allTextContents()).resolves.toEqual([
      "Acme EMEA · HubSpot · marketing, synced to Acme US",
      "Acme US · Salesforce · sales, synced from Acme EMEA",
    ]);
    await expect(page.locator("[data-testid=sla-badge]").textContent()).resolves.toContain("v1");

    // 36 MQLs over the last weeks: one bar per week so far, under the pace line toward 600.
    const bars = page.locator("[data-testid=pace-chart] svg[data-chart=pace] rect.bar:not(.bar-projected)");
    expect(await bars.count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator("svg[data-chart=pace] polyline.pace-line").count()).toBe(1);
    await expect(page.locator("#pace-kpis").textContent()).resolves.toMatch(/\d+ \/ 600/);
    expect(await page.locator("svg[data-chart=compliance] rect.bar.bad").count()).toBeGreaterThan(0);
    expect(await page.locator("svg[data-chart=reasons] rect.bar").count()).toBe(2);
    expect(await page.locator("svg[data-chart=fairness]").count()).toBeGreaterThanOrEqual(2);

    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("when the admin clicks Replay on a parked event, then the row says it is queued and the event is processed", async () => {
    const page = await openDashboard();
    const row = page.locator(`[data-testid=parked-table] tr[data-event-key="${eventKey}"]`);
    await expect(row.locator("td").nth(3).textContent()).resolves.toContain("crm_auth");
    await expect(row.locator(".status").textContent()).resolves.toBe("parked");

    crmRefusesToken = false;
    await row.locator("[data-testid=replay]").click();
    await row.locator(".status", { hasText: "queued again" }).waitFor();
    await expect(row.locator("[data-testid=replay]").isDisabled()).resolves.toBe(true);
    await expect(page.locator("#parked-count").textContent()).resolves.toBe("none waiting");
    const event = await waitFor(async () => {
      const e = await rt.events.get(CONNECTION, eventKey);
      return e?.status === "processed" ? e : undefined;
    });
    expect(event.status).not.toBe("parked");
    await page.close();
  });

  it("when the admin picks another connection, then every panel shows that connection's data only", async () => {
    const page = await openDashboard();
    await page.selectOption("[data-testid=connection-picker]", OTHER);
    await page.waitForSelector("body[data-loaded=true]");
    expect(new URL(page.url()).searchParams.get("connection")).toBe(OTHER);
    await expect(page.locator("#parked-body").textContent()).resolves.toContain("No parked events");
    await expect(page.locator("#sla-body").textContent()).resolves.toContain("No SLA version stored yet");
    await expect(page.locator("[data-testid=sla-badge]").textContent()).resolves.toBe("no SLA");

    // The choice survives a reload.
    await page.reload();
    await page.waitForSelector("body[data-loaded=true]");
    await expect(page.locator("[data-testid=connection-picker]").inputValue()).resolves.toBe(OTHER);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("when the admin compares SLA versions, then sign-off status and the changed threshold are shown", async () => {
    const page = await openDashboard();
    const rows = page.locator("[data-testid=sla-versions] tbody tr");
    await expect(rows.count()).resolves.toBe(2);
    await expect(rows.nth(0).textContent()).resolves.toMatch(/v2.*draft.*marketing lead.*awaiting/);
    await expect(rows.nth(1).textContent()).resolves.toMatch(/v1.*published.*marketing lead.*sales lead/);

    await page.click("text=Show what changed");
    await page.waitForSelector(".changes li");
    const changes = await page.locator(".changes li").allTextContents();
    expect(changes).toContainEqual(expect.stringMatching(/qualify\.mql\.fit\s*50 → 60/));

    const vocabulary = await page.locator("[data-testid=vocabulary] tbody tr").allTextContents();
    expect(vocabulary[0]).toMatch(/attract.*prospecting/);
    await page.close();
  });

  it("when the admin sets a rep away and back, then the row shows it and the change is stored", async () => {
    const page = await openDashboard();
    const row = page.locator('[data-testid=reps-table] tr[data-rep="ben"]');
    await row.locator("input[type=text]").fill("vacation");
    await row.locator("text=Set away").click();
    await row.locator("text=Mark back").waitFor();
    await expect(row.textContent()).resolves.toContain("vacation");
    const stored = await rt.pool.query(
      "SELECT away FROM rep_state WHERE connection_id = $1 AND rep_key = 'ben'",
      [CONNECTION],
    );
    expect(stored.rows[0]).toMatchObject({ away: true });

    await row.locator("text=Mark back").click();
    await row.locator("text=Set away").waitFor();
    await expect(row.locator(".pill").textContent()).resolves.toBe("available");
    await page.close();
  });

  describe("its admin API", () => {
    const get = (path: string, token: string | null = TEST_ADMIN_TOKEN) =>
      fetch(`${rt.url!}/admin/api${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

    it("when connections are listed, then ids, CRM, name and status are given and no token or secret", async () => {
      expect((await get("/connections", null)).status).toBe(401);
      const res = await get("/connections");
      expect(res.status).toBe(200);
      const body = (await res.json()) as { connections: Record<string, unknown>[] };
      expect(body.connections).toEqual([
        { id: CONNECTION, crm: "hubspot", name: "Acme EMEA", status: "active" },
        { id: OTHER, crm: "salesforce", name: "Acme US", status: "active" },
      ]);
      expect(JSON.stringify(body)).not.toMatch(/secret|webhook|token/i);
    });

    it("when two versions are diffed, then the changes are listed; an unknown hash is a 404 and a missing one a 400", async () => {
      const versions = (await (await get(`/sla/versions?connectionId=${CONNECTION}`)).json()) as {
        versions: { hash: string; version: number; signedBy: Record<string, boolean> }[];
        current: { version: number; inForce: boolean };
      };
      expect(versions.versions.map((v) => [v.version, v.signedBy])).toEqual([
        [2, { marketing: true, sales: false }],
        [1, { marketing: true, sales: true }],
      ]);
      expect(versions.current).toMatchObject({ version: 1, inForce: true });
      expect(JSON.stringify(versions)).not.toContain("@acme.test");

      const [v2, v1] = versions.versions;
      const diff = await get(`/sla/diff?connectionId=${CONNECTION}&a=${v1!.hash}&b=${v2!.hash}`);
      expect(diff.status).toBe(200);
      expect(((await diff.json()) as { changes: unknown[] }).changes).toContainEqual({
        kind: "changed",
        path: "qualify.mql.fit",
        before: "50",
        after: "60",
      });
      const unknown = await get(`/sla/diff?connectionId=${CONNECTION}&a=${v1!.hash}&b=sha256:nope`);
      expect(unknown.status).toBe(404);
      const missing = await get(`/sla/diff?connectionId=${CONNECTION}&a=${v1!.hash}`);
      expect(missing.status).toBe(400);
      await expect(missing.json()).resolves.toMatchObject({
        error: "invalid_payload",
        hint: expect.any(String),
      });
      expect((await get("/sla/versions?connectionId=nobody")).status).toBe(404);
    });

    it("when an asset is fetched again with its ETag, then 304; an unknown asset is a 404", async () => {
      const first = await fetch(`${rt.url!}/admin/assets/charts.js`);
      expect(first.headers.get("content-type")).toContain("text/javascript");
      const again = await fetch(`${rt.url!}/admin/assets/charts.js`, {
        headers: { "if-none-match": first.headers.get("etag")! },
      });
      expect(again.status).toBe(304);
      expect((await fetch(`${rt.url!}/admin/assets/..%2Fdashboard-routes.ts`)).status).toBe(404);
      const page = await fetch(`${rt.url!}/admin`);
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    });
  });

  it("when the admin forecasts a draft SLA, then live and draft are drawn side by side and a broken draft shows why", async () => {
    const page = await openDashboard();
    const text = readFileSync(join(__dirname, "../../config/sla.default.yaml"), "utf8");
    await page.fill("#forecast-draft", text.replace('fit: ">= 50"', 'fit: ">= 90"'));
    await page.click("text=Run forecast");
    await page.waitForSelector("#forecast-body svg[data-chart=forecast], #forecast-body .problem");
    await expect(page.locator("#forecast-body .problem").count()).resolves.toBe(0);
    await expect(page.locator("#forecast-body").textContent()).resolves.toMatch(/Draft: [+−-]?\d+ MQLs/);
    await page.locator("#forecast").screenshot({ path: "/tmp/handoff-dashboard-forecast.png" });

    await page.fill("#forecast-draft", "sla: { name: broken");
    await page.click("text=Run forecast");
    await page.waitForSelector("#forecast-body .problem");
    await page.close();
  });

  it("when the admin tabs through the reports on a laptop screen, then each chart mark says its value at once, every chart has a legend, and nothing scrolls sideways", async () => {
    const page = await openDashboard();
    await page.setViewportSize({ width: 1366, height: 768 });
    const width = await page.evaluate("document.documentElement.scrollWidth");
    expect(width).toBeLessThanOrEqual(1366);

    // The keyboard reaches the pace chart's bars; the focused one shows its week and count in the tip at once.
    const onBar = "document.activeElement?.matches('svg[data-chart=pace] rect.bar') ?? false";
    for (let i = 0; i < 80 && !(await page.evaluate(onBar)); i++) await page.keyboard.press("Tab");
    await expect(page.evaluate(onBar)).resolves.toBe(true);
    const said = String(await page.evaluate("document.activeElement.querySelector('title').textContent"));
    await expect(page.locator(".chart-tip").textContent()).resolves.toBe(said);
    await expect(page.locator(".chart-tip").isVisible()).resolves.toBe(true);
    expect(said).toMatch(/\d/);

    // Each report chart panel names its series.
    for (const section of ["pace", "compliance", "fairness"]) {
      expect(await page.locator(`#${section} .legend .sw`).count()).toBeGreaterThanOrEqual(2);
    }
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("when the whole page is loaded, then it weighs under 100 KB and looks right in a screenshot", async () => {
    // The page and every file it loads, as the browser receives them.
    const html = await (
      await fetch(`${rt.url!}/admin`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })
    ).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/admin\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    // The lead story's and the SLA page's code load when those views open (lead-story-browser.test.ts).
    expect(assets).toHaveLength(4);
    let bytes = Buffer.byteLength(html);
    for (const asset of assets) bytes += (await (await fetch(`${rt.url!}${asset}`)).arrayBuffer()).byteLength;
    expect(bytes).toBeLessThan(100_000);

    const page = await openDashboard();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Sign out: the cookie is gone and the sign-in form is back.
    await page.click("text=Sign out");
    await page.waitForSelector("#token");
    expect((await context.cookies()).some((c) => c.name === "handoff_admin")).toBe(false);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  // Last: it throttles this address's wrong guesses for ten minutes.
  it("when a script keeps guessing tokens, then further wrong guesses get 429 and the right token still signs in", async () => {
    const attempt = (token: string) =>
      fetch(`${rt.url!}/admin/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
        redirect: "manual",
      });
    for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const locked = await attempt("guess-10");
    expect(locked.status).toBe(429);
    expect(locked.headers.get("set-cookie")).toBeNull();
    await expect(locked.text()).resolves.toContain("Too many wrong tokens");
    const admin = await attempt(TEST_ADMIN_TOKEN);
    expect(admin.status).toBe(303);
    expect(admin.headers.get("set-cookie")).toMatch(/^handoff_admin=/);
  });
});
