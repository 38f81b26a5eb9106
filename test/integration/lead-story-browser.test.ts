import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import request from "supertest";
import { DEMO } from "../../src/composition/seed-demo";
import { type SandboxServer } from "../../src/sandbox/server";
import { waitFor } from "../helpers/capture-servers";
import { startDemoStack, type DemoStack } from "../helpers/demo-stack";
import { launchChromium } from "../helpers/chromium";
import { TEST_ADMIN_TOKEN, type TestRuntime } from "../helpers/runtime";
import { addQualifyingContact, formSubmittedEvent } from "../helpers/sandbox-leads";

// The admin's browser: "why did this lead go to Ben?" and changing the SLA without a terminal, checked in
// Debian's headless Chromium against the real app, pipeline and database (DESIGN §8: never download a browser).
// Wednesday 2026-11-18 10:00 in Berlin: the DACH reps are at work. The app reads this clock.
const NOW = new Date("2026-11-18T09:00:00.000Z");
const CONNECTION = DEMO.hubspot.connectionId;
const OTHER = DEMO.salesforce.connectionId;
const LEAD = "990101";
const EMAIL = `lead${LEAD}@kraus-software0.example`;
/** Screenshots land in $SCREENSHOTS (default a temp folder); the README's pictures come from test/tools/demo-screenshots.ts. */
const SHOTS = process.env.SCREENSHOTS ?? join(tmpdir(), "handoff-shots");
const DEFAULT_SLA = readFileSync(join(__dirname, "../../config/sla.default.yaml"), "utf8");
/** A draft under which the lead's fit (VP at a 450-person software company) no longer qualifies, even by trigger. */
const strict = (sla: string) =>
  sla.replace('fit: ">= 50"', 'fit: ">= 85"').replace('trigger_min_fit: ">= 40"', 'trigger_min_fit: ">= 85"');

describe("the admin's browser: lead story and SLA page", () => {
  let sandbox: SandboxServer;
  let rt: TestRuntime;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  const api = (path: string) =>
    request(rt.url!).get(`/admin/api${path}`).set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`);
  const post = (path: string, body: object) =>
    request(rt.url!).post(`/admin/api${path}`).set("authorization", `Bearer ${TEST_ADMIN_TOKEN}`).send(body);

  let stack: DemoStack | undefined;

  beforeAll(async () => {
    const started = await startDemoStack({ now: () => NOW });
    stack = started;
    ({ sandbox, rt } = started);
    addQualifyingContact(sandbox, LEAD, NOW.getTime());
    const sent = await started.sendHubSpot([
      formSubmittedEvent(Number(DEMO.hubspot.portalId), LEAD, 9101, NOW.getTime() - 60_000),
    ]);
    expect(sent.status).toBe(200);
    await waitFor(async () => (await started.leads.latestHandoff(CONNECTION, LEAD))?.taskId, 20_000);

    mkdirSync(SHOTS, { recursive: true });
    // A laptop screen.
    browser = await launchChromium({ width: 1366, height: 768 });
    context = browser.context;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function signedIn(hash: string): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    // A step that does not happen fails with its own message, well inside the test's time.
    page.setDefaultTimeout(10_000);
    await page.goto(`${rt.url!}/admin`);
    if ((await page.locator("#token").count()) > 0) {
      await page.fill("#token", TEST_ADMIN_TOKEN);
      await page.click("button[type=submit]");
    }
    await page.waitForSelector("body[data-loaded=true]");
    await page.goto(`${rt.url!}/admin${hash}`);
    await page.waitForSelector("body[data-loaded=true]");
    return page;
  }

  /** What pasting a whole file does: the editor's text is replaced and it hears one input event. */
  async function pasteDraft(page: Page, text: string): Promise<void> {
    await page.locator("#sla-editor").evaluate((el, value) => {
      const editor = el as unknown as { value: string; dispatchEvent(e: unknown): boolean };
      editor.value = value;
      editor.dispatchEvent(
        new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("input"),
      );
    }, text);
  }

  describe("the lead story API", () => {
    it("when the admin looks a lead up by e-mail or CRM id, then it is found in its connection only", async () => {
      expect(
        (await request(rt.url!).get(`/admin/api/leads?connectionId=${CONNECTION}&q=${LEAD}`)).status,
      ).toBe(401);
      const byEmail = await api(
        `/leads?connectionId=${CONNECTION}&q=${encodeURIComponent(EMAIL.toUpperCase())}`,
      );
      expect(byEmail.status).toBe(200);
      expect(byEmail.body.leads).toEqual([
        expect.objectContaining({ leadId: LEAD, matchedBy: "email", stage: "mql" }),
      ]);
      expect((await api(`/leads?connectionId=${CONNECTION}&q=${LEAD}`)).body.leads[0]).toMatchObject({
        leadId: LEAD,
        matchedBy: "id",
      });
      expect((await api(`/leads?connectionId=${OTHER}&q=${LEAD}`)).body.leads).toEqual([]);
      expect((await api(`/leads?connectionId=${CONNECTION}`)).status).toBe(400);
    });

    it("when the admin opens a lead's story, then events, score with reasons, the routing decision with every candidate, task, messages and clock are there", async () => {
      const res = await api(`/leads/${CONNECTION}/${LEAD}`);
      expect(res.status).toBe(200);
      const s = res.body;
      expect(s.events).toEqual([
        expect.objectContaining({ kind: "form_submitted", source: "FORM", status: "processed" }),
      ]);
      expect(s.scores).toHaveLength(1);
      expect(s.scores[0]).toMatchObject({ stage: "mql", action: "promote" });
      expect(s.scores[0].reasons.map((r: { rule: string }) => r.rule)).toEqual(
        expect.arrayContaining(["company-100-plus", "decision-maker", "contact-me"]),
      );
      expect(s.lifecycle).toEqual([
        expect.objectContaining({ type: "stage_set", stage: "mql", by: "handoff" }),
      ]);
      const [decision] = s.decisions;
      expect(decision.routing.pool).toBe("dach");
      expect(decision.routing.candidates.map((c: { rep: string }) => c.rep).sort()).toEqual(["anna", "ben"]);
      expect(decision.routing.candidates.filter((c: { chosen: boolean }) => c.chosen)).toHaveLength(1);
      expect(decision.sla).toMatchObject({ status: "file", version: null });
      const [handoff] = s.handoffs;
      expect(handoff.taskId).toBeTruthy();
      expect(handoff.id).toBe(decision.id);
      expect(handoff.followUp.length).toBeGreaterThan(0);
      expect(s.person).toMatchObject({ email: EMAIL, jobTitle: "VP Sales" });
      // Another portal never reads this lead.
      expect((await api(`/leads/${OTHER}/${LEAD}`)).status).toBe(404);
    });

    it("when the admin replays the decision, then it is identical bit for bit; with a draft that has one DACH rep, the owner is that rep", async () => {
      const s = (await api(`/leads/${CONNECTION}/${LEAD}`)).body;
      const id = s.decisions[0].id;
      const replay = await post(`/leads/${CONNECTION}/${LEAD}/decisions/${id}/replay`, {});
      expect(replay.status).toBe(200);
      expect(replay.body.identical).toBe(true);
      expect(replay.body.lines.join("\n")).toMatch(/identical, bit for bit/);
      expect((await post(`/leads/${OTHER}/${LEAD}/decisions/${id}/replay`, {})).status).toBe(404);

      const other = s.decisions[0].routing.repKey === "anna" ? "ben" : "anna";
      const draft = DEFAULT_SLA.replace(
        /members: \[\{ rep: anna, weight: 2 \}, \{ rep: ben \}\]/,
        `members: [{ rep: ${other} }]`,
      );
      expect(draft).not.toBe(DEFAULT_SLA);
      const withDraft = await post(`/leads/${CONNECTION}/${LEAD}/decisions/${id}/replay`, { draft });
      expect(withDraft.body).toMatchObject({
        identical: false,
        withDraft: true,
        replayed: { repKey: other },
      });

      const tried = await post(`/leads/${CONNECTION}/${LEAD}/draft`, { draft: strict(draft) });
      expect(tried.status).toBe(200);
      expect(tried.body.live).toMatchObject({ stage: "mql", handoff: true });
      expect(tried.body.draft).toMatchObject({ handoff: false });
      expect(tried.body.decisions[0]).toMatchObject({ sameOwner: false, draftOwner: expect.any(String) });
    });
  });

  describe("the SLA API", () => {
    it("when a draft has a wrong value, then the check names its line and field; a good draft gets its hash", async () => {
      const bad = DEFAULT_SLA.replace("version: 1", 'version: "two"');
      const line = bad.split("\n").findIndex((l) => l.includes('version: "two"')) + 1;
      const res = await post("/sla/check", { source: bad });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.problems).toContainEqual(
        expect.objectContaining({ severity: "error", line, path: "sla.version" }),
      );
      const good = await post("/sla/check", { source: DEFAULT_SLA });
      expect(good.body).toMatchObject({ ok: true, errors: 0, hash: expect.stringMatching(/^sha256:/) });
    });

    it("when a stricter draft is previewed, then the real lead and a pasted sample are shown changing stage", async () => {
      const draft = strict(DEFAULT_SLA);
      const sample = JSON.stringify({
        id: "s1",
        email: "ana@acme.example",
        firstName: "Ana",
        lastName: "Ruiz",
        company: "Acme",
        jobTitle: "VP Marketing",
        employees: 800,
        industry: "software",
        country: "DE",
        activities: [{ kind: "contact_me", occurredAt: new Date(NOW.getTime() - 3_600_000).toISOString() }],
      });
      const res = await post("/sla/preview", {
        connectionId: CONNECTION,
        draft,
        last: 10,
        samples: `${sample}\nnot json`,
      });
      expect(res.status).toBe(200);
      const real = res.body.leads.find((l: { leadId: string }) => l.leadId === LEAD);
      expect(real).toMatchObject({ from: "recent", live: { handoff: true }, draft: { handoff: false } });
      expect(real.changes).toContain("stage");
      expect(res.body.leads.find((l: { from: string }) => l.from === "sample")).toMatchObject({ line: 1 });
      expect(res.body.sampleErrors).toEqual([{ line: 2, message: expect.stringMatching(/JSON/) }]);
      expect((await post("/sla/preview", { connectionId: "nope", draft, last: 1 })).status).toBe(404);
    });
  });

  it("when the admin finds a lead by e-mail in the browser, then its story shows the chosen rep, and Replay says identical", async () => {
    const page = await signedIn("#lead");
    await page.waitForSelector("body[data-view=lead]");
    await page.fill("#lead-q", EMAIL);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`body[data-story="${LEAD}"]`);
    expect(new URL(page.url()).hash).toBe(`#lead/${LEAD}`);
    await expect(page.locator("[data-testid=lead-header]").textContent()).resolves.toContain("VP Sales");
    expect(await page.locator("svg[data-chart=score] circle.score-dot").count()).toBe(3);
    const chosen = page.locator("[data-testid=candidates] tr.chosen");
    await expect(chosen.count()).resolves.toBe(1);
    await expect(chosen.textContent()).resolves.toMatch(/chosen/);
    await expect(page.locator("[data-testid=lead-handoffs]").textContent()).resolves.toMatch(/task/);
    // Each point says its values at once on hover and when focused with the keyboard.
    await page.locator("svg[data-chart=score] circle.score-dot.s-total").hover();
    await expect(page.locator(".chart-tip").textContent()).resolves.toMatch(
      /total \d+ \(fit \d+, engagement [\d.]+/,
    );
    await page.locator("svg[data-chart=score] circle.score-dot.s-fit").focus();
    await expect(page.locator(".chart-tip").textContent()).resolves.toMatch(/^.*: fit \d+/);
    await page.screenshot({ path: join(SHOTS, "lead-story.png"), fullPage: false });

    // Keyboard only: Tab to "Replay this decision", Enter.
    await page.locator("[data-testid=replay]").focus();
    await page.keyboard.press("Enter");
    await expect(page.locator("[data-testid=replay-verdict]").textContent()).resolves.toBe(
      "Replayed: identical, bit for bit.",
    );
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it("when the admin edits the draft, then each problem shows at its line as they type; both teams sign, then it is published and rolled back", async () => {
    const page = await signedIn("#sla");
    await page.waitForSelector("body[data-sla=loaded]");
    // No version published yet: the draft starts as the file the connection runs on.
    await page.locator("[data-testid=sla-check-status].ok").waitFor();
    await expect(page.locator("#sla-editor").inputValue()).resolves.toBe(DEFAULT_SLA);
    await pasteDraft(page, DEFAULT_SLA.replace("version: 1", 'version: "two"'));
    await page.locator("[data-testid=sla-problems] li.error").first().waitFor();
    const line = DEFAULT_SLA.split("\n").findIndex((l) => l.startsWith("  version: 1")) + 1;
    await expect(
      page.locator("[data-testid=sla-problems] li.error").first().getAttribute("data-line"),
    ).resolves.toBe(String(line));
    await expect(page.locator(`#sla-gutter .g.error`).textContent()).resolves.toBe(String(line));

    await pasteDraft(page, DEFAULT_SLA);
    await page.locator("[data-testid=sla-check-status].ok").waitFor();
    await expect(page.locator("#sla-publish").isDisabled()).resolves.toBe(true);
    for (const [team, name] of [
      ["marketing", "Marta Marketing"],
      ["sales", "Sam Sales"],
    ] as const) {
      await page.selectOption("#sla-sign-team", team);
      await page.fill("#sla-sign-name", name);
      await page.fill("#sla-sign-email", `${team}@acme.example`);
      await page.click("text=Sign this exact text");
      await page.locator("[data-testid=signoff]", { hasText: `${team} ✓ ${name}` }).waitFor();
    }
    await page.click("#sla-publish");
    await page.locator("#sla-publish-status", { hasText: "Published v1" }).waitFor();
    // The header's badge follows: the connection now runs on a signed, published version.
    await page.locator("[data-testid=sla-badge]", { hasText: "v1" }).waitFor();
    const signatures = await rt.pool.query(
      "SELECT team, signer_name, signer_email, signed_at FROM sla_signatures WHERE connection_id = $1 ORDER BY team",
      [CONNECTION],
    );
    expect(
      signatures.rows.map((r) => [r.team, r.signer_name, r.signer_email, r.signed_at.toISOString()]),
    ).toEqual([
      ["marketing", "Marta Marketing", "marketing@acme.example", NOW.toISOString()],
      ["sales", "Sam Sales", "sales@acme.example", NOW.toISOString()],
    ]);

    // v2 raises the fit threshold; publishing needs both signatures over its exact text.
    await pasteDraft(
      page,
      DEFAULT_SLA.replace("version: 1", "version: 2").replace('fit: ">= 50"', 'fit: ">= 60"'),
    );
    await page.locator("[data-testid=sla-check-status].ok").waitFor();
    await page.selectOption("#sla-sign-team", "marketing");
    await page.click("text=Sign this exact text");
    await page.locator("[data-testid=signoff]", { hasText: "marketing ✓" }).waitFor();
    await expect(page.locator("[data-testid=signoff]").textContent()).resolves.toContain("sales awaiting");
    await expect(page.locator("#sla-publish").isDisabled()).resolves.toBe(true);
    await page.selectOption("#sla-sign-team", "sales");
    await page.click("text=Sign this exact text");
    await page.locator("[data-testid=signoff]", { hasText: "sales ✓" }).waitFor();
    await page.click("#sla-publish");
    await page.locator("#sla-publish-status", { hasText: "Published v2" }).waitFor();
    await page.locator("[data-testid=sla-history] tbody tr").nth(1).locator("text=superseded").waitFor();

    // The history shows what changed from v1 to v2.
    await page.locator("[data-testid=sla-history] tbody tr").first().locator("text=Diff from v1").click();
    await expect(page.locator("#sla-history-diff [data-testid=sla-changes]").textContent()).resolves.toMatch(
      /qualify\.mql\.fit\s*50 → 60/,
    );

    // Roll back: v1's text comes back as v3, effective today, and needs new signatures.
    await page.locator("[data-testid=rollback]").first().click();
    await page.locator("#sla-publish-status", { hasText: "loaded as v3" }).waitFor();
    await page.locator("[data-testid=sla-check-status].ok").waitFor();
    await expect(page.locator("#sla-editor").inputValue()).resolves.toMatch(/version: 3[\s\S]*fit: ">= 50"/);
    await page.locator("[data-testid=signoff]", { hasText: "marketing awaiting" }).waitFor();
    await expect(page.locator("#sla-publish").isDisabled()).resolves.toBe(true);
    // Only the two lines that make it a new version differ from v1's text.
    const rolledBack = await page.locator("#sla-editor").inputValue();
    expect(rolledBack).toBe(
      DEFAULT_SLA.replace("version: 1", "version: 3").replace(
        "effective: 2026-11-01",
        "effective: 2026-11-18",
      ),
    );
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: join(SHOTS, "sla-page.png"), fullPage: false });
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 90_000);

  it("when publishing is asked for a text only one team signed, or a text that differs from the signed one, then it is refused", async () => {
    const draft = DEFAULT_SLA.replace("version: 1", "version: 9").replace('fit: ">= 50"', 'fit: ">= 70"');
    const signed = await post("/sla/sign", {
      connectionId: CONNECTION,
      source: draft,
      team: "marketing",
      name: "M",
      email: "m@acme.example",
    });
    expect(signed.status).toBe(201);
    expect(signed.body).toMatchObject({ signedBy: { marketing: true, sales: false }, readyToPublish: false });
    const refused = await post("/sla/publish", {
      connectionId: CONNECTION,
      hash: signed.body.hash,
      source: draft,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe("sla_publish_refused");
    const changed = await post("/sla/publish", {
      connectionId: CONNECTION,
      hash: signed.body.hash,
      source: draft.replace("70", "71"),
    });
    expect(changed.body.error).toBe("sla_text_changed");
    expect(
      (
        await post("/sla/sign", {
          connectionId: CONNECTION,
          source: draft,
          team: "sales",
          name: "",
          email: "nope",
        })
      ).body.error,
    ).toBe("invalid_payload");
  });
});
