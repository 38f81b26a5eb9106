import { LRUCache } from "lru-cache";
import { CrmValidationError } from "../../domain/errors";
import type { Activity, Lead, LeadConversion } from "../../domain/lead";
import type {
  ChangedLead,
  Conversion,
  CreatedTask,
  CrmAccount,
  CrmOwner,
  CrmPort,
  CrmTouch,
  FollowUpTask,
  LeadUpdate,
  RateBudget,
} from "../../ports/crm";
import { BatchCoalescer, type BatchResults } from "../batch-coalescer";
import { translateCrmError } from "../crm-errors";
import type { CrmAdapterOptions } from "../crm-adapter-options";
import { SalesforceClient } from "./salesforce-client";
import {
  DEFAULT_STAGE_STATUS,
  fromSalesforceDateTime,
  HANDOFF_LEAD_FIELDS,
  HANDOFF_TASK_DECISION_FIELD,
  LEAD_READ_FIELDS,
  soqlDateTime,
  soqlString,
  toAccount,
  toContactLead,
  toLead,
  toOwner,
  toQueueOwner,
  toSalesforceLeadFields,
  toSalesforceTask,
  toTouch,
  type SalesforceRecord,
  type StageStatusMap,
} from "./salesforce-mapper";
import type { SalesforceSession } from "./salesforce-oauth";
import { SalesforceWriter } from "./salesforce-writer";

export interface SalesforceCrmOptions extends CrmAdapterOptions {
  session: SalesforceSession;
  /** @default SALESFORCE_API_VERSION ("62.0") */
  apiVersion?: string;
  /** Which Lead Status means which stage. @default DEFAULT_STAGE_STATUS */
  stages?: StageStatusMap;
  /**
   * Where the last conversion comes from. Without Account Engagement, Salesforce keeps no form submissions:
   * the default reads the Lead's `LeadSource` and `CreatedDate` (web-to-lead creates the Lead on submit).
   * Orgs with Account Engagement can point this at `pi__conversion_date__c` / `pi__conversion_object_name__c`.
   * @default { dateField: "CreatedDate", nameField: "LeadSource" }
   */
  conversion?: { dateField: string; nameField: string };
  /** See SalesforceClientOptions. */
  concurrency?: number;
  maxDailyShare?: number;
  timeoutMs?: number;
}

const DEFAULT_OPEN_STATUSES = [
  "Open - Not Contacted",
  "Working - Contacted",
  "Marketing Qualified",
  "Sales Accepted",
];
const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const QUERY_IDS_MAX = 200;
/**
 * Bulk work (an import) waits this long for other leads' reads, lookups and writes to share a call: nobody is
 * waiting, and a fuller batch spends less of the org's daily allocation. Live leads never wait this.
 */
const BULK_LINGER_MS = 250;
/** Batch calls of one kind and priority under way at once; later leads gather meanwhile (see BatchCoalescer). */
const IN_FLIGHT_MAX = 2;
/**
 * A SOQL statement may be 100,000 characters long
 * (https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm),
 * and a REST call's URI and headers together 16,384 bytes, so long queries travel in a Composite body
 * (https://help.salesforce.com/s/articleView?id=000386264&type=1). Batched lookups stay far below both: at most
 * this many values, and at most LOOKUP_SOQL_MAX characters of values, per statement.
 */
const LOOKUP_VALUES_MAX = 100;
const LOOKUP_SOQL_MAX = 20_000;
/** Owners change rarely: listed once per this long (and again after a write names an owner the org refuses). */
const OWNERS_TTL_MS = 5 * 60_000;
/** Accounts by domain: the leads of one company in a burst ask once. */
const ACCOUNTS_TTL_MS = 60_000;
const ACCOUNTS_CACHE_MAX = 5_000;
/** How long the org's edition is taken as read. */
const EDITION_TTL_MS = 6 * 60 * 60 * 1000;
/** `OrganizationType` values of the editions that have outbound messages (see needsChangePolling). */
const EDITIONS_WITH_OUTBOUND_MESSAGES = new Set([
  "Enterprise Edition",
  "Unlimited Edition",
  "Performance Edition",
  "Developer Edition",
]);

interface QueryResult {
  totalSize: number;
  done: boolean;
  records: SalesforceRecord[];
  nextRecordsUrl?: string;
}

const sameId = (a: string, b: string): boolean => a.slice(0, 15) === b.slice(0, 15);

/**
 * CrmPort for Salesforce through jsforce. Reads are SOQL (lead reads coalesced into `Id IN (…)` batches),
 * writes go through SalesforceWriter (sObject Collections folded into Composite), every call passes the
 * connection's rate budget, and `Sforce-Limit-Info` keeps `rateBudget()` current.
 *
 * Salesforce orgs without Account Engagement keep no page views: `getRecentActivities` returns [] and the
 * handoff card takes the last five content views from Handoff's own activity records.
 *
 * @example const crm = createSalesforceCrm({ connectionId, session, logger })
 */
export class SalesforceCrm implements CrmPort {
  readonly crm = "salesforce" as const;
  readonly client: SalesforceClient;
  private readonly writer: SalesforceWriter;
  private readonly stages: StageStatusMap;
  private readonly openStatuses: string[];
  private readonly conversion: { dateField: string; nameField: string };
  private readonly windowMs: number;
  private describes = new Map<string, Promise<Set<string>>>();
  private edition: { type: Promise<string>; readAt: number } | undefined;
  /** One coalescer per field list (callers asking for extra properties get their own batches). */
  private readonly reads = new Map<string, BatchCoalescer<string, Lead>>();
  private readonly accountSearches: BatchCoalescer<string, CrmAccount[]>;
  private readonly duplicateSearches: BatchCoalescer<string, Lead[]>;
  private readonly accounts: LRUCache<string, CrmAccount[]>;
  private owners: { at: number; list: Promise<CrmOwner[]> } | undefined;

  constructor(private readonly options: SalesforceCrmOptions) {
    this.client = new SalesforceClient({
      connectionId: options.connectionId,
      session: options.session,
      logger: options.logger,
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      ...(options.budget ? { budget: options.budget } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.maxDailyShare ? { maxDailyShare: options.maxDailyShare } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      now: options.now,
    });
    this.windowMs = options.coalesceWindowMs ?? 20;
    this.writer = new SalesforceWriter(this.client, {
      connectionId: options.connectionId,
      windowMs: this.windowMs,
      bulkWindowMs: Math.max(this.windowMs, BULK_LINGER_MS),
    });
    // Routing's lookups for many leads fold into one query each (IN / OR over many values).
    this.accountSearches = new BatchCoalescer<string, CrmAccount[]>({
      maxBatchSize: LOOKUP_VALUES_MAX,
      lingerMs: this.windowMs,
      bulkLingerMs: Math.max(this.windowMs, BULK_LINGER_MS),
      maxInFlight: IN_FLIGHT_MAX,
      keyOf: (domain) => domain,
      execute: (domains) => this.searchAccounts(domains),
    });
    this.duplicateSearches = new BatchCoalescer<string, Lead[]>({
      maxBatchSize: LOOKUP_VALUES_MAX,
      lingerMs: this.windowMs,
      bulkLingerMs: Math.max(this.windowMs, BULK_LINGER_MS),
      maxInFlight: IN_FLIGHT_MAX,
      keyOf: (email) => email,
      execute: (emails) => this.searchDuplicates(emails),
    });
    this.accounts = new LRUCache<string, CrmAccount[]>({
      max: ACCOUNTS_CACHE_MAX,
      ttl: ACCOUNTS_TTL_MS,
      ttlResolution: 0,
      perf: { now: () => this.options.now().getTime() },
    });
    this.stages = options.stages ?? DEFAULT_STAGE_STATUS;
    this.openStatuses = options.openStatuses ?? DEFAULT_OPEN_STATUSES;
    if (this.openStatuses.length === 0)
      throw new Error("Expected `openStatuses` to name at least one Lead Status");
    this.conversion = options.conversion ?? { dateField: "CreatedDate", nameField: "LeadSource" };
  }

  rateBudget(): RateBudget {
    return this.client.rateBudget();
  }

  private async query(soql: string): Promise<SalesforceRecord[]> {
    let page = await this.client.request<QueryResult>({
      method: "GET",
      path: `/query?q=${encodeURIComponent(soql)}`,
    });
    const records = [...page.records];
    while (!page.done && page.nextRecordsUrl) {
      const path = page.nextRecordsUrl.replace(/^\/services\/data\/v[\d.]+/, "");
      page = await this.client.request<QueryResult>({ method: "GET", path });
      records.push(...page.records);
    }
    return records;
  }

  /** Field names of an object, from describe (cached for the adapter's life). */
  private fieldsOf(object: "Lead" | "Task"): Promise<Set<string>> {
    let fields = this.describes.get(object);
    if (!fields) {
      fields = this.client
        .request<{ fields: { name: string }[] }>({ method: "GET", path: `/sobjects/${object}/describe` })
        .then((d) => new Set(d.fields.map((f) => f.name)));
      fields.catch(() => this.describes.delete(object));
      this.describes.set(object, fields);
    }
    return fields;
  }

  private async leadFields(extra: string[] = []): Promise<string[]> {
    const known = await this.fieldsOf("Lead");
    const wanted = [...LEAD_READ_FIELDS, ...Object.values(HANDOFF_LEAD_FIELDS), ...extra];
    // Orgs without State & Country picklists have no CountryCode/StateCode; asking for them would fail the query.
    return [...new Set(wanted.filter((f) => known.has(f)))];
  }

  async getLeads(ids: string[], extraProperties: string[] = []): Promise<Lead[]> {
    const valid = [...new Set(ids.filter((id) => ID.test(id)))];
    if (valid.length === 0) return [];
    const fields = await this.leadFields(extraProperties);
    const key = fields.join(",");
    let reads = this.reads.get(key);
    if (!reads) {
      reads = new BatchCoalescer<string, Lead>({
        maxBatchSize: QUERY_IDS_MAX,
        lingerMs: this.windowMs,
        bulkLingerMs: Math.max(this.windowMs, BULK_LINGER_MS),
        maxInFlight: IN_FLIGHT_MAX,
        keyOf: (id) => id,
        execute: (batch) => this.readLeads(batch, fields),
      });
      this.reads.set(key, reads);
    }
    const leads = await reads.submitMany(valid);
    return leads.filter((lead): lead is Lead => lead !== undefined);
  }

  /** One SOQL call for up to 200 ids. */
  private async readLeads(ids: string[], fields: string[]): Promise<Map<string, Lead>> {
    try {
      const rows = await this.query(
        `SELECT ${fields.join(", ")} FROM Lead WHERE Id IN (${ids.map(soqlString).join(", ")})`,
      );
      const leads = rows.map((r) => toLead(r, this.stages));
      const found = new Map<string, Lead>();
      for (const id of ids) {
        const lead = leads.find((l) => sameId(l.id, id));
        if (lead) found.set(id, lead);
      }
      return found;
    } catch (err) {
      throw this.client.translate(err, "lead read");
    }
  }

  async updateLeads(updates: LeadUpdate[]): Promise<void> {
    const writes = updates.map((update) => {
      if (!ID.test(update.leadId)) {
        return Promise.reject(
          translateCrmError({
            crm: "salesforce",
            status: 400,
            message: `malformed Lead id ${update.leadId}`,
          }),
        );
      }
      let fields: SalesforceRecord;
      try {
        fields = toSalesforceLeadFields(update, this.stages);
      } catch (err) {
        return Promise.reject(
          translateCrmError({
            crm: "salesforce",
            status: 400,
            message: `${err instanceof Error ? err.message : "unmappable update"} for lead ${update.leadId}`,
          }),
        );
      }
      return Object.keys(fields).length === 0
        ? Promise.resolve()
        : this.writer.updateLead(update.leadId, fields);
    });
    const results = await Promise.allSettled(writes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      this.forgetOwnersOn(failed.reason);
      throw failed.reason;
    }
  }

  /** An owner the org refuses (deactivated, deleted) may be one removed since owners were listed: list afresh. */
  private forgetOwnersOn(error: unknown): void {
    if (error instanceof CrmValidationError) this.owners = undefined;
  }

  async createTask(task: FollowUpTask): Promise<CreatedTask> {
    if (Number.isNaN(Date.parse(task.dueAt))) {
      throw translateCrmError({
        crm: "salesforce",
        status: 400,
        message: `task dueAt is not an ISO instant`,
      });
    }
    if (!ID.test(task.leadId) || !ID.test(task.ownerId)) {
      throw translateCrmError({
        crm: "salesforce",
        status: 400,
        message: `malformed Lead or owner id on task`,
      });
    }
    try {
      return await this.writer.createTask(
        task.decisionId,
        task.leadId,
        toSalesforceTask(task),
        task.mayExist !== false,
      );
    } catch (err) {
      this.forgetOwnersOn(err);
      throw err;
    }
  }

  /**
   * Several SOQL queries in one composite call (one API request), each answered under its name with every
   * record (later pages follow `nextRecordsUrl`, one call each); a query that failed fails them all, named
   * (`owner query users failed`).
   */
  private async compositeQueries(
    what: string,
    queries: Record<string, string>,
  ): Promise<Map<string, SalesforceRecord[]>> {
    const base = `/services/data/v${this.client.version}/query?q=`;
    const result = await this.client.request<{
      compositeResponse: { body: QueryResult; httpStatusCode: number; referenceId: string }[];
    }>({
      method: "POST",
      path: "/composite",
      body: {
        allOrNone: false,
        compositeRequest: Object.entries(queries).map(([referenceId, soql]) => ({
          method: "GET",
          referenceId,
          url: `${base}${encodeURIComponent(soql)}`,
        })),
      },
    });
    const records = new Map<string, SalesforceRecord[]>();
    for (const sub of result.compositeResponse) {
      if (sub.httpStatusCode >= 300) {
        throw translateCrmError({
          crm: "salesforce",
          status: sub.httpStatusCode,
          message: `${what} query ${sub.referenceId} failed`,
        });
      }
    }
    for (const sub of result.compositeResponse) {
      const all = [...sub.body.records];
      let page = sub.body;
      while (!page.done && page.nextRecordsUrl) {
        page = await this.client.request<QueryResult>({
          method: "GET",
          path: page.nextRecordsUrl.replace(/^\/services\/data\/v[\d.]+/, ""),
        });
        all.push(...page.records);
      }
      records.set(sub.referenceId, all);
    }
    return records;
  }

  /** Users and queues, listed once per OWNERS_TTL_MS for every lead of the connection (concurrent callers share the call). */
  listOwners(): Promise<CrmOwner[]> {
    const now = this.options.now().getTime();
    if (this.owners && now - this.owners.at < OWNERS_TTL_MS) return this.owners.list;
    const entry = { at: now, list: this.fetchOwners() };
    this.owners = entry;
    entry.list.catch(() => {
      if (this.owners === entry) this.owners = undefined;
    });
    return entry.list;
  }

  private async fetchOwners(): Promise<CrmOwner[]> {
    try {
      const results = await this.compositeQueries("owner", {
        users:
          "SELECT Id, FirstName, LastName, Email, IsActive, ManagerId, Department FROM User WHERE UserType = 'Standard'",
        queues: "SELECT Id, Name FROM Group WHERE Type = 'Queue'",
      });
      return [
        ...(results.get("users") ?? []).map(toOwner),
        ...(results.get("queues") ?? []).map(toQueueOwner),
      ];
    } catch (err) {
      throw this.client.translate(err, "owner list");
    }
  }

  /** Accounts by domain: one query for the domains of many leads, remembered for ACCOUNTS_TTL_MS. */
  async findAccountsByDomain(domain: string): Promise<CrmAccount[]> {
    const wanted = domain
      .trim()
      .toLowerCase()
      .replace(/^www\./, "");
    if (!DOMAIN.test(wanted)) return [];
    const cached = this.accounts.get(wanted);
    if (cached) return cached;
    const found = (await this.accountSearches.submit(wanted)) ?? [];
    this.accounts.set(wanted, found);
    return found;
  }

  private async searchAccounts(domains: string[]): Promise<BatchResults<CrmAccount[]>> {
    const results: BatchResults<CrmAccount[]> = new Map(domains.map((d) => [d, []]));
    try {
      for (const chunk of lookupChunks(domains, (d) => `Website LIKE ${soqlString(`%${d}%`)}`, " OR ")) {
        // Up to 50 candidates a domain, as a lookup of one domain would read.
        const found = await this.compositeQueries("account", {
          accounts: `SELECT Id, Name, Website, OwnerId, NumberOfEmployees, Industry FROM Account WHERE ${chunk.where} LIMIT ${Math.min(2_000, 50 * chunk.values.length)}`,
        });
        const rows = found.get("accounts") ?? [];
        // LIKE finds "bauwerk.de.example" too; keep exact domain matches only.
        for (const account of rows.map(toAccount)) {
          const list = account.domain ? results.get(account.domain) : undefined;
          if (list && !(list instanceof Error)) list.push(account);
        }
      }
      return results;
    } catch (err) {
      throw this.client.translate(err, "account lookup");
    }
  }

  /**
   * Unconverted Leads and Contacts with the same e-mail: one composite call (two queries, `Email IN (…)`) for
   * the addresses of many leads. A Contact means an existing customer relationship: it comes back as a
   * Lead-shaped record with its owner and `properties.sObjectType = "Contact"`, oldest first within each kind.
   */
  async findDuplicatesByEmail(email: string, excludeId?: string): Promise<Lead[]> {
    const normalized = email.trim().toLowerCase();
    if (!normalized.includes("@")) return [];
    const found = (await this.duplicateSearches.submit(normalized)) ?? [];
    return found.filter((lead) => !excludeId || !sameId(lead.id, excludeId));
  }

  private async searchDuplicates(emails: string[]): Promise<BatchResults<Lead[]>> {
    const results: BatchResults<Lead[]> = new Map(emails.map((e) => [e, []]));
    try {
      const fields = await this.leadFields();
      for (const chunk of lookupChunks(emails, soqlString, ", ")) {
        const found = await this.compositeQueries("duplicate", {
          leads: `SELECT ${fields.join(", ")} FROM Lead WHERE Email IN (${chunk.where}) AND IsConverted = false ORDER BY CreatedDate ASC`,
          contacts: `SELECT Id, FirstName, LastName, Email, Title, AccountId, OwnerId, CreatedDate FROM Contact WHERE Email IN (${chunk.where}) ORDER BY CreatedDate ASC`,
        });
        const duplicates = [
          ...(found.get("leads") ?? []).map((r) => toLead(r, this.stages)),
          ...(found.get("contacts") ?? []).map(toContactLead),
        ];
        for (const lead of duplicates) {
          const list = lead.email ? results.get(lead.email.trim().toLowerCase()) : undefined;
          if (list && !(list instanceof Error)) list.push(lead);
        }
      }
      return results;
    } catch (err) {
      throw this.client.translate(err, "duplicate lookup");
    }
  }

  async getLastConversion(leadId: string): Promise<Conversion | null> {
    const { dateField, nameField } = this.conversion;
    const [lead] = await this.getLeads([leadId], [dateField, nameField]);
    if (!lead) return null;
    const occurredAt = fromSalesforceDateTime(lead.properties[dateField]);
    const name = lead.properties[nameField];
    if (!occurredAt) return null;
    return { name: typeof name === "string" && name !== "" ? name : "Lead created", occurredAt };
  }

  /** Salesforce alone has no page views or form submissions; Handoff's own activity records fill the card. */
  async getRecentActivities(_leadId: string, _limit: number): Promise<Activity[]> {
    return [];
  }

  async countOpenLeadsByOwner(ownerIds: string[], openStatuses?: string[]): Promise<Record<string, number>> {
    // Queues (00G…) have no capacity; only users are counted.
    const users = [...new Set(ownerIds.filter((id) => ID.test(id) && !id.startsWith("00G")))];
    const counts: Record<string, number> = Object.fromEntries(ownerIds.map((id) => [id, 0]));
    if (users.length === 0) return counts;
    const statuses = (openStatuses?.length ? openStatuses : this.openStatuses).map(soqlString).join(", ");
    try {
      for (let i = 0; i < users.length; i += QUERY_IDS_MAX) {
        const owners = users
          .slice(i, i + QUERY_IDS_MAX)
          .map(soqlString)
          .join(", ");
        const rows = await this.query(
          `SELECT OwnerId, COUNT(Id) openCount FROM Lead WHERE IsConverted = false AND Status IN (${statuses}) AND OwnerId IN (${owners}) GROUP BY OwnerId`,
        );
        for (const row of rows) {
          const owner = ownerIds.find((id) => sameId(id, String(row.OwnerId)));
          if (owner) counts[owner] = Number(row.openCount ?? row.expr0 ?? 0);
        }
      }
      return counts;
    } catch (err) {
      throw this.client.translate(err, "open lead count");
    }
  }

  /** Calls, e-mails and meetings logged as Tasks on the lead; Lead Status changes arrive as outbound messages. */
  async listTouches(leadId: string, since: string): Promise<CrmTouch[]> {
    if (!ID.test(leadId)) return [];
    try {
      const rows = await this.query(
        `SELECT Id, WhoId, OwnerId, Type, TaskSubtype, Status, IsClosed, CreatedDate, CompletedDateTime, ${HANDOFF_TASK_DECISION_FIELD} FROM Task WHERE WhoId = ${soqlString(leadId)} AND LastModifiedDate >= ${soqlDateTime(since)} ORDER BY CreatedDate ASC LIMIT 500`,
      );
      const from = Date.parse(since);
      return rows
        .map(toTouch)
        .filter((t): t is CrmTouch => t !== undefined && Date.parse(t.occurredAt) >= from)
        .map((t) => ({ ...t, leadId }));
    } catch (err) {
      throw this.client.translate(err, "touch list");
    }
  }

  /** Salesforce fields are created by an admin (or a package), not by Handoff: describe reports what is missing. */
  async ensureFields(): Promise<{ created: string[]; missing: string[] }> {
    try {
      const [lead, task] = await Promise.all([this.fieldsOf("Lead"), this.fieldsOf("Task")]);
      const missing = [
        ...Object.values(HANDOFF_LEAD_FIELDS)
          .filter((f) => !lead.has(f))
          .map((f) => `Lead.${f}`),
        ...(task.has(HANDOFF_TASK_DECISION_FIELD) ? [] : [`Task.${HANDOFF_TASK_DECISION_FIELD}`]),
      ];
      if (missing.length > 0) {
        this.options.logger.warn("salesforce custom fields missing", {
          connectionId: this.options.connectionId,
          missing: missing.length,
        });
      }
      return { created: [], missing };
    } catch (err) {
      throw this.client.translate(err, "describe");
    }
  }

  /** One SOQL call on the Opportunity the conversion made, or on its Contact when it made none. */
  async conversionOwner(conversion: LeadConversion): Promise<string | undefined> {
    const [object, id] = conversion.opportunityId
      ? ["Opportunity", conversion.opportunityId]
      : ["Contact", conversion.contactId];
    if (!id || !ID.test(id)) return undefined;
    try {
      const rows = await this.query(`SELECT Id, OwnerId FROM ${object} WHERE Id = ${soqlString(id)}`);
      const owner = rows[0]?.OwnerId;
      return typeof owner === "string" ? owner : undefined;
    } catch (err) {
      throw this.client.translate(err, "converted record owner");
    }
  }

  /**
   * Whether this org can send outbound messages: only Enterprise, Performance, Unlimited and Developer editions
   * can (https://help.salesforce.com/s/articleView?id=platform.workflow_om_considerations.htm; reference §3a).
   * The edition is `Organization.OrganizationType`
   * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm),
   * read once per `EDITION_TTL_MS`: one call in 6 hours, and an upgraded org stops being polled the same day.
   */
  async needsChangePolling(): Promise<boolean> {
    const now = this.options.now().getTime();
    if (!this.edition || now - this.edition.readAt >= EDITION_TTL_MS) {
      const type = this.query("SELECT OrganizationType FROM Organization").then((rows) =>
        String(rows[0]?.OrganizationType ?? ""),
      );
      const entry = { type, readAt: now };
      type.catch(() => {
        if (this.edition === entry) this.edition = undefined;
      });
      this.edition = entry;
    }
    try {
      return !EDITIONS_WITH_OUTBOUND_MESSAGES.has(await this.edition.type);
    } catch (err) {
      throw this.client.translate(err, "org edition");
    }
  }

  /**
   * Leads changed after `since` by `SystemModstamp` (the field that moves on every change, system ones included),
   * oldest first, in Salesforce's query pages of up to 2,000 records (one API call each, `nextRecordsUrl`).
   */
  async *changedLeadPages(since: string): AsyncIterable<ChangedLead[]> {
    const soql = `SELECT Id, SystemModstamp, LastModifiedDate, LastModifiedById, CreatedDate FROM Lead WHERE SystemModstamp > ${soqlDateTime(since)} ORDER BY SystemModstamp ASC`;
    let path: string | undefined = `/query?q=${encodeURIComponent(soql)}`;
    while (path) {
      let page: QueryResult;
      try {
        page = await this.client.request<QueryResult>({ method: "GET", path });
      } catch (err) {
        throw this.client.translate(err, "changed lead poll");
      }
      path =
        !page.done && page.nextRecordsUrl
          ? page.nextRecordsUrl.replace(/^\/services\/data\/v[\d.]+/, "")
          : undefined;
      const changes = page.records.flatMap((r): ChangedLead[] => {
        const modifiedAt = fromSalesforceDateTime(r.SystemModstamp);
        if (typeof r.Id !== "string" || !modifiedAt) return [];
        const fields: Record<string, string> = {};
        for (const name of ["Id", "SystemModstamp", "LastModifiedDate", "LastModifiedById", "CreatedDate"]) {
          const value = r[name];
          if (typeof value === "string") fields[name] = value;
        }
        return [{ id: r.Id, modifiedAt, fields }];
      });
      if (changes.length > 0) yield changes;
    }
  }

  /** Sends coalesced reads and writes that are waiting, now (shutdown). */
  flush(): void {
    this.writer.flush();
    for (const reads of this.reads.values()) reads.flush();
    this.accountSearches.flush();
    this.duplicateSearches.flush();
  }
}

/**
 * Values of one batched lookup, split so that each statement stays within LOOKUP_VALUES_MAX values and
 * LOOKUP_SOQL_MAX characters; `where` joins the values' conditions (or literals) with `separator`.
 */
function lookupChunks(
  values: string[],
  condition: (value: string) => string,
  separator: string,
): { values: string[]; where: string }[] {
  const chunks: { values: string[]; where: string }[] = [];
  let current: string[] = [];
  let parts: string[] = [];
  let length = 0;
  for (const value of values) {
    const part = condition(value);
    if (
      current.length > 0 &&
      (current.length >= LOOKUP_VALUES_MAX || length + part.length > LOOKUP_SOQL_MAX)
    ) {
      chunks.push({ values: current, where: parts.join(separator) });
      current = [];
      parts = [];
      length = 0;
    }
    current.push(value);
    parts.push(part);
    length += part.length + separator.length;
  }
  if (current.length > 0) chunks.push({ values: current, where: parts.join(separator) });
  return chunks;
}

export function createSalesforceCrm(options: SalesforceCrmOptions): SalesforceCrm {
  return new SalesforceCrm(options);
}
