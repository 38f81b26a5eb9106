import { convertLead, type LeadConvertInput, type LeadConvertResult } from "./convert-lead";
import { fieldOf, objectOrThrow, prepareCreate, prepareUpdate } from "./records";
import { salesforceId } from "./ids";
import { SALESFORCE_DEMO_USERS } from "./seed";
import { hasOutboundMessages, type SalesforceSandboxState, type SObjectRecord } from "./state";

/** Salesforce puts 1–100 notifications in one outbound message. */
export const MAX_NOTIFICATIONS_PER_MESSAGE = 100;

/** The fields the demo Flow's outbound message sends (as in reference/salesforce-vectors.json, plus scoring fields). */
export const DEFAULT_OUTBOUND_FIELDS = [
  "Company",
  "ConvertedAccountId",
  "ConvertedContactId",
  "ConvertedOpportunityId",
  "Country",
  "CountryCode",
  "Email",
  "FirstName",
  "Industry",
  "IsConverted",
  "LastName",
  "LeadSource",
  "NumberOfEmployees",
  "OwnerId",
  "PostalCode",
  "Status",
  "Title",
];

export interface OutboundNotificationInput {
  /** Notification id (`04l…`): Salesforce's dedupe key, new per notification, reused on redelivery. */
  id: string;
  record: SObjectRecord;
}

export interface OutboundMessageInput {
  orgId: string;
  /** The outbound message definition (`04k…`). */
  actionId: string;
  /** Base for EnterpriseUrl/PartnerUrl, e.g. the instance URL. */
  instanceUrl: string;
  /** @default "66.0" */
  apiVersion?: string;
  /** Fields after `Id`, sent in API-name order; null/absent fields are omitted, as Salesforce does. */
  fields?: string[];
  notifications: OutboundNotificationInput[];
}

function xmlEscape(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Salesforce renders values as text: currency/double with a decimal point, datetimes in UTC with `Z`. */
function renderValue(state: SalesforceSandboxState | undefined, name: string, value: unknown): string {
  const field = state ? fieldOf(objectOrThrow(state, "Lead"), name) : undefined;
  if (typeof value === "number") {
    if ((field?.type === "currency" || field?.type === "double") && Number.isInteger(value))
      return `${value}.0`;
    return String(value);
  }
  if (typeof value === "string" && field?.type === "datetime") {
    return new Date(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")).toISOString();
  }
  return String(value);
}

/**
 * The SOAP 1.1 body of one outbound message, byte-for-byte in the layout of reference/salesforce-vectors.json
 * (XML declaration, `soapenv`/`xsd`/`xsi`, `notifications` in the outbound namespace, one `Notification` per
 * record with `sf:Id` first and then the fields in API-name order).
 */
export function buildOutboundMessage(input: OutboundMessageInput, state?: SalesforceSandboxState): string {
  if (input.notifications.length < 1 || input.notifications.length > MAX_NOTIFICATIONS_PER_MESSAGE) {
    throw new Error(
      `Expected 1–${MAX_NOTIFICATIONS_PER_MESSAGE} notifications, got ${input.notifications.length}`,
    );
  }
  const version = input.apiVersion ?? "66.0";
  const org15 = input.orgId.slice(0, 15);
  const fields = [...(input.fields ?? DEFAULT_OUTBOUND_FIELDS)].filter((f) => f !== "Id").sort();
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    ` <soapenv:Body>`,
    `  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">`,
    `   <OrganizationId>${xmlEscape(input.orgId)}</OrganizationId>`,
    `   <ActionId>${xmlEscape(input.actionId)}</ActionId>`,
    `   <SessionId xsi:nil="true"/>`,
    `   <EnterpriseUrl>${xmlEscape(`${input.instanceUrl}/services/Soap/c/${version}/${org15}`)}</EnterpriseUrl>`,
    `   <PartnerUrl>${xmlEscape(`${input.instanceUrl}/services/Soap/u/${version}/${org15}`)}</PartnerUrl>`,
  ];
  for (const n of input.notifications) {
    lines.push(`   <Notification>`, `    <Id>${xmlEscape(n.id)}</Id>`);
    lines.push(`    <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">`);
    lines.push(`     <sf:Id>${xmlEscape(n.record.Id)}</sf:Id>`);
    for (const name of fields) {
      const value = n.record[name];
      if (value === null || value === undefined || value === "") continue;
      lines.push(`     <sf:${name}>${xmlEscape(renderValue(state, name, value))}</sf:${name}>`);
    }
    lines.push(`    </sObject>`, `   </Notification>`);
  }
  lines.push(`  </notifications>`, ` </soapenv:Body>`, `</soapenv:Envelope>`);
  return `${lines.join("\n")}\n`;
}

/** A 2xx answer only counts when it carries `<Ack>true</Ack>` in `notificationsResponse`. */
export function isOutboundAck(status: number, body: string): boolean {
  return (
    status >= 200 &&
    status < 300 &&
    /<(?:\w+:)?notificationsResponse\b[^>]*>\s*<(?:\w+:)?Ack>\s*true\s*<\/(?:\w+:)?Ack>/.test(body)
  );
}

export interface DeliveryOptions {
  /** Attempts before the message is dropped (Salesforce: 24 h of retries). @default 8 */
  maxAttempts?: number;
  /** First retry delay; doubles each time up to `maxDelayMs` (Salesforce: up to 2 h). @default 1000 */
  initialDelayMs?: number;
  /** @default 120000 */
  maxDelayMs?: number;
  /** Salesforce gives up on a response after 60 s. @default 60000 */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** How the message is sent (the demo history hands it to Handoff's intake in-process). @default fetch */
  fetch?: typeof fetch;
}

export interface DeliveryResult {
  acked: boolean;
  attempts: number;
  lastStatus: number | undefined;
}

/**
 * POSTs one outbound message the way Salesforce does and retries with exponential backoff until the
 * receiver answers 200 with an Ack (non-2xx, a missing Ack, a timeout or a refused connection all retry).
 */
export async function deliverOutboundMessage(
  url: string,
  body: string,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const maxAttempts = options.maxAttempts ?? 8;
  const maxDelay = options.maxDelayMs ?? 120_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delay = options.initialDelayMs ?? 1000;
  let lastStatus: number | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      const res = await (options.fetch ?? fetch)(url, {
        method: "POST",
        headers: {
          "content-type": "text/xml; charset=utf-8",
          soapaction: '""',
          "user-agent": "Jakarta Commons-HttpClient/3.1",
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
      lastStatus = res.status;
      if (isOutboundAck(res.status, await res.text())) return { acked: true, attempts: attempt, lastStatus };
    } catch {
      lastStatus = undefined;
    }
    if (attempt < maxAttempts) {
      await sleep(delay);
      delay = Math.min(maxDelay, delay * 2);
    }
  }
  return { acked: false, attempts: maxAttempts, lastStatus };
}

export interface SalesforceTrafficOptions {
  /** `<app>/webhooks/salesforce/:connectionId/:token` */
  webhookUrl: string;
  /** Instance URL used in EnterpriseUrl/PartnerUrl. */
  instanceUrl: string;
  /** @default "04k5g0000000Hof1AAC"-style id of the demo Flow's outbound message */
  actionId?: string;
  fields?: string[];
  delivery?: DeliveryOptions;
  /** Pick of 0..1 numbers (tests pass a seeded one). @default Math.random */
  random?: () => number;
  /**
   * Share of acknowledged messages delivered once more, byte for byte (same notification ids): Salesforce
   * delivers "usually once but sometimes more than once", and the app must not act twice. @default 0
   */
  redeliverShare?: number;
}

export interface SalesforceTrafficStats {
  messagesSent: number;
  messagesAcked: number;
  messagesDropped: number;
  /** Acknowledged messages sent again on purpose (`redeliverShare`). */
  messagesRedelivered: number;
  notificationsSent: number;
  deliveryAttempts: number;
}

export interface SalesforceTrafficGenerator {
  /** A marketer's web-to-lead form creates a Lead (queued for notification). Returns the Lead id. */
  createLead(fields?: Record<string, unknown>): string;
  /** A change in the CRM (e.g. a rep sets Status) that the Flow notifies about. */
  updateLead(leadId: string, fields: Record<string, unknown>): void;
  /**
   * A rep converts the Lead (to an Account, a Contact and an Opportunity unless `doNotCreateOpportunity`). The Flow
   * runs on the conversion only where the org's Lead Settings "Require Validation for Converted Leads" is on
   * (`LeadConfigSettings.shouldLeadConvertRequireValidation`); `notify: false` models an org without it.
   */
  convertLead(input: LeadConvertInput & { by?: string }, options?: { notify?: boolean }): LeadConvertResult;
  /** Queues a notification for a Lead as it is now. */
  notify(leadId: string): void;
  /** Sends what is queued: batches of ≤ 100 notifications, each retried until acked or dropped. */
  flush(): Promise<DeliveryResult[]>;
  /** Every `intervalMs`: creates `leadsPerTick` leads and flushes. */
  start(intervalMs: number, leadsPerTick?: number): void;
  stop(): Promise<void>;
  readonly stats: SalesforceTrafficStats;
}

const FIRST = ["Ana", "Jonas", "Marie", "Luis", "Sara", "David", "Eva", "Tom", "Alba", "Nils"];
const LAST = ["Meyer", "Serrano", "Bernard", "Kovač", "Moreno", "Lang", "Roux", "Baker", "Vidal", "Krüger"];
const COMPANIES: [string, string, string, string, string, string, number][] = [
  ["Bauwerk GmbH", "bauwerk.de", "Germany", "DE", "80331", "Construction", 850],
  ["MadridSoft", "madridsoft.es", "Spain", "ES", "28013", "Software", 310],
  ["Rhein Cloud AG", "rhein-cloud.de", "Germany", "DE", "50667", "Technology", 240],
  ["Catalunya Pay", "catalunyapay.es", "Spain", "ES", "08002", "Finance", 180],
  ["Seine Data", "seinedata.fr", "France", "FR", "75008", "Software", 90],
  ["Wiener Werke", "wienerwerke.at", "Austria", "AT", "1030", "Manufacturing", 1300],
];
const TITLES = ["VP Sales", "Head of Operations", "Director IT", "Student", "CTO", "Marketing Manager"];

/**
 * The Salesforce side of the traffic generator: plays web-to-lead forms and CRM edits on the sandbox org and
 * delivers SOAP outbound messages to the app exactly as a record-triggered Flow does (≤ 100 notifications per
 * message, retried with backoff on non-2xx or a missing Ack). Lead values are read at send time, so a record
 * edited while queued goes out with its latest values, as in Salesforce.
 */
export function createSalesforceTrafficGenerator(
  state: SalesforceSandboxState,
  options: SalesforceTrafficOptions,
): SalesforceTrafficGenerator {
  const random = options.random ?? Math.random;
  const share = options.redeliverShare ?? 0;
  if (!(share >= 0 && share <= 1)) throw new Error(`Expected \`redeliverShare\` in [0, 1], got \`${share}\``);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length) % list.length] as T;
  const lead = objectOrThrow(state, "Lead");
  const actionId = options.actionId ?? salesforceId("04k", 1);
  const queue: string[] = [];
  let notificationSerial = 0;
  let timer: NodeJS.Timeout | undefined;
  const inflight = new Set<Promise<unknown>>();
  const stats: SalesforceTrafficStats = {
    messagesSent: 0,
    messagesAcked: 0,
    messagesDropped: 0,
    messagesRedelivered: 0,
    notificationsSent: 0,
    deliveryAttempts: 0,
  };
  // The web-to-lead user; Flow notifications do not depend on who wrote.
  const ctx = { autoAssignOff: false, userId: SALESFORCE_DEMO_USERS.maria };

  const generator: SalesforceTrafficGenerator = {
    stats,
    createLead(fields = {}) {
      const [company, domain, country, code, postal, industry, employees] = pick(COMPANIES);
      const first = pick(FIRST);
      const last = pick(LAST);
      const local = `${first}.${last}`
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase();
      const id = prepareCreate(
        state,
        lead,
        {
          FirstName: first,
          LastName: last,
          Email: `${local}.${Math.floor(random() * 1e6)}@${domain}`,
          Company: company,
          Title: pick(TITLES),
          Industry: industry,
          NumberOfEmployees: employees,
          Country: country,
          CountryCode: code,
          PostalCode: postal,
          LeadSource: "Web",
          Status: "Open - Not Contacted",
          ...fields,
        },
        ctx,
      ).commit();
      queue.push(id);
      return id;
    },
    updateLead(leadId, fields) {
      const update = prepareUpdate(state, lead, leadId, fields, { ...ctx, autoAssignOff: true });
      update.commit();
      queue.push(update.id);
    },
    convertLead({ by, ...input }, { notify = true } = {}) {
      const result = convertLead(state, input, { autoAssignOff: true, userId: by ?? ctx.userId });
      if (notify) queue.push(result.leadId);
      return result;
    },
    notify(leadId) {
      queue.push(leadId);
    },
    async flush() {
      // Professional Edition has no outbound messages: the changes happen, nobody is told.
      if (!hasOutboundMessages(state.edition)) {
        queue.length = 0;
        return [];
      }
      const batches: OutboundNotificationInput[][] = [];
      while (queue.length > 0) {
        const ids = queue.splice(0, MAX_NOTIFICATIONS_PER_MESSAGE);
        const notifications = ids.flatMap((id) => {
          const record = state.records.get("Lead")?.get(id);
          // A record deleted before delivery: nothing to send for it here.
          return record ? [{ id: salesforceId("04l", ++notificationSerial), record }] : [];
        });
        if (notifications.length > 0) batches.push(notifications);
      }
      const results = await Promise.all(
        batches.map(async (notifications) => {
          const body = buildOutboundMessage(
            {
              orgId: state.orgId,
              actionId,
              instanceUrl: options.instanceUrl,
              notifications,
              ...(options.fields ? { fields: options.fields } : {}),
            },
            state,
          );
          stats.messagesSent++;
          stats.notificationsSent += notifications.length;
          const result = await deliverOutboundMessage(options.webhookUrl, body, options.delivery);
          stats.deliveryAttempts += result.attempts;
          if (result.acked) stats.messagesAcked++;
          else stats.messagesDropped++;
          if (result.acked && random() < (options.redeliverShare ?? 0)) {
            stats.messagesRedelivered++;
            const again = await deliverOutboundMessage(options.webhookUrl, body, options.delivery);
            stats.deliveryAttempts += again.attempts;
          }
          return result;
        }),
      );
      return results;
    },
    start(intervalMs, leadsPerTick = 1) {
      if (!(intervalMs >= 10)) throw new Error(`Expected \`intervalMs\` ≥ 10, got \`${intervalMs}\``);
      timer ??= setInterval(() => {
        for (let i = 0; i < leadsPerTick; i++) generator.createLead();
        const p = generator.flush().catch(() => []);
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }, intervalMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.all(inflight);
    },
  };
  return generator;
}
