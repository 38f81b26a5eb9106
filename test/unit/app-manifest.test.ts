import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import { XMLParser } from "fast-xml-parser";
import request from "supertest";
import { HUBSPOT_OPTIONAL_SCOPES, HUBSPOT_REQUIRED_SCOPES } from "../../src/adapters/hubspot/hubspot-oauth";
import { hubSpotPropertiesScoredBy } from "../../src/adapters/hubspot/hubspot-scored-properties";
import { HANDOFF_CONTACT_PROPERTIES, LEAD_PROPERTIES } from "../../src/adapters/hubspot/hubspot-mapper";
import { createHubSpotSandboxState, HUBSPOT_TIERS } from "../../src/sandbox/hubspot/state";
import { parseSla } from "../../src/sla/load-sla";
import { createCardRouter } from "../../src/http/routes/card-routes";
import type { Logger } from "../../src/ports/logger";
import { fixedClock } from "../../src/ports/clock";

// app.json, crm-cards/ and webhooks/ are data that HubSpot, Salesforce and admins read; this keeps them honest.
const ROOT = join(__dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const json = <T>(path: string) => JSON.parse(read(path)) as T;

interface Manifest {
  hubspot: {
    project: string;
    app: string;
    cards: { hsmeta: string; entrypoint: string; route: string }[];
    webhooks: { hsmeta: string; targetUrl: string; route: string };
    scopes: { required: string[]; optional: string[] };
  };
  salesforce: {
    outboundMessage: { package: string; workflow: string; flow: string; route: string };
    canvas: { route: string };
  };
  cards: { preview: string; feedback: string };
  env: { name: string }[];
}
interface Subscription {
  subscriptionType: string;
  propertyName?: string;
  objectType?: string;
  active: boolean;
}
interface WebhooksMeta {
  uid: string;
  type: string;
  config: {
    settings: { targetUrl: string; maxConcurrentRequests: number };
    subscriptions: {
      crmObjects: Subscription[];
      legacyCrmObjects: Subscription[];
      hubEvents: Subscription[];
    };
  };
}
interface AppMeta {
  uid: string;
  config: {
    auth: { requiredScopes: string[]; optionalScopes: string[]; redirectUrls: string[] };
    permittedUrls: { fetch: string[] };
  };
}

const manifest = json<Manifest>("app.json");
const webhooks = json<WebhooksMeta>(manifest.hubspot.webhooks.hsmeta);
const appMeta = json<AppMeta>(manifest.hubspot.app);

/** Every string in the manifest that names a file of this repository. */
function filePaths(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") {
    if (/^(src|crm-cards|webhooks|config|test)\/[\w./-]+\.\w+$/.test(value)) found.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) filePaths(v, found);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) filePaths(v, found);
  }
  return found;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

function cardApp() {
  const app = express();
  app.use(
    createCardRouter({
      getCard: async () => null,
      recordFeedback: async () => undefined,
      verifyHubSpot: () => undefined,
      resolveHubSpotConnection: async () => null,
      resolveSalesforceConnection: async () => null,
      canvasConsumerSecrets: ["s"],
      feedbackSecret: "manifest-test-secret-0123456789",
      authorizePreview: () => undefined,
      logger: silent,
      now: fixedClock("2026-11-23T10:00:00Z"),
    }),
  );
  app.use((_req, res) => void res.status(404).json({ error: "no_route" }));
  return app;
}

/** True when the router has a handler for "METHOD /path/:param" (params filled with sample values). */
async function serves(app: express.Express, route: string): Promise<boolean> {
  const [method = "", pattern = ""] = route.split(" ");
  const path = pattern.replace(/:\w+/g, "sample");
  const res = await request(app)[method.toLowerCase() as "get" | "post"](path);
  return res.body?.error !== "no_route";
}

describe("app.json, crm-cards/ and webhooks/ agree", () => {
  it("every file app.json points to exists", () => {
    const paths = filePaths(manifest);
    expect(paths.length).toBeGreaterThan(8);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it("the HubSpot project's components have unique uids and the card's entrypoint exists under srcDir", () => {
    const project = json<{ srcDir: string; platformVersion: string }>(manifest.hubspot.project);
    expect(project.platformVersion).toBe("2026.03");
    const cards = manifest.hubspot.cards.map((c) =>
      json<{ uid: string; config: { entrypoint: string } }>(c.hsmeta),
    );
    const uids = [appMeta.uid, webhooks.uid, ...cards.map((c) => c.uid)];
    expect(new Set(uids).size).toBe(uids.length);
    for (const card of cards) {
      expect(existsSync(join(ROOT, "crm-cards/hubspot", project.srcDir, card.config.entrypoint))).toBe(true);
    }
  });

  it("app.json lists the same HubSpot scopes as the app's hsmeta", () => {
    expect(manifest.hubspot.scopes.required).toEqual(appMeta.config.auth.requiredScopes);
    expect(manifest.hubspot.scopes.optional).toEqual(appMeta.config.auth.optionalScopes);
    // The install URL asks for exactly these (optional_scope), and for the required ones (scope).
    expect([...HUBSPOT_OPTIONAL_SCOPES]).toEqual(manifest.hubspot.scopes.optional);
    expect([...HUBSPOT_REQUIRED_SCOPES]).toEqual(manifest.hubspot.scopes.required);
    expect(appMeta.config.auth.requiredScopes).toEqual(
      expect.arrayContaining([
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
        "crm.objects.owners.read",
      ]),
    );
  });

  it("the HubSpot card calls a route that createCardRouter serves, on an origin the app may fetch", async () => {
    const tsx = read(manifest.hubspot.cards[0]!.entrypoint);
    const origin = /const API = "([^"]+)"/.exec(tsx)?.[1];
    const path = /const CARD_PATH = "([^"]+)"/.exec(tsx)?.[1];
    const method = /hubspot\.fetch\(`\$\{API\}\$\{CARD_PATH\}`,\s*\{\s*method: "(\w+)"/.exec(tsx)?.[1];
    expect({ origin, path, method }).toEqual({
      origin: "$PUBLIC_URL",
      path: "/cards/hubspot/handoff",
      method: "POST",
    });
    expect(appMeta.config.permittedUrls.fetch).toContain(origin);
    expect(manifest.hubspot.cards[0]!.route).toBe(`${method} ${path}`);
    await expect(serves(cardApp(), `${method} ${path}`)).resolves.toBe(true);
  });

  it("every card route app.json names is served by createCardRouter", async () => {
    const app = cardApp();
    const routes = [
      manifest.salesforce.canvas.route,
      manifest.cards.preview,
      manifest.cards.feedback,
      ...manifest.hubspot.cards.map((c) => c.route),
    ];
    for (const route of routes) await expect(serves(app, route)).resolves.toBe(true);
    // The check itself can fail: an unknown route is reported as such.
    await expect(serves(app, "POST /cards/nowhere")).resolves.toBe(false);
  });

  it("the webhook target and the Salesforce endpoint are the webhook routes Handoff serves", () => {
    const source = read("src/http/routes/webhook-routes.ts");
    const [hsMethod, hsPath] = manifest.hubspot.webhooks.route.split(" ");
    expect(webhooks.config.settings.targetUrl).toBe(`$PUBLIC_URL${hsPath}`);
    expect(source).toContain(`router.${hsMethod!.toLowerCase()}("${hsPath}"`);
    const [sfMethod, sfPath] = manifest.salesforce.outboundMessage.route.split(" ");
    expect(source).toContain(`router.${sfMethod!.toLowerCase()}("${sfPath}"`);
  });

  it("every property the SLA scores on is subscribed in the HubSpot webhooks hsmeta", () => {
    const subscribed = webhooks.config.subscriptions.legacyCrmObjects
      .filter((s) => s.subscriptionType === "contact.propertyChange" && s.active)
      .map((s) => s.propertyName);
    const { sla } = parseSla(read("config/sla.default.yaml"), "config/sla.default.yaml");
    const scored = hubSpotPropertiesScoredBy(sla);
    expect(scored).toEqual(
      expect.arrayContaining(["numemployees", "jobtitle", "country", "recent_conversion_date"]),
    );
    expect(scored.filter((p) => !subscribed.includes(p))).toEqual([]);
  });

  it("every contact property the mapper reads, the default SLA scores on and the webhooks subscribe to exists in a portal of every tier: standard, or created by Handoff at install", () => {
    const subscribed = webhooks.config.subscriptions.legacyCrmObjects
      .filter((s) => s.subscriptionType === "contact.propertyChange")
      .map((s) => s.propertyName!);
    const { sla } = parseSla(read("config/sla.default.yaml"), "config/sla.default.yaml");
    const used = new Set([...LEAD_PROPERTIES, ...hubSpotPropertiesScoredBy(sla), ...subscribed]);
    const createdByHandoff = new Set<string>(HANDOFF_CONTACT_PROPERTIES.map((p) => p.name));
    for (const tier of HUBSPOT_TIERS) {
      const portal = createHubSpotSandboxState({ tier });
      const standard = new Set(
        [...portal.properties.get("contacts")!.values()].filter((p) => p.hubspotDefined).map((p) => p.name),
      );
      expect({
        tier,
        missing: [...used].filter((p) => !standard.has(p) && !createdByHandoff.has(p)),
      }).toEqual({
        tier,
        missing: [],
      });
    }
    expect(used.has("business_model")).toBe(false);
  });

  it("creation, merge, deletion and privacy deletion are subscribed, so GDPR deletes reach Handoff", () => {
    const types = [
      ...webhooks.config.subscriptions.legacyCrmObjects,
      ...webhooks.config.subscriptions.hubEvents,
    ]
      .filter((s) => s.active)
      .map((s) => s.subscriptionType);
    expect(types).toEqual(
      expect.arrayContaining([
        "contact.creation",
        "contact.merge",
        "contact.deletion",
        "contact.privacyDeletion",
      ]),
    );
    expect(webhooks.config.subscriptions.hubEvents.map((s) => s.subscriptionType)).toEqual([
      "contact.privacyDeletion",
    ]);
  });

  it("the Salesforce Flow calls the outbound message that posts to Handoff's endpoint, and package.xml lists both", () => {
    const xml = new XMLParser({
      ignoreAttributes: true,
      isArray: (name) => ["types", "fields", "members"].includes(name),
    });
    const { outboundMessage } = manifest.salesforce;
    const workflow = xml.parse(read(outboundMessage.workflow)).Workflow.outboundMessages;
    const flow = xml.parse(read(outboundMessage.flow)).Flow;
    const pkg = xml.parse(read(outboundMessage.package)).Package;

    const [, sfPath] = outboundMessage.route.split(" ");
    expect(workflow.endpointUrl).toBe(
      `$PUBLIC_URL${sfPath!.replace(":connectionId", "$CONNECTION_ID").replace(":token", "$WEBHOOK_TOKEN")}`,
    );
    expect(workflow.fields).toEqual(
      expect.arrayContaining(["Id", "Email", "Company", "Country", "Title", "OwnerId"]),
    );
    expect(flow.actionCalls).toMatchObject({
      actionType: "outboundMessage",
      actionName: `Lead.${workflow.fullName}`,
    });
    expect(flow.start).toMatchObject({
      object: "Lead",
      triggerType: "RecordAfterSave",
      recordTriggerType: "CreateAndUpdate",
    });
    const members = Object.fromEntries(
      pkg.types.map((t: { name: string; members: string[] }) => [t.name, t.members]),
    );
    expect(members).toEqual({
      WorkflowOutboundMessage: [`Lead.${workflow.fullName}`],
      Flow: [outboundMessage.flow.replace(/^.*\/(.*)\.flow$/, "$1")],
    });
  });

  it("names every environment variable the configuration reads", () => {
    const config = read("src/config/read-config.ts");
    const names = manifest.env.map((e) => e.name);
    const configured = [...config.matchAll(/^\s{2}([A-Z][A-Z0-9_]+): z\./gm)].map((m) => m[1]);
    expect(configured.length).toBeGreaterThan(10);
    expect(configured.filter((n) => n && !names.includes(n))).toEqual([]);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]); // each variable is described once
  });
});
