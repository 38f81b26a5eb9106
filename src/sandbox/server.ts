import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express, { type Express } from "express";
import { createHubSpotSandboxRouter } from "./hubspot/router";
import {
  createHubSpotSandboxState,
  type HubSpotSandboxOptions,
  type HubSpotSandboxState,
} from "./hubspot/state";
import { createSalesforceSandboxRouter, sandboxSummary } from "./salesforce/router";
import {
  createSalesforceSandboxState,
  type SalesforceSandboxOptions,
  type SalesforceSandboxState,
} from "./salesforce/state";

export interface SandboxOptions {
  /** @default 3001 (SANDBOX_PORT); 0 picks a free port (tests). */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  hubspot?: HubSpotSandboxOptions;
  salesforce?: SalesforceSandboxOptions;
  /** Protects `/__sandbox/*` admin calls. @default undefined (open: the sandbox is local) */
  adminToken?: string;
}

export interface SandboxServer {
  /** e.g. `http://127.0.0.1:3001`; HubSpot's basePath is `${url}/hubspot`, Salesforce's instance URL `${url}/salesforce`. */
  url: string;
  hubspotBasePath: string;
  salesforceInstanceUrl: string;
  hubspot: HubSpotSandboxState;
  salesforce: SalesforceSandboxState;
  app: Express;
  close(): Promise<void>;
}

/** The sandbox's express app: HubSpot at `/hubspot`, Salesforce at `/salesforce`. */
export function createSandboxApp(
  hubspot: HubSpotSandboxState,
  salesforce: SalesforceSandboxState,
  options: { adminToken?: string; salesforceInstanceUrl?: string } = {},
): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/", (_req, res) => {
    res.json({
      sandbox: "handoff-crm-sandbox",
      hubspot: {
        basePath: "/hubspot",
        portalId: hubspot.portalId,
        contacts: hubspot.objects.get("contacts")?.size ?? 0,
      },
      salesforce: { instanceUrl: "/salesforce", ...sandboxSummary(salesforce) },
    });
  });
  const admin = options.adminToken === undefined ? {} : { adminToken: options.adminToken };
  app.use("/hubspot", createHubSpotSandboxRouter(hubspot, admin));
  app.use(
    "/salesforce",
    createSalesforceSandboxRouter(salesforce, {
      ...admin,
      ...(options.salesforceInstanceUrl === undefined ? {} : { instanceUrl: options.salesforceInstanceUrl }),
    }),
  );
  return app;
}

/**
 * Starts the local CRM sandbox (DESIGN §7) on its own port.
 *
 * @example const sandbox = await startSandbox({ port: 0 });
 *          const client = new Client({ accessToken: HUBSPOT_SANDBOX_DEMO.accessToken, basePath: sandbox.hubspotBasePath });
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxServer> {
  const hubspot = createHubSpotSandboxState(options.hubspot);
  const salesforce = createSalesforceSandboxState(options.salesforce);
  const host = options.host ?? "127.0.0.1";
  const app = createSandboxApp(hubspot, salesforce, {
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 3001, host, () => resolve(s));
    s.once("error", reject);
  });
  // Webhook-heavy tests keep connections alive; don't let them hold close() forever.
  server.keepAliveTimeout = 1_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  return {
    url,
    hubspotBasePath: `${url}/hubspot`,
    salesforceInstanceUrl: `${url}/salesforce`,
    hubspot,
    salesforce,
    app,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
