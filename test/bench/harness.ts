/**
 * The one start-up of the sections that run the whole product: a CRM sandbox, one Handoff process (intake +
 * workers, the real pipeline) on the section's own database, the demo connections seeded, and signed HubSpot
 * deliveries into its webhook. Each section adds only what it measures.
 */
import { startHandoffRuntime, type HandoffRuntime } from "../../src/composition/handoff-runtime";
import { seedDemoConnections } from "../../src/composition/seed-demo";
import { systemClock } from "../../src/composition/system-clock";
import { createCapturingLogger, createLogger } from "../../src/logging/logger";
import { SALESFORCE_SANDBOX_DEMO } from "../../src/sandbox/salesforce/state";
import { startSandbox, type SandboxOptions, type SandboxServer } from "../../src/sandbox/server";
import { hubSpotHeaders } from "../helpers/sign";
import type { BenchFigure } from "./figures";

const SECRET = "bench-client-secret-0123456789";
const PUBLIC_URL = "https://bench.handoff.test";

export interface BenchStackOptions {
  /** The sandbox's tiers and limits. @default the sandbox's defaults (HubSpot professional) */
  sandbox?: Omit<SandboxOptions, "port">;
  /** Gives Handoff the sandbox org's OAuth client, so the demo Salesforce connection runs too. @default false */
  salesforce?: boolean;
}

export interface BenchStack {
  sandbox: SandboxServer;
  rt: HandoffRuntime;
  /** A HubSpot delivery of `events`, signed as HubSpot signs it (v3), ready to POST to `webhookUrl`. */
  signed(events: unknown[]): { body: string; headers: Record<string, string> };
  webhookUrl: string;
  /** POSTs one signed HubSpot delivery; anything but 200 is an error. */
  deliver(events: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchStack(
  databaseUrl: string,
  options: BenchStackOptions = {},
): Promise<BenchStack> {
  const sandbox = await startSandbox({ ...options.sandbox, port: 0 });
  const settings = {
    publicUrl: PUBLIC_URL,
    adminToken: "bench-admin-token-0123456789abcdef",
    encryptionKey: Buffer.alloc(32, 9).toString("base64"),
    embedded: true,
    hubspot: { clientId: "demo-client-id", clientSecrets: [SECRET], apiBase: undefined },
    salesforce: options.salesforce
      ? {
          clientId: SALESFORCE_SANDBOX_DEMO.clientId,
          clientSecret: SALESFORCE_SANDBOX_DEMO.clientSecret,
          loginUrl: sandbox.salesforceInstanceUrl,
        }
      : { clientId: undefined, clientSecret: undefined, loginUrl: sandbox.salesforceInstanceUrl },
    now: systemClock,
  };
  let rt: HandoffRuntime | undefined;
  try {
    rt = await startHandoffRuntime({
      databaseUrl,
      logger: process.env.BENCH_DEBUG ? createLogger({ level: "info" }) : createCapturingLogger(),
      publicUrl: settings.publicUrl,
      hubspotSecrets: settings.hubspot.clientSecrets,
      adminToken: settings.adminToken,
      encryptionKey: settings.encryptionKey,
      port: 0,
      worker: true,
      now: systemClock,
      product: settings,
    });
    await seedDemoConnections(rt.connections, { sandboxUrl: sandbox.url, now: systemClock });
  } catch (err) {
    await rt?.stop();
    await sandbox.close();
    throw err;
  }
  const running = rt;
  const webhookUrl = `${running.url}/webhooks/hubspot`;
  const signed = (events: unknown[]) => {
    const body = JSON.stringify(events);
    return { body, headers: hubSpotHeaders(SECRET, `${PUBLIC_URL}/webhooks/hubspot`, body) };
  };
  return {
    sandbox,
    rt: running,
    signed,
    webhookUrl,
    async deliver(events) {
      const { body, headers } = signed(events);
      const res = await fetch(webhookUrl, { method: "POST", headers, body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`intake answered ${res.status}`);
    },
    async stop() {
      await running.stop();
      await sandbox.close();
    },
  };
}

/**
 * `npx tsx test/bench/<section>.ts [n]`: runs one section against BENCH_DATABASE_URL and prints its figures;
 * `n` (the section's size) falls back to `fallback` when absent or not a positive integer.
 */
export function runAlone(
  run: (databaseUrl: string, n: number) => Promise<BenchFigure[]>,
  fallback: number,
): void {
  const n = Number(process.argv[2] ?? fallback);
  run(process.env.BENCH_DATABASE_URL!, Number.isInteger(n) && n > 0 ? n : fallback)
    .then((figures) => {
      for (const f of figures)
        process.stdout.write(`${f.id} ${f.name}: ${f.value} ${f.unit} (target ${f.target})\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
