import { LRUCache } from "lru-cache";
import type { AppError } from "../../domain/errors";
import type { CreatedTask } from "../../ports/crm";
import { BatchCoalescer } from "../batch-coalescer";
import { translateCrmError } from "../crm-errors";
import { salesforceErrorCode, statusOfSalesforceCode, type SalesforceClient } from "./salesforce-client";
import { HANDOFF_TASK_DECISION_FIELD, soqlString, type SalesforceRecord } from "./salesforce-mapper";

/**
 * sObject Collections take at most 200 records; a Composite call (counted as one) at most 25 subrequests, of
 * which at most 5 may be collections or queries (reference §6). Every subrequest here is a collection.
 */
const COLLECTION_MAX = 200;
const COMPOSITE_COLLECTIONS_MAX = 5;
const CREATED_TASKS_MAX = 10_000;

/** One write waiting to be folded: a lead update (merged per lead) or a task (one per decision). */
type WriteItem =
  | { kind: "lead"; leadId: string; fields: SalesforceRecord }
  | { kind: "task"; decisionId: string; leadId: string; record: SalesforceRecord; mayExist: boolean };

type WriteResult = CreatedTask | true;

const keyOf = (item: WriteItem): string =>
  item.kind === "lead" ? `lead:${item.leadId}` : `task:${item.decisionId}`;

interface SaveError {
  statusCode?: unknown;
  errorCode?: unknown;
  message?: unknown;
  fields?: unknown[];
}

interface SaveResult {
  id?: unknown;
  success?: unknown;
  errors?: SaveError[];
}

interface CompositeSubresponse {
  body: unknown;
  httpStatusCode: number;
  referenceId: string;
}

export interface SalesforceWriterOptions {
  /** How long writes wait for company before they are sent. @default 20 */
  windowMs?: number;
  /** How long writes of bulk work only (an import) wait for company. @default windowMs */
  bulkWindowMs?: number;
  connectionId: string;
}

type Subrequest = { kind: "leads"; items: WriteItem[] } | { kind: "tasks"; items: WriteItem[] };

/**
 * Folds concurrent lead updates and follow-up task creates into as few calls as possible (through the shared
 * BatchCoalescer): lead updates become `PATCH /composite/sobjects` (200 per subrequest), tasks
 * `POST /composite/sobjects`, and both go in one `POST /composite` (up to 5 collection subrequests = one API call).
 * Every lead write carries `Sforce-Auto-Assign: FALSE`, so the org's assignment rule does not overwrite the
 * owner Handoff chose. Tasks are created once per decision: a task an earlier attempt may have made
 * (`mayExist`: Handoff's own table recorded an attempt) is looked up by decision id first
 * (Task.Handoff_Decision_Id__c), so a retry after a lost response finds the task it already made; a task no
 * attempt was made for is created without the query.
 */
export class SalesforceWriter {
  private readonly coalescer: BatchCoalescer<WriteItem, WriteResult>;
  /**
   * Decision id → task created by this process (answers in-process retries without a query); the most recent
   * CREATED_TASKS_MAX, so a process that runs for months keeps a bounded map (an older retry queries).
   */
  private readonly createdTasks = new LRUCache<string, CreatedTask>({ max: CREATED_TASKS_MAX });

  constructor(
    private readonly client: SalesforceClient,
    private readonly options: SalesforceWriterOptions,
  ) {
    this.coalescer = new BatchCoalescer<WriteItem, WriteResult>({
      // 200 lead updates and 200 tasks: two collection subrequests in one composite call.
      maxBatchSize: 2 * COLLECTION_MAX,
      lingerMs: options.windowMs ?? 20,
      bulkLingerMs: Math.max(options.windowMs ?? 20, options.bulkWindowMs ?? 0),
      // Two composite writes under way at once; later writes gather meanwhile (see BatchCoalescer).
      maxInFlight: 2,
      keyOf,
      merge: (earlier, later) =>
        earlier.kind === "lead" && later.kind === "lead"
          ? { ...earlier, fields: { ...earlier.fields, ...later.fields } }
          : earlier.kind === "task" && later.kind === "task"
            ? { ...earlier, mayExist: earlier.mayExist || later.mayExist }
            : earlier,
      execute: (items) => this.execute(items),
    });
  }

  async updateLead(leadId: string, fields: SalesforceRecord): Promise<void> {
    await this.coalescer.submit({ kind: "lead", leadId, fields });
  }

  /** `mayExist`: an earlier attempt may have created it (look it up first). @default true */
  async createTask(
    decisionId: string,
    leadId: string,
    record: SalesforceRecord,
    mayExist = true,
  ): Promise<CreatedTask> {
    const done = this.createdTasks.get(decisionId);
    if (done) return done;
    const result = await this.coalescer.submit({ kind: "task", decisionId, leadId, record, mayExist });
    if (typeof result !== "object") throw new Error(`no task result for decision ${decisionId}`);
    return result;
  }

  /** Sends what is waiting now. */
  flush(): void {
    this.coalescer.flush();
  }

  /** Batch calls made and writes submitted (writes / batches = the folding factor). */
  stats(): { batches: number; items: number } {
    return this.coalescer.stats();
  }

  private async execute(items: WriteItem[]): Promise<Map<string, WriteResult | Error>> {
    const results = new Map<string, WriteResult | Error>();
    const leads = items.filter((i) => i.kind === "lead");
    let tasks: WriteItem[] = items.filter((i) => i.kind === "task");
    if (tasks.length > 0) {
      try {
        tasks = await this.withoutExistingTasks(tasks, results);
      } catch (err) {
        const error = this.client.translate(err, "task lookup");
        for (const t of tasks) results.set(keyOf(t), error);
        tasks = [];
      }
    }
    const subrequests: Subrequest[] = [];
    for (let i = 0; i < leads.length; i += COLLECTION_MAX) {
      subrequests.push({ kind: "leads", items: leads.slice(i, i + COLLECTION_MAX) });
    }
    for (let i = 0; i < tasks.length; i += COLLECTION_MAX) {
      subrequests.push({ kind: "tasks", items: tasks.slice(i, i + COLLECTION_MAX) });
    }
    const calls: Promise<void>[] = [];
    for (let i = 0; i < subrequests.length; i += COMPOSITE_COLLECTIONS_MAX) {
      calls.push(this.send(subrequests.slice(i, i + COMPOSITE_COLLECTIONS_MAX), results));
    }
    await Promise.all(calls);
    return results;
  }

  /** Answers tasks that already exist for their decision; returns the rest. */
  private async withoutExistingTasks(
    tasks: WriteItem[],
    results: Map<string, WriteResult | Error>,
  ): Promise<WriteItem[]> {
    const decisionIds = tasks.flatMap((t) => (t.kind === "task" && t.mayExist ? [t.decisionId] : []));
    if (decisionIds.length === 0) return tasks;
    const result = await this.client.request<{ records: SalesforceRecord[] }>({
      method: "GET",
      path: `/query?q=${encodeURIComponent(
        `SELECT Id, WhoId, ${HANDOFF_TASK_DECISION_FIELD} FROM Task WHERE ${HANDOFF_TASK_DECISION_FIELD} IN (${decisionIds.map(soqlString).join(", ")})`,
      )}`,
    });
    const existing = new Map<string, CreatedTask>();
    for (const row of result.records) {
      existing.set(String(row[HANDOFF_TASK_DECISION_FIELD]), {
        id: String(row.Id),
        leadId: String(row.WhoId),
      });
    }
    return tasks.filter((task) => {
      const found = task.kind === "task" ? existing.get(task.decisionId) : undefined;
      if (!found || task.kind !== "task") return true;
      this.createdTasks.set(task.decisionId, found);
      results.set(keyOf(task), found);
      return false;
    });
  }

  private body(sub: Subrequest): Record<string, unknown> {
    return {
      allOrNone: false,
      records: sub.items.map((item) =>
        item.kind === "lead"
          ? { attributes: { type: "Lead" }, id: item.leadId, ...item.fields }
          : { attributes: { type: "Task" }, ...item.record },
      ),
    };
  }

  private async send(subrequests: Subrequest[], results: Map<string, WriteResult | Error>): Promise<void> {
    const headers = { "Sforce-Auto-Assign": "FALSE" };
    let responses: CompositeSubresponse[];
    try {
      const single = subrequests.length === 1 ? subrequests[0] : undefined;
      if (single) {
        const saveResults = await this.client.request<SaveResult[]>({
          method: single.kind === "leads" ? "PATCH" : "POST",
          path: "/composite/sobjects",
          body: this.body(single),
          headers,
        });
        responses = [{ body: saveResults, httpStatusCode: 200, referenceId: "r0" }];
      } else {
        const url = `/services/data/v${this.client.version}/composite/sobjects`;
        const result = await this.client.request<{ compositeResponse: CompositeSubresponse[] }>({
          method: "POST",
          path: "/composite",
          headers,
          body: {
            allOrNone: false,
            compositeRequest: subrequests.map((sub, i) => ({
              method: sub.kind === "leads" ? "PATCH" : "POST",
              url,
              referenceId: `r${i}`,
              body: this.body(sub),
              httpHeaders: headers,
            })),
          },
        });
        responses = result.compositeResponse;
      }
    } catch (err) {
      const error = this.client.translate(err, "composite write");
      for (const sub of subrequests) for (const item of sub.items) results.set(keyOf(item), error);
      return;
    }
    subrequests.forEach((sub, i) =>
      this.settle(
        sub,
        responses.find((r) => r.referenceId === `r${i}`),
        results,
      ),
    );
  }

  private settle(
    sub: Subrequest,
    response: CompositeSubresponse | undefined,
    results: Map<string, WriteResult | Error>,
  ): void {
    const saveResults =
      response && response.httpStatusCode < 300 && Array.isArray(response.body)
        ? (response.body as SaveResult[])
        : undefined;
    const wholeError = saveResults ? undefined : this.subrequestError(response);
    sub.items.forEach((item, index) => {
      const result = saveResults?.[index];
      const error = wholeError ?? (result?.success === true ? undefined : this.recordError(result, item));
      if (error) {
        results.set(keyOf(item), error);
      } else if (item.kind === "lead") {
        results.set(keyOf(item), true);
      } else {
        const created = { id: String(result?.id), leadId: item.leadId };
        this.createdTasks.set(item.decisionId, created);
        results.set(keyOf(item), created);
      }
    });
  }
  private subrequestError(response: CompositeSubresponse | undefined): AppError {
    const first = Array.isArray(response?.body) ? (response.body[0] as SaveError | undefined) : undefined;
    const code = typeof first?.errorCode === "string" ? first.errorCode : undefined;
    return translateCrmError({
      crm: "salesforce",
      status: response?.httpStatusCode,
      message: `composite subrequest failed${code ? ` (${code})` : ""} for connection ${this.options.connectionId}`,
      ...(code ? { crmCode: code } : {}),
    });
  }

  /** Collections report per-record errors with `statusCode` (jsforce's type says `errorCode`): read both. */
  private recordError(result: SaveResult | undefined, item: WriteItem): AppError {
    const first = result?.errors?.[0];
    const code =
      typeof first?.statusCode === "string"
        ? first.statusCode
        : (salesforceErrorCode(first) ??
          (typeof first?.errorCode === "string" ? first.errorCode : undefined));
    const what =
      item.kind === "lead" ? `update of lead ${item.leadId}` : `task for decision ${item.decisionId}`;
    const fields = (first?.fields ?? []).filter((f): f is string => typeof f === "string");
    // Salesforce's own message can quote the refused value (an e-mail, a name): it stays in `cause`, not in the text.
    return translateCrmError({
      crm: "salesforce",
      // Lock contention is transient (retryable); any other per-record refusal is a validation error.
      status: statusOfSalesforceCode(code) ?? (code === "UNABLE_TO_LOCK_ROW" ? undefined : 400),
      message: `${what} refused${code ? ` (${code}${fields.length > 0 ? ` on ${fields.join(", ")}` : ""})` : ""}`,
      ...(code ? { crmCode: code } : {}),
      cause: first,
    });
  }
}
