import type { AppError } from "../../domain/errors";
import type { CreatedTask } from "../../ports/crm";
import { translateCrmError } from "../crm-errors";
import { salesforceErrorCode, statusOfSalesforceCode, type SalesforceClient } from "./salesforce-client";
import { HANDOFF_TASK_DECISION_FIELD, soqlString, type SalesforceRecord } from "./salesforce-mapper";

/** sObject Collections take at most 200 records; Composite at most 25 subrequests, counted as one call. */
const COLLECTION_MAX = 200;
const COMPOSITE_MAX = 25;

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: AppError): void;
}

interface PendingLead {
  fields: SalesforceRecord;
  waiters: Waiter<void>[];
}

interface PendingTask {
  leadId: string;
  record: SalesforceRecord;
  waiters: Waiter<CreatedTask>[];
}

interface SaveError {
  statusCode?: unknown;
  errorCode?: unknown;
  message?: unknown;
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
  connectionId: string;
}

type Subrequest =
  { kind: "leads"; items: [string, PendingLead][] } | { kind: "tasks"; items: [string, PendingTask][] };

/**
 * Folds concurrent lead updates and follow-up task creates into as few calls as possible: lead updates
 * become `PATCH /composite/sobjects` (200 per subrequest), tasks `POST /composite/sobjects`, and both go in
 * one `POST /composite` (25 subrequests = one API call). Every lead write carries `Sforce-Auto-Assign: FALSE`,
 * so the org's assignment rule does not overwrite the owner Handoff chose. Tasks are created once per
 * decision: a retried flush first looks the decision ids up (Task.Handoff_Decision_Id__c).
 */
export class SalesforceWriter {
  private leads = new Map<string, PendingLead>();
  private tasks = new Map<string, PendingTask>();
  private timer: NodeJS.Timeout | undefined;
  /** Decision id → task id created by this process (answers in-process retries without a query). */
  private readonly createdTasks = new Map<string, CreatedTask>();
  private readonly windowMs: number;

  constructor(
    private readonly client: SalesforceClient,
    private readonly options: SalesforceWriterOptions,
  ) {
    this.windowMs = options.windowMs ?? 20;
    if (!(this.windowMs >= 0)) throw new Error(`Expected \`windowMs\` ≥ 0, got \`${this.windowMs}\``);
  }

  updateLead(leadId: string, fields: SalesforceRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      const pending = this.leads.get(leadId);
      if (pending) {
        // Two updates for one lead in one window: the later fields win, both callers get the outcome.
        Object.assign(pending.fields, fields);
        pending.waiters.push({ resolve, reject });
      } else {
        this.leads.set(leadId, { fields: { ...fields }, waiters: [{ resolve, reject }] });
      }
      this.schedule(this.leads.size >= COLLECTION_MAX);
    });
  }

  createTask(decisionId: string, leadId: string, record: SalesforceRecord): Promise<CreatedTask> {
    const done = this.createdTasks.get(decisionId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const pending = this.tasks.get(decisionId);
      if (pending) pending.waiters.push({ resolve, reject });
      else this.tasks.set(decisionId, { leadId, record, waiters: [{ resolve, reject }] });
      this.schedule(this.tasks.size >= COLLECTION_MAX);
    });
  }

  private schedule(now: boolean): void {
    if (now) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
  }

  /** Sends everything pending now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const leads = [...this.leads];
    const tasks = [...this.tasks];
    this.leads = new Map();
    this.tasks = new Map();
    if (leads.length === 0 && tasks.length === 0) return;

    let newTasks = tasks;
    if (tasks.length > 0) {
      try {
        newTasks = await this.withoutExistingTasks(tasks);
      } catch (err) {
        const error = this.client.translate(err, "task lookup");
        for (const [, t] of tasks) for (const w of t.waiters) w.reject(error);
        newTasks = [];
      }
    }
    const subrequests: Subrequest[] = [];
    for (let i = 0; i < leads.length; i += COLLECTION_MAX) {
      subrequests.push({ kind: "leads", items: leads.slice(i, i + COLLECTION_MAX) });
    }
    for (let i = 0; i < newTasks.length; i += COLLECTION_MAX) {
      subrequests.push({ kind: "tasks", items: newTasks.slice(i, i + COLLECTION_MAX) });
    }
    const calls: Promise<void>[] = [];
    for (let i = 0; i < subrequests.length; i += COMPOSITE_MAX)
      calls.push(this.send(subrequests.slice(i, i + COMPOSITE_MAX)));
    await Promise.all(calls);
  }

  /** Resolves tasks that already exist for their decision; returns the rest. */
  private async withoutExistingTasks(tasks: [string, PendingTask][]): Promise<[string, PendingTask][]> {
    const ids = tasks.map(([decisionId]) => soqlString(decisionId)).join(", ");
    const result = await this.client.request<{ records: SalesforceRecord[] }>({
      method: "GET",
      path: `/query?q=${encodeURIComponent(
        `SELECT Id, WhoId, ${HANDOFF_TASK_DECISION_FIELD} FROM Task WHERE ${HANDOFF_TASK_DECISION_FIELD} IN (${ids})`,
      )}`,
    });
    const existing = new Map<string, CreatedTask>();
    for (const row of result.records) {
      existing.set(String(row[HANDOFF_TASK_DECISION_FIELD]), {
        id: String(row.Id),
        leadId: String(row.WhoId),
      });
    }
    return tasks.filter(([decisionId, task]) => {
      const found = existing.get(decisionId);
      if (!found) return true;
      this.createdTasks.set(decisionId, found);
      for (const w of task.waiters) w.resolve(found);
      return false;
    });
  }

  private body(sub: Subrequest): Record<string, unknown> {
    if (sub.kind === "leads") {
      return {
        allOrNone: false,
        records: sub.items.map(([id, lead]) => ({ attributes: { type: "Lead" }, id, ...lead.fields })),
      };
    }
    return {
      allOrNone: false,
      records: sub.items.map(([, task]) => ({ attributes: { type: "Task" }, ...task.record })),
    };
  }

  private async send(subrequests: Subrequest[]): Promise<void> {
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
        const base = `/services/data/v${this.client.version}/composite/sobjects`;
        const result = await this.client.request<{ compositeResponse: CompositeSubresponse[] }>({
          method: "POST",
          path: "/composite",
          headers,
          body: {
            allOrNone: false,
            compositeRequest: subrequests.map((sub, i) => ({
              method: sub.kind === "leads" ? "PATCH" : "POST",
              url: base,
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
      for (const sub of subrequests)
        for (const [, item] of sub.items) for (const w of item.waiters) w.reject(error);
      return;
    }
    subrequests.forEach((sub, i) =>
      this.settle(
        sub,
        responses.find((r) => r.referenceId === `r${i}`),
      ),
    );
  }

  private settle(sub: Subrequest, response: CompositeSubresponse | undefined): void {
    const results =
      response && response.httpStatusCode < 300 && Array.isArray(response.body)
        ? (response.body as SaveResult[])
        : undefined;
    const wholeError = results ? undefined : this.subrequestError(response);
    sub.items.forEach(([key, item], index) => {
      const result = results?.[index];
      const error =
        wholeError ?? (result?.success === true ? undefined : this.recordError(result, sub.kind, key));
      if (sub.kind === "leads") {
        for (const w of (item as PendingLead).waiters) {
          if (error) w.reject(error);
          else w.resolve();
        }
        return;
      }
      const task = item as PendingTask;
      if (error) {
        for (const w of task.waiters) w.reject(error);
        return;
      }
      const created = { id: String(result?.id), leadId: task.leadId };
      this.createdTasks.set(key, created);
      for (const w of task.waiters) w.resolve(created);
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
  private recordError(result: SaveResult | undefined, kind: Subrequest["kind"], key: string): AppError {
    const first = result?.errors?.[0];
    const code =
      typeof first?.statusCode === "string"
        ? first.statusCode
        : (salesforceErrorCode(first) ??
          (typeof first?.errorCode === "string" ? first.errorCode : undefined));
    const what = kind === "leads" ? `update of lead ${key}` : `task for decision ${key}`;
    return translateCrmError({
      crm: "salesforce",
      // Lock contention is transient (retryable); any other per-record refusal is a validation error.
      status: statusOfSalesforceCode(code) ?? (code === "UNABLE_TO_LOCK_ROW" ? undefined : 400),
      message: `${what} refused${code ? ` (${code})` : ""}${typeof first?.message === "string" ? `: ${first.message}` : ""}`,
      ...(code ? { crmCode: code } : {}),
    });
  }
}
