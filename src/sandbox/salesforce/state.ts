import { randomBytes } from "node:crypto";
import { salesforceId } from "./ids";
import { SANDBOX_OBJECTS, type SandboxObject } from "./schema";
import { seedSalesforceDemoOrg } from "./seed";

export type SObjectRecord = Record<string, unknown> & { Id: string };

/** One injected failure: the next `count` matching requests answer `status` with the Salesforce error body. */
export interface SalesforceFaultRule {
  status: number;
  errorCode: string;
  message?: string;
  /** How many requests it hits; default 1. */
  count?: number;
  /** Only requests whose path (below the instance URL) contains this. */
  pathIncludes?: string;
  method?: string;
}

export interface SalesforceFaults {
  /** Added to every API request (not OAuth). */
  latencyMs: number;
  rules: SalesforceFaultRule[];
}

interface AccessToken {
  userId: string;
  clientId: string;
  /** Epoch ms; Infinity for the seeded demo session. */
  expiresAt: number;
  revoked: boolean;
}

interface RefreshToken {
  userId: string;
  clientId: string;
  revoked: boolean;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  expiresAt: number;
  codeChallenge?: string;
}

/** The org's edition (SANDBOX_SALESFORCE_EDITION): it sets the daily API allocation and which features exist. */
export type SalesforceEdition = "professional" | "enterprise" | "unlimited";
export const SALESFORCE_EDITIONS: readonly SalesforceEdition[] = ["professional", "enterprise", "unlimited"];

/**
 * Daily API requests (rolling 24 h): 100,000 plus an allocation per full licence, 1,000 on Professional (with
 * the API add-on) and Enterprise, 5,000 on Unlimited/Performance
 * (https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html;
 * reference §6).
 */
export function dailyApiAllocation(edition: SalesforceEdition, licenses: number): number {
  return 100_000 + licenses * (edition === "unlimited" ? 5_000 : 1_000);
}

/**
 * Outbound messages (what the demo Flow sends Handoff) exist on Enterprise, Performance, Unlimited and Developer,
 * not on Professional (https://help.salesforce.com/s/articleView?id=platform.workflow_om_considerations.htm;
 * reference §3a).
 */
export function hasOutboundMessages(edition: SalesforceEdition): boolean {
  return edition !== "professional";
}

export interface SalesforceSandboxOptions {
  /** @default "00D5g000004bE2xEAE" (the demo org, DESIGN §7) */
  orgId?: string;
  /** @default "enterprise" */
  edition?: SalesforceEdition;
  /** Full Salesforce licences, for the daily allocation. @default 20 */
  licenses?: number;
  /** Daily API request allocation (rolling 24 h). @default dailyApiAllocation(edition, licenses) */
  dailyApiLimit?: number;
  /** Lifetime of access tokens issued by the token endpoint. @default 2 h */
  sessionTtlMs?: number;
  /** The clock (epoch ms). @default Date.now */
  now?: () => number;
  /** Seed the demo org (users, queue, accounts, leads). @default true */
  seed?: boolean;
  /**
   * Simulates the org's active Lead assignment rule: a Lead create/update without `Sforce-Auto-Assign: FALSE`
   * is given to this queue, as Salesforce would. @default the "Inbound triage" queue; null turns it off.
   */
  assignmentRuleOwnerId?: string | null;
  /** Requests running at least `longRunningMs` count against this org-wide cap (production orgs: 25). @default 25 */
  concurrentLongRunningLimit?: number;
  /** @default 20000 (Salesforce counts requests of 20 s or more as long-running) */
  longRunningMs?: number;
}

export interface SalesforceSandboxState {
  orgId: string;
  edition: SalesforceEdition;
  objects: Map<string, SandboxObject>;
  records: Map<string, Map<string, SObjectRecord>>;
  serials: Map<string, number>;
  clients: Map<string, { secret: string }>;
  accessTokens: Map<string, AccessToken>;
  refreshTokens: Map<string, RefreshToken>;
  authCodes: Map<string, AuthCode>;
  /** The user the authorize endpoint logs in as (the demo admin). */
  adminUserId: string;
  sessionTtlMs: number;
  dailyApiLimit: number;
  /** API calls per minute bucket (epoch minute → count), summed over the rolling 24 h. */
  apiCallBuckets: Map<number, number>;
  /** Every API call ever counted, for tests and the benchmark. */
  apiCallsTotal: number;
  /** The same calls by route (`GET /query Lead by Id`, `POST /composite`…), for the benchmark. */
  apiCallsByRoute: Map<string, number>;
  faults: SalesforceFaults;
  assignmentRuleOwnerId: string | null;
  queryCursors: Map<string, { rows: Record<string, unknown>[]; type: string }>;
  concurrentLongRunningLimit: number;
  longRunningMs: number;
  /** Long-running requests in flight now. */
  longRunningInFlight: number;
  now: () => number;
}

export const SALESFORCE_SANDBOX_DEMO = {
  orgId: "00D5g000004bE2xEAE",
  clientId: "handoff-demo-salesforce-client",
  clientSecret: "demo-salesforce-client-secret",
  /** A session that never expires unless a test expires it (the seeded demo connection uses it). */
  accessToken: "00D5g000004bE2x!AQdemo.sandbox.access.token",
  refreshToken: "5Aep861demo.sandbox.refresh.token",
  adminUserId: "0055g0000080007AAA",
  inboundTriageQueueId: "00G5g0000080010AAA",
} as const;

export function createSalesforceSandboxState(options: SalesforceSandboxOptions = {}): SalesforceSandboxState {
  const edition = options.edition ?? "enterprise";
  if (!SALESFORCE_EDITIONS.includes(edition)) {
    throw new Error(
      `Expected \`edition\` to be one of ${SALESFORCE_EDITIONS.join(", ")}, got \`${String(edition)}\``,
    );
  }
  const dailyApiLimit = options.dailyApiLimit ?? dailyApiAllocation(edition, options.licenses ?? 20);
  if (!Number.isInteger(dailyApiLimit) || dailyApiLimit < 1) {
    throw new Error(`Expected \`dailyApiLimit\` to be an integer ≥ 1, got \`${dailyApiLimit}\``);
  }
  const state: SalesforceSandboxState = {
    orgId: options.orgId ?? SALESFORCE_SANDBOX_DEMO.orgId,
    edition,
    // Each org its own copy of the schema: a test that drops a field from one org leaves the next one whole.
    objects: new Map(SANDBOX_OBJECTS.map((o) => [o.name, { ...o, fields: [...o.fields] }])),
    records: new Map(SANDBOX_OBJECTS.map((o) => [o.name, new Map()])),
    serials: new Map(),
    clients: new Map([[SALESFORCE_SANDBOX_DEMO.clientId, { secret: SALESFORCE_SANDBOX_DEMO.clientSecret }]]),
    accessTokens: new Map([
      [
        SALESFORCE_SANDBOX_DEMO.accessToken,
        {
          userId: SALESFORCE_SANDBOX_DEMO.adminUserId,
          clientId: SALESFORCE_SANDBOX_DEMO.clientId,
          expiresAt: Number.POSITIVE_INFINITY,
          revoked: false,
        },
      ],
    ]),
    refreshTokens: new Map([
      [
        SALESFORCE_SANDBOX_DEMO.refreshToken,
        {
          userId: SALESFORCE_SANDBOX_DEMO.adminUserId,
          clientId: SALESFORCE_SANDBOX_DEMO.clientId,
          revoked: false,
        },
      ],
    ]),
    authCodes: new Map(),
    adminUserId: SALESFORCE_SANDBOX_DEMO.adminUserId,
    sessionTtlMs: options.sessionTtlMs ?? 2 * 60 * 60 * 1000,
    dailyApiLimit,
    apiCallBuckets: new Map(),
    apiCallsTotal: 0,
    apiCallsByRoute: new Map(),
    faults: { latencyMs: 0, rules: [] },
    assignmentRuleOwnerId:
      options.assignmentRuleOwnerId === undefined
        ? SALESFORCE_SANDBOX_DEMO.inboundTriageQueueId
        : options.assignmentRuleOwnerId,
    queryCursors: new Map(),
    concurrentLongRunningLimit: options.concurrentLongRunningLimit ?? 25,
    longRunningMs: options.longRunningMs ?? 20_000,
    longRunningInFlight: 0,
    now: options.now ?? Date.now,
  };
  addOrganizationRecord(state);
  if (options.seed ?? true) seedSalesforceDemoOrg(state);
  return state;
}

/** What `SELECT OrganizationType FROM Organization` answers on each edition the sandbox models. */
const ORGANIZATION_TYPE: Record<SalesforceEdition, string> = {
  professional: "Professional Edition",
  enterprise: "Enterprise Edition",
  unlimited: "Unlimited Edition",
};

/** Every org has its one Organization record, whatever was seeded (its Id is the org id). */
function addOrganizationRecord(state: SalesforceSandboxState): void {
  const stamp = new Date(state.now()).toISOString().replace("Z", "+0000");
  state.records.get("Organization")?.set(state.orgId, {
    Id: state.orgId,
    Name: "Handoff Demo Org",
    OrganizationType: ORGANIZATION_TYPE[state.edition],
    IsSandbox: false,
    InstanceName: "EU45",
    CreatedDate: stamp,
    LastModifiedDate: stamp,
    SystemModstamp: stamp,
    CreatedById: state.adminUserId,
    LastModifiedById: state.adminUserId,
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** API calls counted in the rolling 24 h window. */
export function apiCallsUsed(state: SalesforceSandboxState): number {
  const oldest = Math.floor((state.now() - DAY_MS) / 60_000);
  let used = 0;
  for (const [minute, count] of state.apiCallBuckets) {
    if (minute <= oldest) state.apiCallBuckets.delete(minute);
    else used += count;
  }
  return used;
}

export function countApiCall(state: SalesforceSandboxState, route = "other"): void {
  const minute = Math.floor(state.now() / 60_000);
  state.apiCallBuckets.set(minute, (state.apiCallBuckets.get(minute) ?? 0) + 1);
  state.apiCallsTotal++;
  state.apiCallsByRoute.set(route, (state.apiCallsByRoute.get(route) ?? 0) + 1);
}

/** Pretends `used` calls were already made in the current window (tests and demos of the limit). */
export function setApiCallsUsed(state: SalesforceSandboxState, used: number): void {
  state.apiCallBuckets.clear();
  if (used > 0) state.apiCallBuckets.set(Math.floor(state.now() / 60_000), used);
}

export function nextSalesforceId(state: SalesforceSandboxState, objectName: string): string {
  const object = state.objects.get(objectName);
  if (!object) throw new Error(`unknown sandbox object ${objectName}`);
  const serial = (state.serials.get(objectName) ?? 1000) + 1;
  state.serials.set(objectName, serial);
  return salesforceId(object.keyPrefix, serial, "5g");
}

export function issueAccessToken(state: SalesforceSandboxState, userId: string, clientId: string): string {
  const token = `${state.orgId.slice(0, 15)}!AQ${randomBytes(24).toString("base64url")}`;
  state.accessTokens.set(token, {
    userId,
    clientId,
    expiresAt: state.now() + state.sessionTtlMs,
    revoked: false,
  });
  return token;
}

export function issueRefreshToken(state: SalesforceSandboxState, userId: string, clientId: string): string {
  const token = `5Aep861${randomBytes(32).toString("base64url")}`;
  state.refreshTokens.set(token, { userId, clientId, revoked: false });
  return token;
}

/** Every access token issued so far stops working (401 INVALID_SESSION_ID); refresh tokens still work. */
export function expireSalesforceSessions(state: SalesforceSandboxState): void {
  for (const token of state.accessTokens.values())
    token.expiresAt = Math.min(token.expiresAt, state.now() - 1);
}

/** An admin revoked the app: access and refresh tokens all stop working. */
export function revokeSalesforceTokens(state: SalesforceSandboxState): void {
  for (const token of state.accessTokens.values()) token.revoked = true;
  for (const token of state.refreshTokens.values()) token.revoked = true;
}

export function injectSalesforceFault(state: SalesforceSandboxState, rule: SalesforceFaultRule): void {
  state.faults.rules.push({ ...rule, count: rule.count ?? 1 });
}

export function clearSalesforceFaults(state: SalesforceSandboxState): void {
  state.faults = { latencyMs: 0, rules: [] };
}
