import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { buildHandoffCard, type HandoffCardInput } from "../../src/domain/handoff-card";
import { createErrorHandler } from "../../src/http/error-handler";
import { type CardFeedback, createCardRouter } from "../../src/http/routes/card-routes";
import type { Logger } from "../../src/ports/logger";
import { aHandoffCardInput } from "../fixtures/handoff-card";
import { systemClock } from "../../src/composition/system-clock";

// What a rep sees on the preview page, checked in Debian's headless Chromium (DESIGN §8: never download a browser).
const CHROMIUM = "/usr/bin/chromium";
const NOW = new Date();
const minutesFromNow = (m: number) => new Date(NOW.getTime() + m * 60_000).toISOString();

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
let server: Server;
let base: string;
let context: BrowserContext;
let profile: string;
let input: HandoffCardInput;
const recorded: CardFeedback[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run \`apt-get update && apt-get install -y chromium\` (CI installs it in .ci/run).`,
    );
  }
  const app = express();
  app.use(
    createCardRouter({
      getCard: async (connectionId, leadId) =>
        connectionId === "conn-hs-1" && leadId === "501" ? buildHandoffCard(input, new Date()) : null,
      recordFeedback: async (f) => {
        recorded.push(f);
        input = {
          ...input,
          feedback: {
            decision: f.decision,
            at: new Date().toISOString(),
            ...(f.reason ? { reason: f.reason } : {}),
          },
        };
      },
      verifyHubSpot: () => undefined,
      resolveHubSpotConnection: async () => null,
      resolveSalesforceConnection: async () => null,
      canvasConsumerSecrets: ["unused"],
      feedbackSecret: "browser-test-feedback-secret-0123",
      // The demo preview is open here; production wires the admin-token check.
      authorizePreview: () => undefined,
      logger: silent,
      // The card, its countdown in the browser and the feedback all read the one real clock.
      now: systemClock,
    }),
  );
  app.use(createErrorHandler(silent));
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  profile = mkdtempSync(join(tmpdir(), "handoff-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
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
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  server?.closeAllConnections();
  server?.close();
});

beforeEach(() => {
  recorded.length = 0;
  // The fixture's activity, moved to happen in the minutes before NOW (the newest, the form, 4 minutes ago).
  const fixture = aHandoffCardInput();
  const activities = fixture.activities.map((a, i, all) => ({
    ...a,
    occurredAt: minutesFromNow(-(all.length - i) * 4),
  }));
  const form = activities[activities.length - 1]!;
  input = aHandoffCardInput({
    activities,
    trigger: { kind: "activity", activity: form },
    formSubmitted: { ...fixture.formSubmitted!, occurredAt: form.occurredAt },
    followUp: { startedAt: minutesFromNow(-5), dueAt: minutesFromNow(25), businessHours: true },
  });
});

/** Opens the preview with the page clock fixed at NOW; collects console errors and every request made. */
async function openPreview(): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  await page.clock.install({ time: NOW });
  await page.goto(`${base}/cards/preview/conn-hs-1/501`);
  return { page, problems, requests };
}

describe("the handoff card preview in Chromium", () => {
  it("shows who, why now, the scores with their breakdown, five views, the owner, the countdown and the buttons", async () => {
    const { page, problems, requests } = await openPreview();

    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Zoë Müller");
    await expect(page.getByText("VP Sales at Acme GmbH").isVisible()).resolves.toBe(true);
    await expect(page.getByTestId("why-now").innerText()).resolves.toBe(
      "Why now: Submitted form “contact-me” on /contact (4 min ago)",
    );
    await expect(page.getByTestId("score-total").innerText()).resolves.toBe("137");
    await expect(page.getByTestId("score-fit").innerText()).resolves.toContain("75");
    await expect(page.getByTestId("score-engagement").innerText()).resolves.toContain("62");
    await expect(page.getByRole("meter", { name: "Fit score" }).getAttribute("aria-valuenow")).resolves.toBe(
      "75",
    );

    const reasons = page.locator("[data-testid=breakdown] li.reason");
    await expect(reasons.count()).resolves.toBe(7);
    await expect(reasons.first().innerText()).resolves.toMatch(/^\+25\s+employees 250 ≥ 100/);
    await expect(page.locator("[data-testid=breakdown] li.reason.neg").innerText()).resolves.toMatch(
      /^-7\.6\s+viewed \/careers/,
    );
    // The bars are drawn: the biggest mover fills its track, the others are proportional.
    const widths = await page
      .locator("[data-testid=breakdown] .rbar span")
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().width)));
    expect(Math.max(...widths)).toBeGreaterThan(50);
    expect(widths.every((w) => w > 0)).toBe(true);

    const views = page.getByTestId("recent-views").locator("li");
    await expect(views.allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^Contact us/),
      expect.stringMatching(/^Enterprise pricing/),
      expect.stringMatching(/^Pricing/),
      expect.stringMatching(/^Customer stories/),
      expect.stringMatching(/^The SLA playbook/),
    ]);
    await expect(page.getByTestId("last-conversion").innerText()).resolves.toContain("contact-me");
    await expect(page.getByTestId("form-submitted").innerText()).resolves.toContain("contact-me");
    await expect(page.getByText("We need this before Q1.").isVisible()).resolves.toBe(true);
    await expect(page.getByTestId("owner").innerText()).resolves.toBe("Anna Schmidt");
    await expect(page.getByText("territory DACH (country DE)").isVisible()).resolves.toBe(true);

    await expect(page.getByTestId("countdown").innerText()).resolves.toBe("due in 25 min");
    await expect(page.getByRole("button", { name: "Accept" }).isEnabled()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: "Reject" }).isEnabled()).resolves.toBe(true);
    await expect(page.getByLabel("Reason").locator("option").allInnerTexts()).resolves.toEqual([
      "Choose a reason…",
      "Not in our ICP",
      "No budget",
      "Wrong contact",
      "Duplicate",
      "Student or job seeker",
    ]);

    // Self-contained: nothing but the page itself was loaded, and the CSP let its own script run.
    expect(requests).toEqual([`${base}/cards/preview/conn-hs-1/501`]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("when time passes the deadline, then the countdown turns overdue without a reload", async () => {
    const { page } = await openPreview();
    await page.clock.fastForward("31:00");
    await expect(page.getByTestId("countdown").innerText()).resolves.toBe("6 min overdue");
    await expect(page.locator(".followup").getAttribute("class")).resolves.toContain("overdue");
    await page.close();
  });

  it("when the rep clicks Reject without a reason, then a reason is required; with one, the rejection is saved", async () => {
    const { page, problems } = await openPreview();

    await page.getByRole("button", { name: "Reject" }).click();
    const alert = page.getByRole("alert");
    await expect(alert.innerText()).resolves.toBe("Choose a reason to reject this lead.");
    await expect(page.getByLabel("Reason").getAttribute("aria-invalid")).resolves.toBe("true");
    expect(recorded).toEqual([]);

    await page.getByLabel("Reason").selectOption("no_budget");
    await page.getByRole("button", { name: "Reject" }).click();
    await page.getByText("Rejected. Marketing will see why.").waitFor();
    expect(recorded).toEqual([
      {
        connectionId: "conn-hs-1",
        leadId: "501",
        decision: "reject",
        reason: "no_budget",
        source: "preview",
      },
    ]);
    await expect(alert.isVisible()).resolves.toBe(false);
    await expect(page.getByRole("button", { name: "Accept" }).isDisabled()).resolves.toBe(true);
    expect(problems).toEqual([]);

    // A reload shows the recorded decision instead of the buttons.
    await page.reload();
    await expect(page.getByTestId("feedback").innerText()).resolves.toMatch(/^Rejected: No budget/);
    await expect(page.getByRole("button", { name: "Reject" }).count()).resolves.toBe(0);
    await page.close();
  });

  it("when the rep clicks Accept, then the lead is accepted", async () => {
    const { page } = await openPreview();
    await page.getByRole("button", { name: "Accept" }).click();
    await page.getByText("Accepted. The lead is yours.").waitFor();
    expect(recorded).toEqual([
      { connectionId: "conn-hs-1", leadId: "501", decision: "accept", source: "preview" },
    ]);
    await page.close();
  });
});
