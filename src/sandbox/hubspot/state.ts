import { randomBytes, randomUUID } from "node:crypto";
import { seedHubSpotDemoPortal } from "./seed";

/** A CRM object as HubSpot's v3 API returns it: every property value is a string (or null). */
export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  /** Earlier values of properties that were set through `setWithHistory`, newest first (`propertiesWithHistory`). */
  history?: Record<string, HubSpotPropertyVersion[]>;
}

/** One entry of a property's history, as `propertiesWithHistory` returns it. */
export interface HubSpotPropertyVersion {
  value: string;
  timestamp: string;
  sourceType: string;
}

/**
 * The portal's subscription tier. It decides which APIs answer: the web-analytics Events API is Enterprise-only
 * (https://developers.hubspot.com/docs/api/events/event-analytics ; reference §0b).
 */
export type HubSpotTier = "starter" | "professional" | "enterprise";
export const HUBSPOT_TIERS: readonly HubSpotTier[] = ["starter", "professional", "enterprise"];

/** How the calling app authenticates: an OAuth (marketplace) app, or a private app / service key. */
export type HubSpotAppType = "oauth" | "private";

/**
 * HubSpot's published API limits (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines,
 * https://developers.hubspot.com/changelog/increasing-our-api-limits): an OAuth app gets 110 requests per rolling
 * 10 s per installing account on every tier, with no stated daily limit; a private app gets 100 / 10 s and
 * 250 000 / day on Free and Starter, 190 / 10 s and 625 000 / day on Professional, 190 / 10 s and 1 000 000 / day
 * on Enterprise; each API Limit Increase pack (at most 2, not for OAuth apps) raises the burst to 250 / 10 s and
 * adds 1 000 000 a day. Search is limited apart (5 / s).
 */
export function hubspotRateLimits(
  tier: HubSpotTier,
  appType: HubSpotAppType,
  apiLimitPacks = 0,
): { tenSecond: number; daily: number | undefined } {
  if (!Number.isInteger(apiLimitPacks) || apiLimitPacks < 0 || apiLimitPacks > 2) {
    throw new RangeError(`Expected \`apiLimitPacks\` to be 0, 1 or 2, got \`${apiLimitPacks}\``);
  }
  if (appType === "oauth") {
    if (apiLimitPacks > 0) {
      throw new RangeError(
        'API Limit Increase packs do not apply to OAuth apps: set `appType: "private"` or no packs',
      );
    }
    return { tenSecond: 110, daily: undefined };
  }
  const base = { starter: 250_000, professional: 625_000, enterprise: 1_000_000 }[tier];
  const burst = apiLimitPacks > 0 ? 250 : tier === "starter" ? 100 : 190;
  return { tenSecond: burst, daily: base + apiLimitPacks * 1_000_000 };
}

/** How many versions of one property the sandbox keeps (bounded, like HubSpot's own history). */
const HISTORY_KEPT = 50;

export interface HubSpotOwner {
  id: string;
  userId: number | null;
  userIdIncludingInactive: number | null;
  email: string;
  firstName: string;
  lastName: string;
  type: "PERSON" | "QUEUE";
  archived: boolean;
  teams: { id: string; name: string; primary: boolean }[];
  createdAt: string;
  updatedAt: string;
}

export interface HubSpotPropertyOption {
  label: string;
  value: string;
  displayOrder?: number;
  hidden?: boolean;
}

export interface HubSpotProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: HubSpotPropertyOption[];
  hidden: boolean;
  hubspotDefined: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface HubSpotPropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

export interface HubSpotAssociation {
  toType: string;
  toId: string;
  typeId: number;
  category: "HUBSPOT_DEFINED" | "USER_DEFINED";
}

export interface HubSpotWebEvent {
  id: string;
  eventType: string;
  objectType: "contact";
  objectId: string;
  occurredAt: string;
  properties: Record<string, string>;
}

export interface HubSpotFormSubmission {
  conversionId: string;
  submittedAt: number;
  pageUrl: string;
  values: { name: string; value: string }[];
  /** The contact it converted (not part of HubSpot's response; the sandbox's own bookkeeping). */
  contactId: string;
}

export interface HubSpotForm {
  id: string;
  name: string;
  submissions: HubSpotFormSubmission[];
}

interface AccessToken {
  expiresAt: number;
  revoked: boolean;
  refreshToken: string | undefined;
}

/** Fault injection, changed at runtime through `POST /__sandbox/faults`. */
export interface HubSpotFaults {
  /** Added to every API call (OAuth and admin calls excluded). */
  latencyMs: number;
  /** Share of API calls (0..1) answered with `status`. */
  failRate: number;
  /** The next `count` API calls answer `status`. */
  count: number;
  status: number;
  /** Only calls whose path contains this. */
  pathIncludes: string | undefined;
}

export interface HubSpotSandboxStats {
  /** API calls answered (any status), search included; OAuth and admin calls excluded. */
  apiCalls: number;
  searchCalls: number;
  /** 429s sent because the real limits were exceeded (not injected ones). */
  rateLimited: number;
  faultsInjected: number;
  /** Records written by batch or single updates. */
  recordsUpdated: number;
  byRoute: Record<string, number>;
}

export interface HubSpotSandboxOptions {
  /** The portal's tier (SANDBOX_HUBSPOT_TIER). @default "professional" */
  tier?: HubSpotTier;
  /** @default 9876543 */
  portalId?: number;
  /** @default 424242 */
  appId?: number;
  /** @default "demo-client-id" */
  clientId?: string;
  /** @default "demo-client-secret" */
  clientSecret?: string;
  /**
   * How the calling app authenticates, which decides its limits (see `hubspotRateLimits`): an OAuth app (what
   * Handoff installs as) or a private app / service key. @default "oauth"
   */
  appType?: HubSpotAppType;
  /** API Limit Increase packs bought (0–2; private apps only). @default 0 */
  apiLimitPacks?: number;
  /** Requests per rolling 10 s. @default the tier's limit for `appType` (110 for OAuth apps) */
  tenSecondLimit?: number;
  /** Search requests per rolling second. @default 5 */
  searchPerSecond?: number;
  /**
   * Length of the "ten-second" window. Only tests shorten it, to exercise the limit without waiting.
   * @default 10_000
   */
  rateWindowMs?: number;
  /** Access-token lifetime for tokens issued by /oauth/v1/token. @default 1_800_000 (30 min, like HubSpot) */
  tokenTtlMs?: number;
  /** Seed the demo portal. @default true */
  seed?: boolean;
  /** @default Date.now */
  now?: () => number;
  /** For fault injection's failRate. @default 42 */
  randomSeed?: number;
  /**
   * The portal has set up the Leads object and the prospecting workspace ("be sure leads have been set up in your
   * account", https://developers.hubspot.com/docs/api-reference/crm-leads-v3/guide). Only Sales Hub Professional
   * and Enterprise have it: on a Starter portal it stays off. @default false
   */
  leadsObject?: boolean;
  /** The installer granted the optional leads scopes (where the portal has Leads). @default true */
  grantLeadsScopes?: boolean;
}

export interface HubSpotSandboxState {
  tier: HubSpotTier;
  /** The Leads object exists in this portal (Sales Hub Professional+ with Leads set up). */
  leadsObject: boolean;
  /** Scopes the app's tokens carry: the required ones, plus the optional ones the portal could grant. */
  grantedScopes: string[];
  portalId: number;
  appId: number;
  clientId: string;
  clientSecret: string;
  appType: HubSpotAppType;
  tenSecondLimit: number;
  /** Requests per day per account (private apps); undefined where HubSpot states none (OAuth apps). */
  dailyLimit: number | undefined;
  searchPerSecond: number;
  rateWindowMs: number;
  tokenTtlMs: number;
  owners: HubSpotOwner[];
  /** objectType (plural, e.g. "contacts") → id → record. */
  objects: Map<string, Map<string, HubSpotRecord>>;
  properties: Map<string, Map<string, HubSpotProperty>>;
  groups: Map<string, Map<string, HubSpotPropertyGroup>>;
  /** `${fromType}/${fromId}` → associations. */
  associations: Map<string, HubSpotAssociation[]>;
  webEvents: HubSpotWebEvent[];
  forms: Map<string, HubSpotForm>;
  accessTokens: Map<string, AccessToken>;
  refreshTokens: Map<string, { revoked: boolean }>;
  authCodes: Map<string, { redirectUri: string; expiresAt: number; scopes: string[] }>;
  /** Start times of counted calls in the rolling windows. */
  windows: { tenSecond: number[]; search: number[]; daily: { day: string; count: number } };
  faults: HubSpotFaults;
  stats: HubSpotSandboxStats;
  nextId: number;
  random: () => number;
  now: () => number;
}

/** Fixed demo identities (DESIGN §7); the seeded connection in `npm start` uses these tokens. */
export const HUBSPOT_SANDBOX_DEMO = {
  portalId: 9876543,
  appId: 424242,
  clientId: "demo-client-id",
  clientSecret: "demo-client-secret",
  /** Never expires unless a test expires it. */
  accessToken: "demo-hubspot-token",
  refreshToken: "demo-hubspot-refresh",
  scopes: [
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.owners.read",
    "crm.schemas.contacts.read",
    "crm.schemas.contacts.write",
    "forms",
  ],
} as const;

/**
 * The optional scopes of HubSpot's Leads object (object type 0-136): granted at install only where the portal has
 * Leads, i.e. Sales Hub Professional or Enterprise with Leads set up (reference §0b and §4; object scopes in
 * https://developers.hubspot.com/docs/api-reference/latest/crm/objects/leads/guide.md; the schema scopes, for
 * Handoff's own lead properties, as public integrations request them).
 */
export const HUBSPOT_LEADS_SCOPES = [
  "crm.objects.leads.read",
  "crm.objects.leads.write",
  "crm.schemas.leads.read",
  "crm.schemas.leads.write",
] as const;

export const HUBSPOT_OBJECT_TYPES = [
  "contacts",
  "leads",
  "companies",
  "tasks",
  "calls",
  "emails",
  "meetings",
  "notes",
];

/** Singular names used by HubSpot in association and event responses. */
export const SINGULAR: Record<string, string> = {
  contacts: "contact",
  companies: "company",
  tasks: "task",
  calls: "call",
  emails: "email",
  meetings: "meeting",
  notes: "note",
};

/** A small seeded generator of numbers in [0, 1): the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function noFaults(): HubSpotFaults {
  return { latencyMs: 0, failRate: 0, count: 0, status: 503, pathIncludes: undefined };
}

export function emptyStats(): HubSpotSandboxStats {
  return { apiCalls: 0, searchCalls: 0, rateLimited: 0, faultsInjected: 0, recordsUpdated: 0, byRoute: {} };
}

/** A fresh HubSpot portal (the demo portal unless `seed: false`). */
export function createHubSpotSandboxState(options: HubSpotSandboxOptions = {}): HubSpotSandboxState {
  const tier = options.tier ?? "professional";
  if (!HUBSPOT_TIERS.includes(tier)) {
    throw new RangeError(
      `Expected \`tier\` to be one of ${HUBSPOT_TIERS.join(", ")}, got \`${String(tier)}\``,
    );
  }
  const appType = options.appType ?? "oauth";
  const limits = hubspotRateLimits(tier, appType, options.apiLimitPacks ?? 0);
  const tenSecondLimit = options.tenSecondLimit ?? limits.tenSecond;
  if (!Number.isInteger(tenSecondLimit) || tenSecondLimit < 1) {
    throw new RangeError(`Expected \`tenSecondLimit\` to be an integer ≥ 1, got \`${tenSecondLimit}\``);
  }
  const searchPerSecond = options.searchPerSecond ?? 5;
  if (!Number.isInteger(searchPerSecond) || searchPerSecond < 1) {
    throw new RangeError(`Expected \`searchPerSecond\` to be an integer ≥ 1, got \`${searchPerSecond}\``);
  }
  const now = options.now ?? Date.now;
  const leadsObject = (options.leadsObject ?? false) && tier !== "starter";
  const state: HubSpotSandboxState = {
    tier,
    leadsObject,
    grantedScopes: [
      ...HUBSPOT_SANDBOX_DEMO.scopes,
      ...(leadsObject && (options.grantLeadsScopes ?? true) ? HUBSPOT_LEADS_SCOPES : []),
    ],
    portalId: options.portalId ?? HUBSPOT_SANDBOX_DEMO.portalId,
    appId: options.appId ?? HUBSPOT_SANDBOX_DEMO.appId,
    clientId: options.clientId ?? HUBSPOT_SANDBOX_DEMO.clientId,
    clientSecret: options.clientSecret ?? HUBSPOT_SANDBOX_DEMO.clientSecret,
    appType,
    tenSecondLimit,
    dailyLimit: limits.daily,
    searchPerSecond,
    rateWindowMs: options.rateWindowMs ?? 10_000,
    tokenTtlMs: options.tokenTtlMs ?? 1_800_000,
    owners: [],
    objects: new Map(HUBSPOT_OBJECT_TYPES.map((t) => [t, new Map()])),
    properties: new Map(HUBSPOT_OBJECT_TYPES.map((t) => [t, new Map()])),
    groups: new Map(HUBSPOT_OBJECT_TYPES.map((t) => [t, new Map()])),
    associations: new Map(),
    webEvents: [],
    forms: new Map(),
    accessTokens: new Map([
      [
        HUBSPOT_SANDBOX_DEMO.accessToken,
        {
          expiresAt: Number.POSITIVE_INFINITY,
          revoked: false,
          refreshToken: HUBSPOT_SANDBOX_DEMO.refreshToken,
        },
      ],
    ]),
    refreshTokens: new Map([[HUBSPOT_SANDBOX_DEMO.refreshToken, { revoked: false }]]),
    authCodes: new Map(),
    windows: { tenSecond: [], search: [], daily: { day: "", count: 0 } },
    faults: noFaults(),
    stats: emptyStats(),
    nextId: 1000,
    random: mulberry32(options.randomSeed ?? 42),
    now,
  };
  if (options.seed ?? true) seedHubSpotDemoPortal(state);
  return state;
}

/** A new record id, unique in the portal (HubSpot ids are numeric strings). */
export function nextObjectId(state: HubSpotSandboxState): string {
  state.nextId += 1;
  return String(state.nextId);
}

export function objectsOf(
  state: HubSpotSandboxState,
  objectType: string,
): Map<string, HubSpotRecord> | undefined {
  return state.objects.get(objectType);
}

export function associate(
  state: HubSpotSandboxState,
  from: { type: string; id: string },
  to: { type: string; id: string },
  typeId: number,
): void {
  const key = `${from.type}/${from.id}`;
  const list = state.associations.get(key) ?? [];
  if (!list.some((a) => a.toType === to.type && a.toId === to.id && a.typeId === typeId)) {
    list.push({ toType: to.type, toId: to.id, typeId, category: "HUBSPOT_DEFINED" });
  }
  state.associations.set(key, list);
}

/** Issues an access + refresh token pair, as the token endpoint does. */
export function issueTokens(
  state: HubSpotSandboxState,
  refreshToken?: string,
): { access: string; refresh: string } {
  const refresh = refreshToken ?? `sandbox-rt-${randomUUID()}`;
  const access = `sandbox-at-${randomBytes(24).toString("base64url")}`;
  state.refreshTokens.set(refresh, state.refreshTokens.get(refresh) ?? { revoked: false });
  state.accessTokens.set(access, {
    expiresAt: state.now() + state.tokenTtlMs,
    revoked: false,
    refreshToken: refresh,
  });
  return { access, refresh };
}

export type TokenCheck =
  | { ok: true }
  | { ok: false; category: "EXPIRED_AUTHENTICATION" | "INVALID_AUTHENTICATION"; message: string };

export function checkAccessToken(state: HubSpotSandboxState, token: string | undefined): TokenCheck {
  if (!token)
    return {
      ok: false,
      category: "INVALID_AUTHENTICATION",
      message: "Authentication credentials not found.",
    };
  const entry = state.accessTokens.get(token);
  if (!entry || entry.revoked) {
    return {
      ok: false,
      category: "INVALID_AUTHENTICATION",
      message: "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
    };
  }
  const now = state.now();
  if (entry.expiresAt <= now) {
    const minutes = Math.max(1, Math.round((now - entry.expiresAt) / 60_000));
    return {
      ok: false,
      category: "EXPIRED_AUTHENTICATION",
      message: `The OAuth token used to make this call expired ${minutes} minute(s) ago.`,
    };
  }
  return { ok: true };
}

/** Makes access tokens expire now (all, or one). The refresh token keeps working. */
export function expireHubSpotTokens(state: HubSpotSandboxState, token?: string): number {
  let n = 0;
  for (const [t, entry] of state.accessTokens) {
    if (token === undefined || t === token) {
      entry.expiresAt = Math.min(entry.expiresAt, state.now() - 1);
      n += 1;
    }
  }
  return n;
}

/** Uninstall: access and refresh tokens stop working. */
export function revokeHubSpotTokens(state: HubSpotSandboxState): void {
  for (const entry of state.accessTokens.values()) entry.revoked = true;
  for (const entry of state.refreshTokens.values()) entry.revoked = true;
}

function trim(window: number[], from: number): void {
  let drop = 0;
  while (drop < window.length && (window[drop] ?? 0) <= from) drop += 1;
  if (drop > 0) window.splice(0, drop);
}

/**
 * Counts one API call in the rolling windows. Returns the policy it broke (nothing counted then), or the
 * remaining allowance for the rate-limit headers.
 */
export function admitCall(
  state: HubSpotSandboxState,
  search: boolean,
):
  | { ok: true; remaining: number; dailyRemaining?: number }
  | { ok: false; policy: "TEN_SECONDLY_ROLLING" | "SECONDLY" | "DAILY" } {
  const t = state.now();
  if (search) {
    trim(state.windows.search, t - 1_000);
    if (state.windows.search.length >= state.searchPerSecond) return { ok: false, policy: "SECONDLY" };
    state.windows.search.push(t);
    return { ok: true, remaining: state.searchPerSecond - state.windows.search.length };
  }
  // The daily count resets at midnight in the account's time zone; the sandbox's accounts are on UTC. One
  // counter per portal: it stays one number however long the sandbox runs.
  const day = new Date(t).toISOString().slice(0, 10);
  const daily = state.windows.daily;
  if (daily.day !== day) {
    daily.day = day;
    daily.count = 0;
  }
  if (state.dailyLimit !== undefined && daily.count >= state.dailyLimit)
    return { ok: false, policy: "DAILY" };
  trim(state.windows.tenSecond, t - state.rateWindowMs);
  if (state.windows.tenSecond.length >= state.tenSecondLimit)
    return { ok: false, policy: "TEN_SECONDLY_ROLLING" };
  state.windows.tenSecond.push(t);
  daily.count += 1;
  return {
    ok: true,
    remaining: state.tenSecondLimit - state.windows.tenSecond.length,
    ...(state.dailyLimit === undefined ? {} : { dailyRemaining: state.dailyLimit - daily.count }),
  };
}

/**
 * Sets a property and keeps its earlier value in the record's history (newest first, at most HISTORY_KEPT),
 * so `propertiesWithHistory` can list it (https://developers.hubspot.com/docs/api/crm/contacts).
 */
export function setWithHistory(
  record: HubSpotRecord,
  name: string,
  value: string,
  at: string,
  sourceType: string,
): void {
  record.properties[name] = value;
  const history = (record.history ??= {});
  const versions = (history[name] ??= []);
  versions.unshift({ value, timestamp: at, sourceType });
  if (versions.length > HISTORY_KEPT) versions.length = HISTORY_KEPT;
}

/**
 * A visitor viewed a page: the web-analytics event (served to Enterprise portals) and the contact's "Last Page
 * Seen" with its history (what lower tiers can read), as HubSpot records both.
 */
export function recordPageView(
  state: HubSpotSandboxState,
  contact: HubSpotRecord,
  view: { url: string; title: string; at: string; id?: string },
): void {
  state.webEvents.push({
    id: view.id ?? `pv-${contact.id}-${Date.parse(view.at)}-${state.webEvents.length}`,
    eventType: "e_visited_page",
    objectType: "contact",
    objectId: contact.id,
    occurredAt: view.at,
    properties: { hs_url: view.url, hs_title: view.title },
  });
  const p = contact.properties;
  p.hs_analytics_num_page_views = String(Number(p.hs_analytics_num_page_views ?? "0") + 1);
  setWithHistory(contact, "hs_analytics_last_url", view.url, view.at, "ANALYTICS");
  // Views may be recorded out of order (tests, imports): the newest one is "Last Page Seen".
  const versions = contact.history!.hs_analytics_last_url!;
  versions.sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  p.hs_analytics_last_url = versions[0]?.value ?? view.url;
  if ((p.hs_analytics_last_visit_timestamp ?? "") < view.at) p.hs_analytics_last_visit_timestamp = view.at;
}

export function isoNow(state: HubSpotSandboxState): string {
  return new Date(state.now()).toISOString();
}
