import { z } from "zod";
import { AppError } from "../domain/errors";
import type { RetentionPolicy } from "../adapters/postgres/retention";

const EMBEDDED_DEFAULT_CLIENT_SECRET = "demo-client-secret";

const boolish = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  PUBLIC_URL: z.url({ message: "expected an absolute URL such as https://handoff.example.com" }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL such as postgres://user:pass@host:5432/handoff")
    .optional(),
  HANDOFF_DATA_DIR: z.string().default(".handoff"),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  HUBSPOT_CLIENT_ID: z.string().optional(),
  HUBSPOT_CLIENT_SECRET: z
    .string()
    .min(8, "expected the app's client secret (at least 8 characters)")
    .optional(),
  HUBSPOT_PREVIOUS_CLIENT_SECRET: z.string().optional(),
  HUBSPOT_APP_ID: z.string().regex(/^\d+$/, "expected the numeric HubSpot app id").optional(),
  HUBSPOT_API_BASE: z.url().optional(),
  SALESFORCE_CLIENT_ID: z.string().optional(),
  SALESFORCE_CLIENT_SECRET: z.string().optional(),
  SALESFORCE_LOGIN_URL: z.url().optional(),
  HANDOFF_ENCRYPTION_KEY: z
    .string()
    .regex(
      /^([A-Za-z0-9_-]+:)?[A-Za-z0-9+/]{43}=$/,
      "expected 32 bytes in base64, optionally prefixed by a key id: 'k2:BASE64'; generate one with `openssl rand -base64 32`",
    )
    .optional(),
  HANDOFF_PREVIOUS_ENCRYPTION_KEYS: z.string().optional(),
  HANDOFF_ADMIN_TOKEN: z
    .string()
    .min(24, "use at least 24 random characters (openssl rand -hex 24)")
    .optional(),
  SANDBOX: boolish.optional(),
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  SANDBOX_HUBSPOT_TIER: z.enum(["starter", "professional", "enterprise"]).default("professional"),
  SANDBOX_SALESFORCE_EDITION: z.enum(["professional", "enterprise", "unlimited"]).default("enterprise"),
  TRAFFIC: boolish.optional(),
  DEMO_HISTORY_WEEKS: z.coerce
    .number()
    .int()
    .min(0, "expected weeks of demo history from 0 (none) to 26")
    .max(26, "expected weeks of demo history from 0 (none) to 26")
    .default(12),
  LOG_LEVEL: z.enum(["error", "warn", "info", "debug"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  // Retention (days): see README "Operating Handoff". Raw payloads must outlive the CRMs' 24-hour retries.
  RETENTION_RAW_PAYLOAD_DAYS: z.coerce
    .number()
    .int()
    .min(2, "keep raw payloads at least 2 days: HubSpot and Salesforce redeliver for 24 hours")
    .default(7),
  RETENTION_EVENTS_DAYS: z.coerce.number().int().min(2).default(400),
  RETENTION_DECISIONS_DAYS: z.coerce.number().int().min(1).default(400),
  RETENTION_HANDOFFS_DAYS: z.coerce.number().int().min(1).default(400),
  RETENTION_AUDIT_DAYS: z.coerce.number().int().min(1).default(400),
  RETENTION_ACTIVITY_DAYS: z.coerce.number().int().min(1).default(400),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),
});

export interface Config {
  env: "development" | "production" | "test";
  port: number;
  /** Days each table keeps its rows (pruned daily). */
  retention: RetentionPolicy;
  /** Interface HTTP listens on. @default "127.0.0.1" in the embedded default, "0.0.0.0" otherwise */
  host: string;
  publicUrl: string;
  /** Undefined = the embedded default: an embedded PostgreSQL in `dataDir/pg`, sandbox CRM, demo secrets. */
  databaseUrl: string | undefined;
  embedded: boolean;
  dataDir: string;
  embeddedPgPort: number;
  hubspot: {
    clientId: string | undefined;
    clientSecrets: string[];
    appId: string | undefined;
    apiBase: string | undefined;
  };
  salesforce: { clientId: string | undefined; clientSecret: string | undefined; loginUrl: string };
  encryptionKeys: { current: string; previous: string[] } | undefined;
  adminToken: string | undefined;
  sandbox: {
    enabled: boolean;
    port: number;
    traffic: boolean;
    /** Weeks of history the first start plays into the demo CRMs and Handoff (0: none). @default 12 */
    historyWeeks: number;
    hubspotTier: "starter" | "professional" | "enterprise";
    salesforceEdition: "professional" | "enterprise" | "unlimited";
  };
  log: { level: "error" | "warn" | "info" | "debug"; format: "json" | "pretty" };
  webhookMaxBodyBytes: number;
  workerConcurrency: number;
}

/**
 * The environment is wrong. One of Handoff's errors (code `config_invalid`): `problems` names each variable with
 * what is wrong and how to fix it, `fields` lists the variables, and the hint says where they are set.
 */
export class ConfigError extends AppError {
  readonly problems: string[];
  readonly fields: string[];
  constructor(problems: string[]) {
    const fields = [...new Set(problems.map((p) => p.split(":")[0] ?? p))];
    super(
      "config_invalid",
      `Handoff cannot start: ${problems.length} problem(s) in the environment:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
      {
        hint: `Set ${fields.join(", ")} in the environment Handoff starts with (the shell, the service's unit or .env file, or the platform's settings) and start again; README: Configuration lists every variable.`,
        details: { fields, problems },
      },
    );
    this.problems = problems;
    this.fields = fields;
  }
}

/**
 * Reads and validates the environment once, at start. Every bad or missing variable is reported together.
 * Without DATABASE_URL Handoff runs the embedded default (embedded PostgreSQL, CRM sandbox, demo secrets);
 * with it, the production secrets are required.
 *
 * @example const config = readConfig(process.env);
 */
export function readConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: {
    /**
     * Refuse a production environment without its secrets. The `handoff` CLI reads the config without this:
     * most commands only need the database, and a command that needs a secret says so when it runs.
     * @default true
     */
    requireSecrets?: boolean;
  } = {},
): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join(".");
        return `${name}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const embedded = e.DATABASE_URL === undefined;
  const problems: string[] = [];
  if (!embedded && options.requireSecrets !== false) {
    if (!e.HUBSPOT_CLIENT_SECRET && !e.SALESFORCE_CLIENT_SECRET) {
      problems.push(
        "HUBSPOT_CLIENT_SECRET or SALESFORCE_CLIENT_SECRET: missing; set the secret of at least one CRM app",
      );
    }
    if (!e.HANDOFF_ENCRYPTION_KEY) {
      problems.push("HANDOFF_ENCRYPTION_KEY: missing; generate one with `openssl rand -base64 32`");
    }
    if (!e.HANDOFF_ADMIN_TOKEN) {
      problems.push("HANDOFF_ADMIN_TOKEN: missing; set a random token of at least 24 characters");
    }
    if (!e.PUBLIC_URL && e.NODE_ENV === "production") {
      problems.push("PUBLIC_URL: missing; HubSpot signs the URL it calls, so set the public base URL");
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const hubspotSecret = e.HUBSPOT_CLIENT_SECRET ?? (embedded ? EMBEDDED_DEFAULT_CLIENT_SECRET : undefined);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    // The embedded default serves demo leads with an open card preview: this machine only, unless told.
    host: e.HOST ?? (embedded ? "127.0.0.1" : "0.0.0.0"),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    databaseUrl: e.DATABASE_URL,
    embedded,
    dataDir: e.HANDOFF_DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    hubspot: {
      clientId: e.HUBSPOT_CLIENT_ID ?? (embedded ? "demo-client-id" : undefined),
      clientSecrets: [hubspotSecret, e.HUBSPOT_PREVIOUS_CLIENT_SECRET].filter((s): s is string => !!s),
      appId: e.HUBSPOT_APP_ID ?? (embedded ? "424242" : undefined),
      // The embedded default's portal lives in the sandbox.
      apiBase: e.HUBSPOT_API_BASE ?? (embedded ? `http://127.0.0.1:${e.SANDBOX_PORT}/hubspot` : undefined),
    },
    salesforce: {
      // The embedded default talks to the sandbox's demo External Client App.
      clientId: e.SALESFORCE_CLIENT_ID ?? (embedded ? "handoff-demo-salesforce-client" : undefined),
      clientSecret: e.SALESFORCE_CLIENT_SECRET ?? (embedded ? "demo-salesforce-client-secret" : undefined),
      loginUrl:
        e.SALESFORCE_LOGIN_URL ??
        (embedded ? `http://127.0.0.1:${e.SANDBOX_PORT}/salesforce` : "https://login.salesforce.com"),
    },
    encryptionKeys: e.HANDOFF_ENCRYPTION_KEY
      ? {
          current: e.HANDOFF_ENCRYPTION_KEY,
          previous: (e.HANDOFF_PREVIOUS_ENCRYPTION_KEYS ?? "").split(",").filter(Boolean),
        }
      : undefined,
    adminToken: e.HANDOFF_ADMIN_TOKEN,
    sandbox: {
      enabled: e.SANDBOX ?? embedded,
      port: e.SANDBOX_PORT,
      traffic: e.TRAFFIC ?? embedded,
      historyWeeks: e.DEMO_HISTORY_WEEKS,
      hubspotTier: e.SANDBOX_HUBSPOT_TIER,
      salesforceEdition: e.SANDBOX_SALESFORCE_EDITION,
    },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (e.NODE_ENV === "production" ? "json" : "pretty") },
    webhookMaxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
    workerConcurrency: e.WORKER_CONCURRENCY,
    retention: {
      rawPayloadDays: e.RETENTION_RAW_PAYLOAD_DAYS,
      eventsDays: Math.max(e.RETENTION_EVENTS_DAYS, e.RETENTION_RAW_PAYLOAD_DAYS),
      decisionsDays: e.RETENTION_DECISIONS_DAYS,
      handoffsDays: e.RETENTION_HANDOFFS_DAYS,
      auditDays: e.RETENTION_AUDIT_DAYS,
      activityDays: e.RETENTION_ACTIVITY_DAYS,
    },
  };
}

/** True when `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
