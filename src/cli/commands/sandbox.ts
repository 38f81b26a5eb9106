import type { Command } from "commander";
import { HubSpotTrafficGenerator } from "../../sandbox/hubspot/traffic";
import { HUBSPOT_TIERS } from "../../sandbox/hubspot/state";
import { SALESFORCE_EDITIONS } from "../../sandbox/salesforce/state";
import { startSandbox } from "../../sandbox/server";

interface SandboxCliOptions {
  port: string;
  hubspotTier: string;
  salesforceEdition: string;
  host: string;
  webhookUrl?: string;
  signedUrl?: string;
  rate: string;
}

/** `handoff sandbox [--port P]`: the local CRM alone (HubSpot at /hubspot, Salesforce at /salesforce). */
export function register(program: Command): void {
  program
    .command("sandbox")
    .description("run the local CRM sandbox alone (HubSpot and Salesforce API subsets with the real limits)")
    .option("--port <port>", "port to listen on", process.env.SANDBOX_PORT ?? "3001")
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option(
      "--hubspot-tier <tier>",
      "the portal's HubSpot tier: starter, professional or enterprise",
      process.env.SANDBOX_HUBSPOT_TIER ?? "professional",
    )
    .option(
      "--salesforce-edition <edition>",
      "the org's Salesforce edition: professional, enterprise or unlimited",
      process.env.SANDBOX_SALESFORCE_EDITION ?? "enterprise",
    )
    .option("--webhook-url <url>", "also play visitors and deliver signed HubSpot webhooks to this URL")
    .option(
      "--signed-url <url>",
      "the URL HubSpot signs (your PUBLIC_URL + /webhooks/hubspot); default --webhook-url",
    )
    .option("--rate <perMinute>", "visitor actions per minute with --webhook-url", "12")
    .action(async (opts: SandboxCliOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`--port: expected a port number 0-65535, got "${opts.port}"`);
      }
      const tier = HUBSPOT_TIERS.find((t) => t === opts.hubspotTier);
      if (!tier) {
        throw new Error(
          `--hubspot-tier: expected one of ${HUBSPOT_TIERS.join(", ")}, got "${opts.hubspotTier}"`,
        );
      }
      const edition = SALESFORCE_EDITIONS.find((e) => e === opts.salesforceEdition);
      if (!edition) {
        throw new Error(
          `--salesforce-edition: expected one of ${SALESFORCE_EDITIONS.join(", ")}, got "${opts.salesforceEdition}"`,
        );
      }
      const sandbox = await startSandbox({
        port,
        host: opts.host,
        hubspot: { tier },
        salesforce: { edition },
      });
      process.stdout.write(
        [
          `CRM sandbox listening on ${sandbox.url}`,
          `  HubSpot basePath:        ${sandbox.hubspotBasePath}   (portal ${sandbox.hubspot.portalId}, app ${sandbox.hubspot.appId}, ${tier})`,
          `  Salesforce instance URL: ${sandbox.salesforceInstanceUrl}   (${edition} edition, ${sandbox.salesforce.dailyApiLimit} API calls/day)`,
          `  Faults: POST ${sandbox.hubspotBasePath}/__sandbox/faults {"latencyMs":50,"failRate":0.1,"status":503}`,
          "",
        ].join("\n"),
      );
      let traffic: HubSpotTrafficGenerator | undefined;
      if (opts.webhookUrl) {
        traffic = new HubSpotTrafficGenerator({
          state: sandbox.hubspot,
          targetUrl: opts.webhookUrl,
          ...(opts.signedUrl ? { signedUrl: opts.signedUrl } : {}),
          actionsPerMinute: Number(opts.rate) || 12,
        });
        traffic.start();
        process.stdout.write(`  Traffic: ${opts.rate}/min signed webhooks → ${opts.webhookUrl}\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await traffic?.stop();
      await sandbox.close();
    });
}
