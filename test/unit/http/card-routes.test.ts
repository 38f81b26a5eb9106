import express from "express";
import { hubSpotCardVerifier } from "../../../src/adapters/hubspot/hubspot-card";
import request from "supertest";
import { buildHandoffCard, type HandoffCard, type HandoffCardInput } from "../../../src/domain/handoff-card";
import { UnauthorizedError } from "../../../src/domain/errors";
import { createErrorHandler } from "../../../src/http/error-handler";
import {
  type CardFeedback,
  type CardRoutesDeps,
  createCardRouter,
  previewAuthorizer,
  signedPreviewUrl,
  signFeedbackToken,
} from "../../../src/http/routes/card-routes";
import type { Logger, LogFields } from "../../../src/ports/logger";
import vectors from "../../fixtures/salesforce/vectors.json";
import { aHandoffCardInput, CARD_NOW } from "../../fixtures/handoff-card";
import { hubSpotHeaders } from "../../helpers/sign";

const PUBLIC_URL = "https://handoff.test";
const SECRET = "hubspot-client-secret-for-tests";
const FEEDBACK_SECRET = "feedback-secret-0123456789abcdef";
const NOW = CARD_NOW.getTime();
const canvas = vectors.canvas_signed_request;
const SF_LEAD = "00QHz00000Lx7aAMAR";

function capturingLogger(entries: { level: string; message: string; fields?: LogFields }[] = []): Logger {
  const log = (level: string) => (message: string, fields?: LogFields) =>
    entries.push({ level, message, ...(fields ? { fields } : {}) });
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: () => capturingLogger(entries),
  };
}

function setup(overrides: Partial<CardRoutesDeps> = {}) {
  const inputs = new Map<string, HandoffCardInput>([
    ["conn-hs-1/501", aHandoffCardInput()],
    [
      "conn-sf-1/" + SF_LEAD,
      aHandoffCardInput({
        connectionId: "conn-sf-1",
        crm: "salesforce",
        lead: { ...aHandoffCardInput().lead, id: SF_LEAD },
      }),
    ],
  ]);
  const recorded: CardFeedback[] = [];
  const logs: { level: string; message: string; fields?: LogFields }[] = [];
  let clock = NOW;
  const deps: CardRoutesDeps = {
    getCard: async (connectionId, leadId) => {
      const input = inputs.get(`${connectionId}/${leadId}`);
      return input ? buildHandoffCard(input, new Date(clock)) : null;
    },
    recordFeedback: async (f) => {
      recorded.push(f);
      const key = `${f.connectionId}/${f.leadId}`;
      const input = inputs.get(key)!;
      inputs.set(key, {
        ...input,
        feedback: {
          decision: f.decision,
          at: new Date(clock).toISOString(),
          ...(f.reason ? { reason: f.reason } : {}),
        },
      });
    },
    verifyHubSpot: hubSpotCardVerifier(PUBLIC_URL, [SECRET], () => new Date(clock)),
    resolveHubSpotConnection: async (portalId) => (portalId === "9876543" ? "conn-hs-1" : null),
    resolveSalesforceConnection: async (orgId) => (orgId === "00DHz000004Hnd0MAC" ? "conn-sf-1" : null),
    canvasConsumerSecrets: [canvas.consumer_secret],
    feedbackSecret: FEEDBACK_SECRET,
    authorizePreview: (req) => {
      if (req.get("authorization") !== "Bearer admin-token") {
        throw new UnauthorizedError(
          "the preview needs the admin token",
          "Send Authorization: Bearer <token>.",
        );
      }
    },
    logger: capturingLogger(logs),
    now: () => new Date(clock),
    ...overrides,
  };
  const app = express();
  app.use(createCardRouter(deps));
  app.use(createErrorHandler(deps.logger));
  return { app, inputs, recorded, logs, advance: (ms: number) => (clock += ms) };
}

function hubspotPost(
  app: express.Express,
  body: unknown,
  path = "/cards/hubspot/handoff?portalId=9876543&userId=42",
) {
  const raw = JSON.stringify(body);
  return request(app)
    .post(path)
    .set(hubSpotHeaders(SECRET, PUBLIC_URL + path, raw, NOW))
    .send(raw);
}

function pageData(html: string): {
  connectionId: string;
  leadId: string;
  token: string;
  feedbackUrl: string;
} {
  const m = /<script type="application\/json" id="handoff-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m![1]!);
}

describe("POST /cards/hubspot/handoff", () => {
  it("when HubSpot's card asks with a valid signature, then it gets the card as JSON", async () => {
    const { app } = setup();
    const res = await hubspotPost(app, { objectId: 501 });

    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const card = res.body as HandoffCard;
    expect(card.who.name).toBe("Zoë Müller");
    expect(card.recentViews).toHaveLength(5);
    expect(card.score.reasons[0]?.label).toBe("+25 employees 250 ≥ 100");
    expect(card.followUp?.countdown).toBe("due in 25 min");
  });

  it("checks in order: content type 415, missing header 400, bad signature 401, schema 400", async () => {
    const { app } = setup();
    const path = "/cards/hubspot/handoff?portalId=9876543";
    const wrongType = await request(app).post(path).set("content-type", "text/plain").send("{}");
    expect(wrongType.status).toBe(415);

    const unsigned = await request(app).post(path).set("content-type", "application/json").send("{}");
    expect(unsigned.status).toBe(400);
    expect(unsigned.body).toMatchObject({
      error: "missing_header",
      message: "missing header X-HubSpot-Signature-v3",
    });

    const raw = JSON.stringify({ objectId: 501 });
    const forged = await request(app)
      .post(path)
      .set(hubSpotHeaders("another-secret-entirely", PUBLIC_URL + path, raw, NOW))
      .send(raw);
    expect(forged.status).toBe(401);
    expect(forged.body.error).toBe("invalid_signature");

    const stale = await request(app)
      .post(path)
      .set(hubSpotHeaders(SECRET, PUBLIC_URL + path, raw, NOW - 301_000))
      .send(raw);
    expect(stale.body.error).toBe("stale_signature");

    const noObject = await hubspotPost(app, { decision: "maybe" }, path);
    expect(noObject.status).toBe(400);
    expect(noObject.body.error).toBe("invalid_payload");
    expect(noObject.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "decision",
      "objectId",
    ]);
  });

  it("answers 404 for a portal that is not connected and for a contact without a handoff", async () => {
    const { app } = setup();
    const unknownPortal = await hubspotPost(app, { objectId: 501 }, "/cards/hubspot/handoff?portalId=1");
    expect(unknownPortal.status).toBe(404);
    const noHandoff = await hubspotPost(app, { objectId: 999 });
    expect(noHandoff.status).toBe(404);
    expect(noHandoff.body.error).toBe("no_handoff");
  });

  it("when the rep rejects from HubSpot with a reason, then the decision is recorded with the HubSpot user", async () => {
    const { app, recorded, logs } = setup();
    const res = await hubspotPost(app, { objectId: 501, decision: "reject", reason: "no_budget" });

    expect(res.status).toBe(200);
    expect(res.body.feedback).toMatchObject({ status: "rejected", reasonLabel: "No budget" });
    expect(recorded).toEqual([
      {
        connectionId: "conn-hs-1",
        leadId: "501",
        decision: "reject",
        reason: "no_budget",
        source: "hubspot",
        actorId: "42",
      },
    ]);
    expect(JSON.stringify(logs)).not.toMatch(/Zoë|zoe@|anna@/);
  });

  it("when a rejection has no reason or an unknown one, then it is refused with the SLA's reasons", async () => {
    const { app, recorded } = setup();
    const none = await hubspotPost(app, { objectId: 501, decision: "reject" });
    expect(none.status).toBe(400);
    expect(none.body.issues[0].message).toContain("not_icp, no_budget");
    const unknown = await hubspotPost(app, { objectId: 501, decision: "reject", reason: "too_busy" });
    expect(unknown.status).toBe(400);
    expect(recorded).toEqual([]);
  });

  it("when building the card is slow, then it answers 503 within its budget instead of hanging the card", async () => {
    const { app } = setup({ cardTimeoutMs: 50, getCard: () => new Promise(() => {}) });
    const res = await hubspotPost(app, { objectId: 501 });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: "card_timeout" });
  });
});

describe("POST /cards/salesforce/canvas", () => {
  const valid = canvas.vectors.find((v) => v.name === "valid")!.signed_request;
  const tampered = canvas.vectors.find((v) => v.name === "tampered_envelope")!.signed_request;

  it("when Salesforce frames the Canvas app, then the card page is served and only Salesforce may frame it", async () => {
    const { app } = setup();
    const res = await request(app)
      .post("/cards/salesforce/canvas")
      .type("form")
      .send({ signed_request: valid });

    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toContain("frame-ancestors https://*.salesforce.com https://*.force.com");
    expect(csp).toContain("default-src 'none'");
    expect(res.headers["x-frame-options"]).toBeUndefined();
    expect(res.text).toContain("Zoë Müller");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(pageData(res.text)).toMatchObject({ connectionId: "conn-sf-1", leadId: SF_LEAD });
  });

  it("refuses a tampered signed_request with 401, a missing one with 400, an unknown org with 404", async () => {
    const { app } = setup();
    const bad = await request(app)
      .post("/cards/salesforce/canvas")
      .type("form")
      .send({ signed_request: tampered });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain("Canvas signed_request signature mismatch");
    const missing = await request(app).post("/cards/salesforce/canvas").type("form").send({ other: "x" });
    expect(missing.status).toBe(400);
    const unknownOrg = setup({ resolveSalesforceConnection: async () => null });
    const res = await request(unknownOrg.app)
      .post("/cards/salesforce/canvas")
      .type("form")
      .send({ signed_request: valid });
    expect(res.status).toBe(404);
  });
});

describe("GET /cards/preview/:connectionId/:leadId", () => {
  it("serves the card page to an admin, not framable, with every CRM value escaped", async () => {
    const { app, inputs } = setup();
    const input = inputs.get("conn-hs-1/501")!;
    inputs.set("conn-hs-1/501", {
      ...input,
      lead: {
        ...input.lead,
        firstName: `<img src=x onerror="alert(1)">`,
        company: "</script><script>alert(2)</script>",
      },
    });
    const res = await request(app)
      .get("/cards/preview/conn-hs-1/501")
      .set("authorization", "Bearer admin-token");

    expect(res.status).toBe(200);
    expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.text).not.toContain("<img src=x");
    expect(res.text).not.toContain("</script><script>alert(2)");
    expect(res.text).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("refuses without the admin token and says so on a page", async () => {
    const { app } = setup();
    const res = await request(app).get("/cards/preview/conn-hs-1/501");
    expect(res.status).toBe(401);
    expect(res.text).toContain("the preview needs the admin token");
  });
});

describe("signed preview links (previewAuthorizer)", () => {
  const authorizer = (clock: () => number) =>
    previewAuthorizer({
      adminToken: "admin-token-0123456789abcdef",
      secret: FEEDBACK_SECRET,
      now: () => new Date(clock()),
    });

  it("when a rep opens the link from Slack or e-mail, then the card opens for that lead only, until it expires", async () => {
    let clock = NOW;
    const { app } = setup({ authorizePreview: authorizer(() => clock) });
    const url = signedPreviewUrl(
      "https://handoff.test/",
      FEEDBACK_SECRET,
      "conn-hs-1",
      "501",
      NOW + 3600_000,
    );
    expect(url).toMatch(/^https:\/\/handoff\.test\/cards\/preview\/conn-hs-1\/501\?t=[\w-]+\.[\w-]+$/);
    const path = url.slice("https://handoff.test".length);

    expect((await request(app).get(path)).status).toBe(200);
    const otherLead = await request(app).get(path.replace("/501?", "/502?"));
    expect(otherLead.status).toBe(401);
    expect(otherLead.text).toContain("card link is for another lead");
    expect((await request(app).get("/cards/preview/conn-hs-1/501")).status).toBe(401);
    clock += 3600_001;
    const expired = await request(app).get(path);
    expect(expired.status).toBe(401);
    expect(expired.text).toContain("card link has expired");
  });

  it("lets an admin in with the bearer token, and a page's feedback token is no link", async () => {
    const { app } = setup({ authorizePreview: authorizer(() => NOW) });
    const admin = await request(app)
      .get("/cards/preview/conn-hs-1/501")
      .set("authorization", "Bearer admin-token-0123456789abcdef");
    expect(admin.status).toBe(200);
    const pageToken = pageData(admin.text).token;
    expect((await request(app).get(`/cards/preview/conn-hs-1/501?t=${pageToken}`)).status).toBe(401);
  });
});

describe("POST /cards/feedback", () => {
  async function servedToken(app: express.Express) {
    const page = await request(app)
      .get("/cards/preview/conn-hs-1/501")
      .set("authorization", "Bearer admin-token");
    return pageData(page.text);
  }

  it("when the rep accepts on the served page, then it is recorded once even if clicked twice", async () => {
    const { app, recorded } = setup();
    const data = await servedToken(app);
    expect(data.feedbackUrl).toBe("/cards/feedback");
    const body = { connectionId: "conn-hs-1", leadId: "501", decision: "accept", token: data.token };

    const first = await request(app).post("/cards/feedback").send(body);
    const second = await request(app).post("/cards/feedback").send(body);

    expect(first.status).toBe(200);
    expect(first.body.status).toBe("accepted");
    expect(second.status).toBe(200);
    expect(recorded).toEqual([
      { connectionId: "conn-hs-1", leadId: "501", decision: "accept", source: "preview" },
    ]);

    const change = await request(app)
      .post("/cards/feedback")
      .send({ ...body, decision: "reject", reason: "not_icp" });
    expect(change.status).toBe(409);
    expect(change.body.error).toBe("already_decided");
  });

  it("refuses a forged, foreign or expired token", async () => {
    const { app, advance } = setup();
    const data = await servedToken(app);
    const base = { connectionId: "conn-hs-1", leadId: "501", decision: "accept" };

    const forged = signFeedbackToken("some-other-secret-0123456789", {
      ...base,
      source: "preview",
      exp: NOW + 60_000,
    });
    expect(
      (
        await request(app)
          .post("/cards/feedback")
          .send({ ...base, token: forged })
      ).status,
    ).toBe(401);

    const foreign = await request(app)
      .post("/cards/feedback")
      .send({ ...base, leadId: "502", token: data.token });
    expect(foreign.status).toBe(401);
    expect(foreign.body.message).toBe("feedback token is for another lead");

    advance(13 * 3600_000);
    const expired = await request(app)
      .post("/cards/feedback")
      .send({ ...base, token: data.token });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe("feedback token has expired");
  });

  it("answers 415 for a form post and 400 listing every missing field", async () => {
    const { app } = setup();
    expect((await request(app).post("/cards/feedback").type("form").send({ a: "b" })).status).toBe(415);
    const res = await request(app).post("/cards/feedback").send({ decision: "accept" });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      "connectionId",
      "leadId",
      "token",
    ]);
  });
});
