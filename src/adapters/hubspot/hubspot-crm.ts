import { Client } from "@hubspot/api-client";
import { FilterOperatorEnum } from "@hubspot/api-client/lib/codegen/crm/contacts/models/Filter";
import { AssociationSpecAssociationCategoryEnum } from "@hubspot/api-client/lib/codegen/crm/objects/tasks/models/AssociationSpec";
import { LRUCache } from "lru-cache";
import { AppError, CrmAuthError, CrmNotFoundError, CrmValidationError } from "../../domain/errors";
import type { Activity, Lead } from "../../domain/lead";
import type {
  Conversion,
  CreatedTask,
  CrmAccount,
  CrmOwner,
  CrmPort,
  CrmTouch,
  FollowUpTask,
  LeadRecord,
  LeadRecordInput,
  LeadRecordStage,
  LeadUpdate,
  RateBudget,
} from "../../ports/crm";
import { BatchCoalescer, type BatchResults } from "../batch-coalescer";
import { translateCrmError } from "../crm-errors";
import { HUBSPOT_OAUTH_BUDGET, RateBudgetQueue } from "../rate-budget";
import {
  BACKWARD_STAGES,
  COMPANY_PROPERTIES,
  LAST_PAGE_PROPERTY,
  lastPageHistoryToActivities,
  HANDOFF_CONTACT_PROPERTIES,
  HANDOFF_TASK_PROPERTIES,
  LEAD_PROPERTIES,
  pageViewToActivity,
  toAccount,
  toHubSpotProperties,
  toIso,
  toLead,
  toOwner,
  TOUCH_KINDS,
  type HubSpotObject,
  type PropertyVersionShape,
} from "./hubspot-mapper";
import type { HubSpotAccess } from "./hubspot-oauth";
import type { Agent } from "node:http";
import { timeoutAgent } from "../outbound-timeout";
import type { CrmAdapterOptions } from "../crm-adapter-options";

export interface HubSpotCrmOptions extends CrmAdapterOptions {
  access: HubSpotAccess;
  /** API host. @default "https://api.hubapi.com" (the sandbox: `${sandbox.url}/hubspot`) */
  basePath?: string;
  /** Longest silence on one API call before it fails (kept inside the job's expiry). @default 30000 */
  timeoutMs?: number;
  /** Longest hold of the whole budget after a 429 (the job retries later anyway). @default 10_000 */
  maxPauseMs?: number;
  /** The portal's lead pipeline stage ids and what each means. @default HubSpot's default lead pipeline */
  leadStages?: Record<string, LeadRecordStage>;
}

/** HubSpot's default lead pipeline (New → Attempting → Connected → Qualified or Disqualified). */
export const DEFAULT_LEAD_STAGES: Record<string, LeadRecordStage> = {
  "new-stage-id": "new",
  "attempting-stage-id": "attempting",
  "connected-stage-id": "connected",
  "qualified-stage-id": "qualified",
  "unqualified-stage-id": "disqualified",
};
/** The scopes Handoff needs to work Lead records; optional at install (reference §0b, §4). */
const LEADS_SCOPES = [
  "crm.objects.leads.read",
  "crm.objects.leads.write",
  "crm.schemas.leads.read",
  "crm.schemas.leads.write",
];
const LEAD_RECORD_PROPERTIES = ["hs_pipeline_stage", "hubspot_owner_id", "hs_lead_disqualification_reason"];
/** lead → contact and lead → company, the primary associations a Lead is created with. */
const LEAD_TO_CONTACT = 578;
const LEAD_TO_COMPANY = 580;

const HANDOFF_GROUP = { name: "handoff", label: "Handoff", displayOrder: -1 };
const DEFAULT_OPEN_STATUSES = ["NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT"];
/** task → contact (reference §5.4). */
const TASK_TO_CONTACT = 204;
const FORMS_TTL_MS = 10 * 60_000;
/** After the Events API refused a portal (below Enterprise), ask again after this long: the portal may upgrade. */
const EVENTS_RECHECK_MS = 6 * 60 * 60_000;

/**
 * Bulk work (an import) waits this long for other leads' reads, writes, tasks and lookups to share a batch
 * call: nobody is waiting, and the import is paced by the rate budget anyway. Live leads never wait this.
 */
const BULK_LINGER_MS = 250;
/**
 * Batch calls of one kind and priority under way at once: while they wait for the rate budget, the next
 * leads gather into the following batch, so a burst of live leads shares calls instead of spending one each.
 */
const IN_FLIGHT_MAX = 2;
/** Owners change rarely: listed once per this long (and again after a write names an unknown owner). */
const OWNERS_TTL_MS = 5 * 60_000;
/** Accounts by domain: routing of a burst of leads from one company asks once. */
const ACCOUNTS_TTL_MS = 60_000;
const ACCOUNTS_CACHE_MAX = 5_000;
/** HubSpot refuses a search body over 3,000 characters (reference §5.2): batched searches stay below. */
const SEARCH_BODY_MAX = 2_900;
/** What routing needs of a duplicate: who owns it, and how recent it is. */
const DUPLICATE_PROPERTIES = ["email", "hs_additional_emails", "hubspot_owner_id", "lastmodifieddate"];
/** Batch reads that ask for property history take at most 50 inputs. */
const HISTORY_BATCH_MAX = 50;

interface ReadItem {
  id: string;
  extra: string[];
  /** Also read the "Last Page Seen" history (page views below Enterprise), in the same batch call. */
  history: boolean;
}

interface ReadResult {
  lead: Lead;
  lastPages: PropertyVersionShape[] | undefined;
}

/** One page of a form's submissions (newest first), when it was read, and where the next page starts. */
interface SubmissionsPage {
  readAt: number;
  results: FormSubmissionShape[];
  after: string | undefined;
}

interface SdkError {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function isSdkError(e: unknown): e is SdkError {
  return typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "number";
}

function bodyField(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === "string" ? v : undefined;
}

/** How long HubSpot wants us to wait, from the 429's policy (reference §7.2). */
function retryAfterMs(e: SdkError, now: Date): number {
  const policy = bodyField(e.body, "policyName");
  if (policy === "TEN_SECONDLY_ROLLING") return 10_000;
  if (policy === "SECONDLY" || bodyField(e.body, "message")?.includes("secondly")) return 1_000;
  if (policy === "DAILY") {
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime();
  }
  const header = e.headers?.["retry-after"];
  return header && Number.isFinite(Number(header)) ? Number(header) * 1000 : 10_000;
}

type Lane = "default" | "search";

interface FormSubmissionShape {
  conversionId: string;
  submittedAt: number;
  pageUrl?: string;
  values?: { name: string; value: string }[];
}

/** Pages of 100 forms read at most (10,000 forms); pages of 50 submissions searched at most per conversion. */
const FORM_PAGES = 100;
const SUBMISSION_PAGES = 10;

/**
 * The form a conversion names: `recent_conversion_event_name` is the form's name, or "<form name>: <page>" when
 * HubSpot adds where it was submitted; the longest matching name wins. Two forms with one name: the first listed.
 */
export function formFor(byName: Map<string, string[]>, conversionName: string): string | undefined {
  let best: { name: string; id: string } | undefined;
  for (const [name, ids] of byName) {
    const matches = conversionName === name || conversionName.startsWith(`${name}:`);
    if (matches && ids[0] && (!best || name.length > best.name.length)) best = { name, id: ids[0] };
  }
  return best?.id;
}

/** HubSpot refused a task write or search because `handoff_decision_id` does not exist on tasks. */
function isMissingTaskProperty(e: unknown): boolean {
  if (!(e instanceof CrmValidationError) || !isSdkError(e.cause)) return false;
  const body = JSON.stringify(e.cause.body ?? "");
  return body.includes(HANDOFF_TASK_PROPERTIES[0].name) && /PROPERTY_DOESNT_EXIST|does not exist/.test(body);
}

/** A follow-up task in HubSpot's standard task properties (reference §5.4). */
function taskProperties(task: FollowUpTask): Record<string, string> {
  return {
    hs_timestamp: task.dueAt,
    hs_task_subject: task.subject,
    hs_task_body: task.body,
    hubspot_owner_id: task.ownerId,
    hs_task_status: "NOT_STARTED",
    hs_task_priority: task.priority ?? "HIGH",
    hs_task_type: task.type ?? "CALL",
  };
}

/** HubSpot refused the call for the portal's tier or the token's scopes (403), not for an expired token. */
function isRefused(e: unknown): boolean {
  return e instanceof CrmAuthError && isSdkError(e.cause) && e.cause.code === 403;
}

/**
 * CrmPort over HubSpot through `@hubspot/api-client` (SDK retries and limiter off): every call goes
 * through the connection's RateBudgetQueue, single-lead reads and writes are folded into batch calls
 * (≤ 100), search runs in its own 5/s lane, and every failure leaves as an AppError via translateCrmError.
 *
 * @example const crm = new HubSpotCrm({ connectionId, access: staticHubSpotAccess(token), basePath });
 */
export class HubSpotCrm implements CrmPort {
  readonly crm = "hubspot" as const;
  private readonly options: HubSpotCrmOptions;
  private readonly basePath: string;
  readonly budget: RateBudgetQueue;
  private readonly reads: BatchCoalescer<ReadItem, ReadResult>;
  private readonly accountSearches: BatchCoalescer<string, CrmAccount[]>;
  private readonly duplicateSearches: BatchCoalescer<string, Lead[]>;
  private readonly accounts: LRUCache<string, CrmAccount[]>;
  private owners: { at: number; list: Promise<CrmOwner[]> } | undefined;
  private readonly submissions = new Map<string, Promise<SubmissionsPage>>();
  private readonly laterPages: LRUCache<string, Promise<SubmissionsPage>>;
  private readonly writes: BatchCoalescer<LeadUpdate, true>;
  private readonly tasks: BatchCoalescer<FollowUpTask, CreatedTask>;
  private client: { token: string; client: Client } | undefined;
  private readonly agent: Agent;
  private forms: { at: number; byName: Promise<Map<string, string[]>> } | undefined;
  /** HubSpot refused `handoff_decision_id` on tasks (the portal has no such property): tasks go without it. */
  private taskDecisionPropertyMissing = false;
  /** Until when page views come from "Last Page Seen" history because the portal refused the Events API. */
  private eventsRefusedUntil = 0;
  /** Whether the token carries the leads scopes, asked once per EVENTS_RECHECK_MS (a portal may upgrade). */
  private leadsAccess: { at: number; ok: Promise<boolean> } | undefined;
  /** Handoff's fields on the Lead object, made once per adapter. */
  private leadFields: Promise<void> | undefined;

  constructor(options: HubSpotCrmOptions) {
    this.options = options;
    this.basePath = options.basePath ?? "https://api.hubapi.com";
    this.agent = timeoutAgent(this.basePath, options.timeoutMs);
    this.budget =
      options.budget ?? new RateBudgetQueue({ name: options.connectionId, ...HUBSPOT_OAUTH_BUDGET });
    const lingerMs = options.coalesceWindowMs ?? 10;
    this.reads = new BatchCoalescer<ReadItem, ReadResult>({
      maxBatchSize: 100,
      lingerMs,
      bulkLingerMs: BULK_LINGER_MS,
      maxInFlight: IN_FLIGHT_MAX,
      keyOf: (item) => item.id,
      merge: (a, b) => ({
        id: a.id,
        extra: [...new Set([...a.extra, ...b.extra])],
        history: a.history || b.history,
      }),
      execute: (items) => this.batchRead(items),
    });
    // Routing's lookups for many leads fold into one search each (IN over many values).
    this.accountSearches = new BatchCoalescer<string, CrmAccount[]>({
      maxBatchSize: 50,
      lingerMs,
      bulkLingerMs: BULK_LINGER_MS,
      maxInFlight: IN_FLIGHT_MAX,
      keyOf: (domain) => domain,
      execute: (domains) => this.searchAccounts(domains),
    });
    this.duplicateSearches = new BatchCoalescer<string, Lead[]>({
      maxBatchSize: 100,
      lingerMs,
      bulkLingerMs: BULK_LINGER_MS,
      maxInFlight: IN_FLIGHT_MAX,
      keyOf: (email) => email,
      execute: (emails) => this.searchDuplicates(emails),
    });
    this.laterPages = new LRUCache<string, Promise<SubmissionsPage>>({
      max: 500,
      ttl: 60_000,
      ttlResolution: 0,
      perf: { now: () => this.nowMs() },
    });
    this.accounts = new LRUCache<string, CrmAccount[]>({
      max: ACCOUNTS_CACHE_MAX,
      ttl: ACCOUNTS_TTL_MS,
      ttlResolution: 0,
      perf: { now: () => this.nowMs() },
    });
    this.writes = new BatchCoalescer<LeadUpdate, true>({
      maxBatchSize: 100,
      lingerMs,
      bulkLingerMs: BULK_LINGER_MS,
      maxInFlight: IN_FLIGHT_MAX,
      keyOf: (u) => u.leadId,
      // Two writes to one lead in the same window: the later values win field by field.
      merge: (a, b) => ({ ...a, ...b }),
      execute: (items) => this.batchUpdate(items),
    });
    this.tasks = new BatchCoalescer<FollowUpTask, CreatedTask>({
      maxBatchSize: 100,
      lingerMs,
      bulkLingerMs: BULK_LINGER_MS,
      maxInFlight: IN_FLIGHT_MAX,
      keyOf: (t) => t.decisionId,
      execute: (items) => this.batchCreateTasks(items),
    });
  }

  // ---- plumbing ----

  private nowMs(): number {
    return this.options.now().getTime();
  }

  private async sdk(): Promise<Client> {
    const token = await this.options.access.accessToken();
    if (this.client?.token !== token) {
      // No numberOfApiCallRetries, no limiterOptions: retries belong to the jobs, pacing to the budget.
      this.client = {
        token,
        client: new Client({ accessToken: token, basePath: this.basePath, httpAgent: this.agent }),
      };
    }
    return this.client.client;
  }

  /** One API call: paced by the budget; after a 401 the token is refreshed once and the call repeated. */
  private async call<T>(
    what: string,
    fn: (client: Client) => Promise<T>,
    lane: Lane = "default",
  ): Promise<T> {
    try {
      return await this.budget.run(async () => fn(await this.sdk()), lane);
    } catch (first) {
      if (!(isSdkError(first) && first.code === 401 && this.options.access.refresh))
        throw this.translate(what, first);
      try {
        await this.options.access.refresh();
        return await this.budget.run(async () => fn(await this.sdk()), lane);
      } catch (second) {
        throw this.translate(what, second);
      }
    }
  }

  private translate(what: string, e: unknown): AppError {
    if (e instanceof AppError) return e;
    const where = `${what} for connection ${this.options.connectionId}`;
    if (!isSdkError(e)) {
      return translateCrmError({
        crm: "hubspot",
        status: undefined,
        message: `${where}: no answer`,
        cause: e,
      });
    }
    const crmCode = bodyField(e.body, "errorType") ?? bodyField(e.body, "category");
    const failure = {
      crm: "hubspot" as const,
      status: e.code,
      message: `${where} failed with ${e.code}${crmCode ? ` ${crmCode}` : ""}`,
      ...(crmCode === undefined ? {} : { crmCode }),
      cause: e,
    };
    if (e.code === 429) {
      const wait = retryAfterMs(e, this.options.now());
      this.options.logger.warn("hubspot rate limited", {
        connectionId: this.options.connectionId,
        policy: bodyField(e.body, "policyName"),
        retryAfterMs: wait,
      });
      // Another integration may share the budget: hold every lane so the penalty window is not spent.
      this.budget.pauseFor(Math.min(wait, this.options.maxPauseMs ?? 10_000));
      return translateCrmError({ ...failure, retryAfterMs: wait });
    }
    return translateCrmError(failure);
  }

  private async batchRead(items: ReadItem[]): Promise<BatchResults<ReadResult>> {
    const properties = [...new Set([...LEAD_PROPERTIES, ...items.flatMap((i) => i.extra)])];
    const history = items.some((i) => i.history);
    const chunks: ReadItem[][] = [];
    const size = history ? HISTORY_BATCH_MAX : items.length;
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    const results: BatchResults<ReadResult> = new Map();
    for (const chunk of chunks) {
      const response = await this.call("batch read of contacts", (c) =>
        c.crm.contacts.batchApi.read({
          inputs: chunk.map((i) => ({ id: i.id })),
          properties,
          propertiesWithHistory: history ? [LAST_PAGE_PROPERTY] : [],
        }),
      );
      for (const r of response.results) {
        results.set(String(r.id), {
          lead: toLead(r as HubSpotObject),
          lastPages: history ? (r.propertiesWithHistory?.[LAST_PAGE_PROPERTY] ?? []) : undefined,
        });
      }
    }
    return results;
  }

  private async batchUpdate(updates: LeadUpdate[]): Promise<BatchResults<true>> {
    // HubSpot ignores a direct move to an earlier lifecycle stage: clear it first, in its own request.
    const backwards = updates.filter((u) => u.stage !== undefined && BACKWARD_STAGES.has(u.stage));
    if (backwards.length > 0) {
      await this.call("clear lifecycle stage", (c) =>
        c.crm.contacts.batchApi.update({
          inputs: backwards.map((u) => ({ id: u.leadId, properties: { lifecyclestage: "" } })),
        }),
      );
    }
    const response = await this.call("batch update of contacts", (c) =>
      c.crm.contacts.batchApi.update({
        inputs: updates.map((u) => ({ id: u.leadId, properties: toHubSpotProperties(u) })),
      }),
    );
    const results: BatchResults<true> = new Map(updates.map((u) => [u.leadId, true as const]));
    const errors = "errors" in response ? (response.errors ?? []) : [];
    for (const err of errors) {
      const context = (err as { context?: Record<string, string[]> }).context ?? {};
      for (const id of [...(context.id ?? []), ...(context.ids ?? [])]) {
        results.set(
          id,
          new CrmNotFoundError(
            `hubspot: contact ${id} not found for connection ${this.options.connectionId}`,
          ),
        );
      }
    }
    return results;
  }

  private search(
    objectType: string,
    request: {
      filterGroups: {
        filters: { propertyName: string; operator: FilterOperatorEnum; value?: string; values?: string[] }[];
      }[];
      properties: string[];
      limit: number;
      sorts?: { propertyName: string; direction: "ASCENDING" | "DESCENDING" }[];
      after?: string;
    },
  ) {
    const body = {
      filterGroups: request.filterGroups,
      properties: request.properties,
      limit: request.limit,
      after: request.after ?? "0",
      // The SDK types `sorts` as string[], the API takes objects (reference §5.2).
      sorts: (request.sorts ?? []) as unknown as string[],
    };
    return this.call(
      `search of ${objectType}`,
      (c) => c.crm.objects.searchApi.doSearch(objectType, body),
      "search",
    );
  }

  // ---- CrmPort ----

  async getLeads(ids: string[], extraProperties: string[] = []): Promise<Lead[]> {
    const unique = [...new Set(ids)];
    const leads = await this.reads.submitMany(
      unique.map((id) => ({ id, extra: extraProperties, history: false })),
    );
    return leads.flatMap((l) => (l ? [l.lead] : []));
  }

  async updateLeads(updates: LeadUpdate[]): Promise<void> {
    const outcomes = await Promise.allSettled(updates.map((u) => this.writes.submit(u)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    // An owner id HubSpot refuses may be a user removed since owners were listed: list them afresh.
    if (failed?.reason instanceof CrmValidationError) this.owners = undefined;
    if (failed) throw failed.reason;
  }

  createTask(task: FollowUpTask): Promise<CreatedTask> {
    return this.tasks.submit(task).then((created) => {
      if (!created)
        throw new CrmNotFoundError(`hubspot: task for decision ${task.decisionId} was not created`);
      return created;
    });
  }

  /**
   * Follow-up tasks, folded: one search finds the tasks that earlier attempts may have made (only for
   * tasks marked `mayExist`: Handoff's own table knows when no attempt was made before), one batch create
   * makes the rest with their task→contact association. (HubSpot's search index lags a few seconds; the
   * pipeline also records the task id per decision.)
   */
  private async batchCreateTasks(tasks: FollowUpTask[]): Promise<BatchResults<CreatedTask>> {
    if (this.taskDecisionPropertyMissing) return this.createTasksOneByOne(tasks);
    try {
      return await this.batchCreateTasksByDecision(tasks);
    } catch (e) {
      if (!isMissingTaskProperty(e)) throw e;
      // Whether every portal lets an app create a custom task property with the scopes Handoff asks for is not
      // confirmed: where it is missing, tasks are made without it and their idempotency rests on Handoff's own
      // table (the task id is recorded per decision, and a retry looks first only when an attempt may have made it).
      this.taskDecisionPropertyMissing = true;
      this.options.logger.warn(
        "hubspot tasks have no handoff_decision_id property; creating tasks without it",
        {
          connectionId: this.options.connectionId,
        },
      );
      return this.createTasksOneByOne(tasks);
    }
  }

  private async batchCreateTasksByDecision(tasks: FollowUpTask[]): Promise<BatchResults<CreatedTask>> {
    const results: BatchResults<CreatedTask> = new Map();
    const toCheck = tasks.filter((t) => t.mayExist !== false);
    const found = new Map<string, string>();
    if (toCheck.length > 0) {
      const existing = await this.search("tasks", {
        filterGroups: [
          {
            filters: [
              {
                propertyName: "handoff_decision_id",
                operator: FilterOperatorEnum.In,
                // A string property: IN matches lowercase values only (the stored value is compared lowercased).
                values: toCheck.map((t) => t.decisionId.toLowerCase()),
              },
            ],
          },
        ],
        properties: ["handoff_decision_id"],
        limit: 100,
      });
      for (const r of existing.results)
        found.set(String(r.properties.handoff_decision_id).toLowerCase(), String(r.id));
    }
    const missing = tasks.filter((t) => !found.has(t.decisionId.toLowerCase()));
    for (const t of tasks) {
      const id = found.get(t.decisionId.toLowerCase());
      if (id) results.set(t.decisionId, { id, leadId: t.leadId });
    }
    if (missing.length === 0) return results;
    const created = await this.call("task batch create", (c) =>
      c.crm.objects.tasks.batchApi.create({
        inputs: missing.map((task) => ({
          properties: { ...taskProperties(task), handoff_decision_id: task.decisionId },
          associations: [
            {
              to: { id: task.leadId },
              types: [
                {
                  associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
                  associationTypeId: TASK_TO_CONTACT,
                },
              ],
            },
          ],
        })),
      }),
    );
    // Batch results are not guaranteed in input order: match them by decision id.
    const byDecision = new Map(
      created.results.map((r) => [String(r.properties.handoff_decision_id), String(r.id)]),
    );
    for (const t of missing) {
      const id = byDecision.get(t.decisionId);
      if (id) results.set(t.decisionId, { id, leadId: t.leadId });
    }
    return results;
  }

  /** One create per task (the response names its task), without Handoff's task property. */
  private async createTasksOneByOne(tasks: FollowUpTask[]): Promise<BatchResults<CreatedTask>> {
    const results: BatchResults<CreatedTask> = new Map();
    for (const task of tasks) {
      try {
        const created = await this.call("task create", (c) =>
          c.crm.objects.tasks.basicApi.create({
            properties: taskProperties(task),
            associations: [
              {
                to: { id: task.leadId },
                types: [
                  {
                    associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
                    associationTypeId: TASK_TO_CONTACT,
                  },
                ],
              },
            ],
          }),
        );
        results.set(task.decisionId, { id: String(created.id), leadId: task.leadId });
      } catch (e) {
        results.set(task.decisionId, e instanceof Error ? e : new Error(String(e)));
      }
    }
    return results;
  }

  /** Owners, listed once per OWNERS_TTL_MS for every lead of the connection (concurrent callers share the call). */
  listOwners(): Promise<CrmOwner[]> {
    if (this.owners && this.nowMs() - this.owners.at < OWNERS_TTL_MS) return this.owners.list;
    const list = this.fetchOwners();
    const entry = { at: this.nowMs(), list };
    this.owners = entry;
    list.catch(() => {
      if (this.owners === entry) this.owners = undefined;
    });
    return list;
  }

  private async fetchOwners(): Promise<CrmOwner[]> {
    const owners: CrmOwner[] = [];
    // Deactivated users are listed only with archived=true (reference §5.3): ask for both.
    for (const archived of [false, true]) {
      let after: string | undefined;
      do {
        const page = await this.call("owners list", (c) =>
          c.crm.owners.ownersApi.getPage(undefined, after, 100, archived),
        );
        owners.push(...page.results.map((o) => toOwner({ ...o, archived: o.archived })));
        after = page.paging?.next?.after;
      } while (after);
    }
    return owners;
  }

  /** Accounts by domain: one search for the domains of many leads (IN), remembered for ACCOUNTS_TTL_MS. */
  async findAccountsByDomain(domain: string): Promise<CrmAccount[]> {
    const key = domain.trim().toLowerCase();
    const cached = this.accounts.get(key);
    if (cached) return cached;
    const found = (await this.accountSearches.submit(key)) ?? [];
    this.accounts.set(key, found);
    return found;
  }

  private async searchAccounts(domains: string[]): Promise<BatchResults<CrmAccount[]>> {
    const results: BatchResults<CrmAccount[]> = new Map(domains.map((d) => [d, []]));
    const request = (values: string[]) => ({
      filterGroups: [{ filters: [{ propertyName: "domain", operator: FilterOperatorEnum.In, values }] }],
      properties: COMPANY_PROPERTIES,
    });
    for (const chunk of chunkBySearchBody(domains, request([]))) {
      const found = await this.searchAll("companies", request(chunk));
      for (const r of found) {
        const account = toAccount(r as HubSpotObject);
        const list = account.domain ? results.get(account.domain.toLowerCase()) : undefined;
        if (list && !(list instanceof Error)) list.push(account);
      }
    }
    return results;
  }

  /** Duplicates by e-mail: one search for the addresses of many leads (primary or additional e-mail). */
  async findDuplicatesByEmail(email: string, excludeId?: string): Promise<Lead[]> {
    const found = (await this.duplicateSearches.submit(email.trim().toLowerCase())) ?? [];
    return found.filter((l) => l.id !== excludeId);
  }

  private async searchDuplicates(emails: string[]): Promise<BatchResults<Lead[]>> {
    const results: BatchResults<Lead[]> = new Map(emails.map((e) => [e, []]));
    // Each address appears in two filters (primary, additional): budget the body for both.
    const request = (values: string[]) => ({
      filterGroups: [
        { filters: [{ propertyName: "email", operator: FilterOperatorEnum.In, values }] },
        { filters: [{ propertyName: "hs_additional_emails", operator: FilterOperatorEnum.In, values }] },
      ],
      properties: DUPLICATE_PROPERTIES,
    });
    for (const chunk of chunkBySearchBody(emails, request([]), 2)) {
      const found = await this.searchAll("contacts", request(chunk));
      for (const r of found) {
        const p = (r.properties ?? {}) as Record<string, string | null>;
        const addresses = [p.email ?? "", ...(p.hs_additional_emails ?? "").split(";")].map((a) =>
          a.trim().toLowerCase(),
        );
        const lead = toLead(r as HubSpotObject);
        for (const a of new Set(addresses)) {
          const list = results.get(a);
          if (list && !(list instanceof Error)) list.push(lead);
        }
      }
    }
    return results;
  }

  /** Every page of one search (200 per page). */
  private async searchAll(
    objectType: string,
    request: Omit<Parameters<HubSpotCrm["search"]>[1], "limit" | "after">,
  ): Promise<{ id: string; properties: Record<string, string | null> }[]> {
    const all: { id: string; properties: Record<string, string | null> }[] = [];
    let after: string | undefined;
    do {
      const page = await this.search(objectType, { ...request, limit: 200, ...(after ? { after } : {}) });
      all.push(...(page.results as { id: string; properties: Record<string, string | null> }[]));
      after = page.paging?.next?.after;
    } while (after);
    return all;
  }

  async getLastConversion(leadId: string): Promise<Conversion | null> {
    const [lead] = await this.getLeads([leadId]);
    if (!lead) throw new CrmNotFoundError(`hubspot: contact ${leadId} not found`);
    const name =
      typeof lead.properties.recent_conversion === "string" ? lead.properties.recent_conversion : undefined;
    const rawDate =
      typeof lead.properties.recent_conversion_at === "string"
        ? lead.properties.recent_conversion_at
        : undefined;
    if (!name || !rawDate) return null;
    const conversion: Conversion = { name, occurredAt: rawDate };
    const formId = formFor(await this.formIdsByName(), name);
    if (!formId) return conversion;
    conversion.formId = formId;
    const match = await this.findSubmission(formId, Date.parse(rawDate), lead.email);
    if (match) {
      if (match.pageUrl) conversion.pageUrl = match.pageUrl;
      conversion.values = Object.fromEntries((match.values ?? []).map((v) => [v.name, v.value]));
    }
    return conversion;
  }

  /**
   * This contact's submission of the form at `at`. Submissions are listed per form, newest first, 50 a page
   * (reference §5.7): pages are followed until they are older than the conversion, at most SUBMISSION_PAGES.
   * The first page is shared by every lead of the connection (see firstSubmissionsPage).
   */
  private async findSubmission(
    formId: string,
    at: number,
    email: string | undefined,
  ): Promise<FormSubmissionShape | undefined> {
    let result = await this.firstSubmissionsPage(formId, at);
    for (let page = 0; page < SUBMISSION_PAGES; page += 1) {
      if (page > 0) result = await this.laterSubmissionsPage(formId, result.after!);
      const submissions = result.results;
      const match = submissions.find(
        (s) =>
          Math.abs(s.submittedAt - at) < 60_000 &&
          (s.values ?? []).some((v) => v.name === "email" && v.value.toLowerCase() === email),
      );
      if (match) return match;
      const oldest = submissions[submissions.length - 1]?.submittedAt;
      if (!result.after || oldest === undefined || oldest < at - 60_000) return undefined;
    }
    return undefined;
  }

  /**
   * The newest submissions of a form, shared by every lead of the connection: read again only when a lead's
   * submission is newer than the last read, so an import of many leads who submitted long ago costs one call.
   */
  private async firstSubmissionsPage(formId: string, submittedAt: number): Promise<SubmissionsPage> {
    const cached = this.submissions.get(formId);
    if (cached) {
      const page = await cached.catch(() => undefined);
      if (page && page.readAt > submittedAt) return page;
    }
    const next = this.submissionsPage(formId, undefined);
    // Concurrent callers whose submission is older than this read share it; one page per form is kept.
    this.submissions.set(formId, next);
    next.catch(() => {
      if (this.submissions.get(formId) === next) this.submissions.delete(formId);
    });
    return next;
  }

  /**
   * A page after the first, by its cursor: the leads of an import who submitted the same form long ago walk
   * the same pages, so each page is read once a minute, not once per lead.
   */
  private laterSubmissionsPage(formId: string, after: string): Promise<SubmissionsPage> {
    const key = `${formId}\u0000${after}`;
    const cached = this.laterPages.get(key);
    if (cached) return cached;
    const next = this.submissionsPage(formId, after);
    this.laterPages.set(key, next);
    next.catch(() => this.laterPages.delete(key));
    return next;
  }

  private submissionsPage(formId: string, after: string | undefined): Promise<SubmissionsPage> {
    const readAt = this.nowMs();
    return this.call("form submissions", async (c) => {
      const res = await c.apiRequest({
        method: "GET",
        path: `/form-integrations/v1/submissions/forms/${encodeURIComponent(formId)}`,
        qs: { limit: 50, ...(after ? { after } : {}) },
      });
      if (!res.ok) throw { code: res.status, body: await res.json().catch(() => ({})) } satisfies SdkError;
      const body = (await res.json()) as {
        results?: FormSubmissionShape[];
        paging?: { next?: { after?: string } };
      };
      return { readAt, results: body.results ?? [], after: body.paging?.next?.after };
    });
  }

  /** Every form of the portal by name (paged, cached FORMS_TTL_MS); several forms may share a name. */
  private formIdsByName(): Promise<Map<string, string[]>> {
    if (this.forms && this.nowMs() - this.forms.at < FORMS_TTL_MS) return this.forms.byName;
    // Concurrent leads share one listing (an import asks for the forms of 1,000 leads at once).
    const entry = { at: this.nowMs(), byName: this.listForms() };
    this.forms = entry;
    entry.byName.catch(() => {
      if (this.forms === entry) this.forms = undefined;
    });
    return entry.byName;
  }

  private async listForms(): Promise<Map<string, string[]>> {
    const byName = new Map<string, string[]>();
    let after: string | undefined;
    for (let page = 0; page < FORM_PAGES; page += 1) {
      const result = await this.call("forms list", (c) => c.marketing.forms.formsApi.getPage(after, 100));
      for (const f of result.results) byName.set(f.name, [...(byName.get(f.name) ?? []), f.id]);
      after = result.paging?.next?.after;
      if (!after) break;
    }
    return byName;
  }

  async getRecentActivities(leadId: string, limit: number): Promise<Activity[]> {
    // Asked together, the lead and its page history share one batch read.
    const [views, [lead]] = await Promise.all([this.pageViews(leadId, limit), this.getLeads([leadId])]);
    const activities: Activity[] = [...views];
    const name = lead?.properties.recent_conversion;
    const occurredAt = lead?.properties.recent_conversion_at;
    if (typeof name === "string" && typeof occurredAt === "string") {
      activities.push({ kind: "form_submission", source: "crm_events", occurredAt, name });
    }
    return activities.sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
  }

  /**
   * Page views from the web-analytics Events API where the portal has it (Enterprise only, reference §0b);
   * otherwise from the history of "Last Page Seen". A refusal (403) switches this portal to the history for
   * EVENTS_RECHECK_MS, so Starter and Professional portals do not pay a refused call per lead.
   */
  private async pageViews(leadId: string, limit: number): Promise<Activity[]> {
    if (this.options.now().getTime() >= this.eventsRefusedUntil) {
      try {
        return await this.pageViewEvents(leadId, limit);
      } catch (e) {
        if (!isRefused(e)) throw e;
        this.eventsRefusedUntil = this.options.now().getTime() + EVENTS_RECHECK_MS;
        this.options.logger?.info(
          "hubspot web analytics events refused; page views from Last Page Seen history",
          {
            connectionId: this.options.connectionId,
          },
        );
      }
    }
    // The history rides on the lead's own batch read (one call for up to 50 leads).
    const read = await this.reads.submit({ id: leadId, extra: [], history: true });
    if (!read) throw new CrmNotFoundError(`hubspot: contact ${leadId} not found`);
    return lastPageHistoryToActivities(read.lastPages ?? [], limit);
  }

  private async pageViewEvents(leadId: string, limit: number): Promise<Activity[]> {
    const page = await this.call("page views", (c) =>
      c.events.eventsApi.getPage(
        "contact",
        "e_visited_page",
        undefined,
        undefined,
        limit,
        ["-occurredAt"],
        undefined,
        undefined,
        Number(leadId),
      ),
    );
    return page.results
      .map((e) => pageViewToActivity({ id: e.id, occurredAt: e.occurredAt, properties: e.properties }))
      .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))
      .slice(0, limit);
  }

  async countOpenLeadsByOwner(ownerIds: string[], openStatuses?: string[]): Promise<Record<string, number>> {
    const statuses = openStatuses ?? this.options.openStatuses ?? DEFAULT_OPEN_STATUSES;
    const counts: Record<string, number> = {};
    await Promise.all(
      [...new Set(ownerIds)].map(async (ownerId) => {
        const page = await this.search("contacts", {
          filterGroups: [
            {
              filters: [
                { propertyName: "hubspot_owner_id", operator: FilterOperatorEnum.Eq, value: ownerId },
                // An enumeration: compared case-sensitively, so the portal's internal values as they are.
                { propertyName: "hs_lead_status", operator: FilterOperatorEnum.In, values: statuses },
              ],
            },
          ],
          properties: ["hs_object_id"],
          limit: 1,
        });
        counts[ownerId] = page.total;
      }),
    );
    return counts;
  }

  async listTouches(leadId: string, since: string): Promise<CrmTouch[]> {
    const sinceMs = String(Date.parse(since));
    const touches: CrmTouch[] = [];
    for (const objectType of ["calls", "emails", "meetings", "tasks"]) {
      const filters =
        objectType === "tasks"
          ? [
              { propertyName: "associations.contact", operator: FilterOperatorEnum.Eq, value: leadId },
              { propertyName: "hs_task_status", operator: FilterOperatorEnum.Eq, value: "COMPLETED" },
              { propertyName: "hs_task_completion_date", operator: FilterOperatorEnum.Gte, value: sinceMs },
            ]
          : [
              { propertyName: "associations.contact", operator: FilterOperatorEnum.Eq, value: leadId },
              { propertyName: "hs_timestamp", operator: FilterOperatorEnum.Gte, value: sinceMs },
            ];
      const page = await this.search(objectType, {
        filterGroups: [{ filters }],
        properties: ["hs_timestamp", "hs_task_completion_date", "hubspot_owner_id"],
        limit: 100,
      });
      for (const r of page.results) {
        const p = r.properties as Record<string, string | null>;
        const occurredAt = toIso(objectType === "tasks" ? p.hs_task_completion_date : p.hs_timestamp);
        if (!occurredAt) continue;
        touches.push({
          leadId,
          kind: TOUCH_KINDS[objectType] ?? "task_completed",
          occurredAt,
          ...(p.hubspot_owner_id ? { ownerId: p.hubspot_owner_id } : {}),
        });
      }
    }
    return touches.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  }

  // ---- HubSpot's Leads object (Sales Hub Professional+, optional scopes) ----

  /** A REST call the SDK has no typed method for, through the same budget and error translation. */
  private rest<T>(what: string, method: "GET" | "POST" | "PATCH", path: string, body?: unknown): Promise<T> {
    return this.call(what, async (c) => {
      const res = await c.apiRequest({ method, path, ...(body === undefined ? {} : { body }) });
      if (!res.ok) throw { code: res.status, body: await res.json().catch(() => ({})) } satisfies SdkError;
      return (await res.json()) as T;
    });
  }

  /**
   * Whether this connection may work Lead records: the token's scopes (HubSpot grants the optional leads scopes only
   * where the portal has the Leads object) are read from the token's metadata, once per recheck period.
   */
  hasLeadObject(): Promise<boolean> {
    const now = this.options.now().getTime();
    if (!this.leadsAccess || now - this.leadsAccess.at >= EVENTS_RECHECK_MS) {
      const ok = this.options.access
        .accessToken()
        .then((token) =>
          this.rest<{ scopes?: string[] }>(
            "token scopes",
            "GET",
            `/oauth/v1/access-tokens/${encodeURIComponent(token)}`,
          ),
        )
        .then((info) => LEADS_SCOPES.every((s) => info.scopes?.includes(s)));
      ok.catch(() => (this.leadsAccess = undefined));
      this.leadsAccess = { at: now, ok };
    }
    return this.leadsAccess.ok;
  }

  private toLeadRecord(r: { id: string | number; properties: Record<string, string | null> }): LeadRecord {
    const stages = this.options.leadStages ?? DEFAULT_LEAD_STAGES;
    const p = r.properties;
    return {
      id: String(r.id),
      stage: stages[p.hs_pipeline_stage ?? ""] ?? "other",
      ...(p.hubspot_owner_id ? { ownerId: p.hubspot_owner_id } : {}),
      ...(p.hs_lead_disqualification_reason
        ? { disqualificationReason: p.hs_lead_disqualification_reason }
        : {}),
    };
  }

  private async associated(fromType: string, fromId: string, toType: string): Promise<string[]> {
    const page = await this.rest<{ results: { toObjectId: number | string }[] }>(
      `${fromType} → ${toType} associations`,
      "GET",
      `/crm/v4/objects/${fromType}/${encodeURIComponent(fromId)}/associations/${toType}`,
    );
    return page.results.map((r) => String(r.toObjectId));
  }

  /**
   * The contact's open Lead (not Qualified or Disqualified) is reused, else a new one is created with the contact
   * and its first company as primary associations. A retried handoff finds the Lead it created: no second one.
   */
  async openLeadRecord(input: LeadRecordInput): Promise<{ record: LeadRecord; created: boolean } | null> {
    if (!(await this.hasLeadObject())) return null;
    await this.ensureLeadFields();
    const properties = {
      ...toHubSpotProperties({ leadId: input.leadId, ...input.fields }),
      hubspot_owner_id: input.ownerId,
    };
    const ids = await this.associated("contacts", input.leadId, "leads");
    if (ids.length > 0) {
      const read = await this.rest<{ results: { id: string; properties: Record<string, string | null> }[] }>(
        "batch read of leads",
        "POST",
        "/crm/v3/objects/leads/batch/read",
        { inputs: ids.map((id) => ({ id })), properties: LEAD_RECORD_PROPERTIES },
      );
      const open = read.results
        .map((r) => this.toLeadRecord(r))
        .find((r) => r.stage !== "qualified" && r.stage !== "disqualified");
      if (open) {
        await this.rest("lead update", "PATCH", `/crm/v3/objects/leads/${encodeURIComponent(open.id)}`, {
          properties,
        });
        return { record: { ...open, ownerId: input.ownerId }, created: false };
      }
    }
    const [companyId] = await this.associated("contacts", input.leadId, "companies");
    const association = (id: string, typeId: number) => ({
      to: { id },
      types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: typeId }],
    });
    const made = await this.rest<{ id: string; properties: Record<string, string | null> }>(
      "lead create",
      "POST",
      "/crm/v3/objects/leads",
      {
        properties: { ...properties, hs_lead_name: input.name.slice(0, 250) },
        associations: [
          association(input.leadId, LEAD_TO_CONTACT),
          ...(companyId ? [association(companyId, LEAD_TO_COMPANY)] : []),
        ],
      },
    );
    return {
      record: { id: String(made.id), stage: "new", ownerId: input.ownerId },
      created: true,
    };
  }

  async getLeadRecord(id: string): Promise<LeadRecord | null> {
    if (!(await this.hasLeadObject())) return null;
    try {
      const r = await this.rest<{ id: string; properties: Record<string, string | null> }>(
        "lead read",
        "GET",
        `/crm/v3/objects/leads/${encodeURIComponent(id)}?properties=${LEAD_RECORD_PROPERTIES.join(",")}`,
      );
      return this.toLeadRecord(r);
    } catch (e) {
      if (e instanceof CrmNotFoundError) return null;
      throw e;
    }
  }

  async ensureFields(): Promise<{ created: string[]; missing: string[] }> {
    const result = { created: [] as string[], missing: [] as string[] };
    await this.ensureObjectFields("contacts", HANDOFF_CONTACT_PROPERTIES, result);
    await this.ensureObjectFields("tasks", HANDOFF_TASK_PROPERTIES, result);
    // Handoff's fields on the Lead record too, where the portal has the Leads object.
    if (await this.hasLeadObject()) await this.ensureLeadFields(result);
    // The task property may exist now: try it again with the next task.
    this.taskDecisionPropertyMissing = false;
    return result;
  }

  /** Once per adapter: also when the portal gains the Leads object after the adapter started. */
  private ensureLeadFields(result = { created: [] as string[], missing: [] as string[] }): Promise<void> {
    this.leadFields ??= this.ensureObjectFields("leads", HANDOFF_CONTACT_PROPERTIES, result);
    this.leadFields.catch(() => (this.leadFields = undefined));
    return this.leadFields;
  }

  private async ensureObjectFields(
    objectType: string,
    wanted: readonly { name: string; label: string; type: string; fieldType: string }[],
    result: { created: string[]; missing: string[] },
  ): Promise<void> {
    await this.ensureGroup(objectType);
    const existing = await this.call(`property read on ${objectType}`, (c) =>
      c.crm.properties.batchApi.read(objectType, {
        archived: false,
        inputs: wanted.map((w) => ({ name: w.name })),
      }),
    );
    const have = new Set(existing.results.map((p) => p.name));
    const toCreate = wanted.filter((w) => !have.has(w.name));
    if (toCreate.length === 0) return;
    const made = await this.call(`property create on ${objectType}`, (c) =>
      c.crm.properties.batchApi.create(objectType, {
        inputs: toCreate.map((w) => ({
          name: w.name,
          label: w.label,
          type: w.type as never,
          fieldType: w.fieldType as never,
          groupName: HANDOFF_GROUP.name,
          description: "Written by Handoff (lead handoff by SLA). Do not edit by hand.",
        })),
      }),
    );
    const names = new Set(made.results.map((p) => p.name));
    for (const w of toCreate)
      (names.has(w.name) ? result.created : result.missing).push(`${objectType}.${w.name}`);
  }

  private async ensureGroup(objectType: string): Promise<void> {
    try {
      await this.call(`property group read on ${objectType}`, (c) =>
        c.crm.properties.groupsApi.getByName(objectType, HANDOFF_GROUP.name),
      );
    } catch (e) {
      if (!(e instanceof CrmNotFoundError)) throw e;
      await this.call(`property group create on ${objectType}`, (c) =>
        c.crm.properties.groupsApi.create(objectType, HANDOFF_GROUP),
      );
    }
  }

  rateBudget(): RateBudget {
    return this.budget.usage();
  }
}

/**
 * Splits values for `IN` filters so that each search body stays under HubSpot's 3,000 characters:
 * the rest of the body as `emptyBody` (its value lists empty), each value counted `times` (once per filter).
 */
function chunkBySearchBody(values: string[], emptyBody: unknown, times = 1): string[][] {
  // The body as sent, with every value list empty, plus room for `after` and `sorts`.
  const overhead = JSON.stringify(emptyBody).length + 40;
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let size = overhead;
  for (const v of values) {
    const cost = (JSON.stringify(v).length + 1) * times;
    if (chunk.length > 0 && size + cost > SEARCH_BODY_MAX) {
      chunks.push(chunk);
      chunk = [];
      size = overhead;
    }
    chunk.push(v);
    size += cost;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
