import { createHmac } from "node:crypto";
import { asciiFold, HUBSPOT_DEMO_FORMS, recordFormSubmission } from "./seed";
import { isoNow, nextObjectId, recordPageView, type HubSpotSandboxState } from "./state";

/** One webhook event exactly as HubSpot POSTs it (reference §1.3): ids are numbers, values strings. */
export interface HubSpotWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  sourceId?: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
}

/** The app's subscriptions in the demo portal (ids as HubSpot would number them). */
export const HUBSPOT_DEMO_SUBSCRIPTIONS = {
  "contact.creation": 22,
  "contact.propertyChange:recent_conversion_date": 25,
  "contact.propertyChange:lifecyclestage": 26,
  "contact.propertyChange:hubspot_owner_id": 30,
  "contact.propertyChange:hs_lead_status": 31,
  "contact.propertyChange:hs_analytics_source": 33,
} as const;

export interface HubSpotTrafficOptions {
  state: HubSpotSandboxState;
  /** Where deliveries are POSTed, e.g. `http://127.0.0.1:3000/webhooks/hubspot`. */
  targetUrl: string;
  /**
   * The URL HubSpot "called", which v3 signs: the app's PUBLIC_URL + path. @default targetUrl
   */
  signedUrl?: string;
  /** Signs deliveries. @default the portal's app client secret */
  clientSecret?: string;
  /** Visitor actions per minute while `start()`ed. @default 12 */
  actionsPerMinute?: number;
  /** Events wait this long to share a delivery (max 100 per delivery). @default 500 */
  batchWindowMs?: number;
  /**
   * Delay before retry n (1-based). HubSpot spreads 10 retries over 24 h with jitter; the demo compresses it.
   * @default n => 1000 × 2^(n−1), capped at 60 s
   */
  retryDelayMs?: (attempt: number) => number;
  /** Retries after the first attempt (HubSpot: 10). @default 10 */
  maxRetries?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** For deterministic demos and tests. @default Math.random */
  random?: () => number;
}

export interface TrafficStats {
  eventsQueued: number;
  deliveries: number;
  eventsDelivered: number;
  /** Attempts answered non-2xx or not answered. */
  failedAttempts: number;
  /** Deliveries given up after the last retry (HubSpot drops them too). */
  dropped: number;
}

const FIRST = ["Lena", "Jan", "Marta", "Pau", "Inès", "Noah", "Elif", "Tomás", "Ida", "Luca", "Zoe", "Arne"];
const LAST = ["Krüger", "Serrano", "Petit", "Lang", "Vidal", "Olsen", "Moreau", "Keller", "Ruiz", "Weber"];
const COMPANIES = [
  {
    name: "Bauwerk GmbH",
    domain: "bauwerk.de",
    country: "DE",
    industry: "construction",
    employees: 850,
    zip: "80331",
  },
  {
    name: "MadridSoft S.L.",
    domain: "madridsoft.es",
    country: "ES",
    industry: "software",
    employees: 240,
    zip: "28013",
  },
  {
    name: "Alpenbank AG",
    domain: "alpenbank.ch",
    country: "CH",
    industry: "fintech",
    employees: 1200,
    zip: "8001",
  },
  {
    name: "Kleinbetrieb KG",
    domain: "kleinbetrieb.de",
    country: "DE",
    industry: "retail",
    employees: 12,
    zip: "10115",
  },
  {
    name: "Paris Fintech SAS",
    domain: "paris-fintech.fr",
    country: "FR",
    industry: "fintech",
    employees: 180,
    zip: "75008",
  },
  { name: "", domain: "gmail.com", country: "ES", industry: "", employees: 0, zip: "08001" },
];
const TITLES = [
  "VP Sales",
  "Head of Marketing",
  "Director Revenue Operations",
  "Sales Manager",
  "Student",
  "CEO",
];
const PAGES = [
  { url: "https://www.handoff-demo.example/pricing", title: "Pricing — Handoff" },
  { url: "https://www.handoff-demo.example/product/routing", title: "Lead routing — Handoff" },
  { url: "https://www.handoff-demo.example/demo", title: "Book a demo" },
  { url: "https://www.handoff-demo.example/blog/mql-definition", title: "What is an MQL, really?" },
  { url: "https://www.handoff-demo.example/careers", title: "Careers at Handoff" },
];

/** HubSpot's v3 signature (reference §2): HMAC-SHA256 over method + URI + body + timestamp, base64. */
export function signHubSpotDelivery(secret: string, url: string, body: string, timestamp: number): string {
  return createHmac("sha256", secret).update(`POST${url}${body}${timestamp}`).digest("base64");
}

/**
 * Plays the portal's marketers and visitors: creates contacts, views pages and submits forms in the
 * sandbox's state, and delivers the webhooks HubSpot would send to the app — signed with v3, batched
 * (≤ 100 per POST), retried on any non-2xx with growing delays, `attemptNumber` counting up.
 * A form submission arrives as `contact.propertyChange` of `recent_conversion_date` (reference §1.2);
 * page views send no webhook (HubSpot has none): the app reads them when it scores.
 *
 * @example const traffic = new HubSpotTrafficGenerator({ state, targetUrl: "http://127.0.0.1:3000/webhooks/hubspot" });
 *          traffic.start(); … await traffic.stop();
 */
export class HubSpotTrafficGenerator {
  readonly stats: TrafficStats = {
    eventsQueued: 0,
    deliveries: 0,
    eventsDelivered: 0,
    failedAttempts: 0,
    dropped: 0,
  };
  private readonly state: HubSpotSandboxState;
  private readonly options: HubSpotTrafficOptions;
  private readonly random: () => number;
  private readonly fetch: typeof fetch;
  private pending: HubSpotWebhookEvent[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private actionTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private eventSerial: number;
  private stopped = false;

  constructor(options: HubSpotTrafficOptions) {
    this.options = options;
    this.state = options.state;
    this.random = options.random ?? Math.random;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.eventSerial = 3_816_300_000 + Math.floor(this.random() * 100_000);
    const rate = options.actionsPerMinute ?? 12;
    if (!Number.isFinite(rate) || rate <= 0) {
      throw new RangeError(`Expected \`actionsPerMinute\` to be a number > 0, got \`${rate}\``);
    }
  }

  /** Starts playing visitors at `actionsPerMinute`. */
  start(): void {
    this.stopped = false;
    const every = 60_000 / (this.options.actionsPerMinute ?? 12);
    const tick = (): void => {
      this.act();
      this.actionTimer = setTimeout(tick, every * (0.5 + this.random()));
      this.actionTimer.unref();
    };
    this.actionTimer = setTimeout(tick, Math.min(every, 2_000));
    this.actionTimer.unref();
  }

  /** Stops new actions, sends what is queued, and waits for deliveries in flight (not for scheduled retries). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.actionTimer) clearTimeout(this.actionTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    await this.flush();
  }

  /** One random visitor action: a new lead converting, a known one returning, or just a page view. */
  act(): void {
    const roll = this.random();
    const contacts = [...(this.state.objects.get("contacts")?.keys() ?? [])];
    const known = contacts[Math.floor(this.random() * contacts.length)];
    if (roll < 0.45 || !known) {
      const id = this.createContact();
      this.viewPage(id, this.pick(PAGES).url);
      this.submitForm(id, this.random() < 0.5 ? "contactMe" : this.pick(["demoRequest", "ebook", "webinar"]));
    } else if (roll < 0.75) {
      this.viewPage(known, PAGES[0]!.url);
      this.submitForm(known, this.pick(["contactMe", "demoRequest", "webinar", "ebook"]));
    } else {
      this.viewPage(known, this.pick(PAGES).url);
    }
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** A new contact (as a form would create it). Queues `contact.creation`. Returns its id. */
  createContact(overrides: Record<string, string> = {}): string {
    const first = this.pick(FIRST);
    const last = this.pick(LAST);
    const company = this.pick(COMPANIES);
    const id = nextObjectId(this.state);
    const now = isoNow(this.state);
    const properties: Record<string, string | null> = {
      email: `${asciiFold(first)}.${asciiFold(last)}.${id}@${company.domain}`,
      firstname: first,
      lastname: last,
      company: company.name || null,
      jobtitle: this.pick(TITLES),
      industry: company.industry || null,
      numemployees: company.employees ? String(company.employees) : null,
      country: company.country,
      zip: company.zip,
      lifecyclestage: "lead",
      hs_lead_status: "NEW",
      hs_analytics_source: this.pick(["ORGANIC_SEARCH", "PAID_SEARCH", "PAID_SOCIAL", "EMAIL_MARKETING"]),
      createdate: now,
      lastmodifieddate: now,
      hs_object_id: id,
      ...overrides,
    };
    this.state.objects
      .get("contacts")!
      .set(id, { id, properties, createdAt: now, updatedAt: now, archived: false });
    this.queue("contact.creation", id, { changeFlag: "CREATED", changeSource: "FORM" });
    return id;
  }

  /** A page view (web analytics event + the contact's analytics properties). No webhook, like HubSpot. */
  viewPage(contactId: string, url: string): void {
    const contact = this.state.objects.get("contacts")?.get(contactId);
    if (!contact) return;
    const page = PAGES.find((p) => p.url === url) ?? { url, title: url };
    recordPageView(this.state, contact, {
      id: `pv-${contactId}-${this.state.now()}-${Math.floor(this.random() * 1e6)}`,
      url: page.url,
      title: page.title,
      at: isoNow(this.state),
    });
  }

  /** A form submission: recorded on the form and the contact; queues the `recent_conversion_date` change. */
  submitForm(contactId: string, form: keyof typeof HUBSPOT_DEMO_FORMS): void {
    const contact = this.state.objects.get("contacts")?.get(contactId);
    if (!contact) return;
    const at = this.state.now();
    recordFormSubmission(
      this.state,
      contactId,
      contact.properties,
      HUBSPOT_DEMO_FORMS[form].id,
      at,
      PAGES[2]!.url,
    );
    contact.updatedAt = new Date(at).toISOString();
    this.queue("contact.propertyChange", contactId, {
      propertyName: "recent_conversion_date",
      propertyValue: String(at),
      changeSource: "FORM",
    });
  }

  /** Queues one event for the next delivery. */
  queue(
    subscriptionType: string,
    objectId: string,
    extra: Partial<
      Pick<HubSpotWebhookEvent, "changeFlag" | "changeSource" | "propertyName" | "propertyValue" | "sourceId">
    >,
  ): HubSpotWebhookEvent {
    const key = extra.propertyName ? `${subscriptionType}:${extra.propertyName}` : subscriptionType;
    this.eventSerial += 1;
    const event: HubSpotWebhookEvent = {
      eventId: this.eventSerial,
      subscriptionId: (HUBSPOT_DEMO_SUBSCRIPTIONS as Record<string, number>)[key] ?? 99,
      portalId: this.state.portalId,
      appId: this.state.appId,
      occurredAt: this.state.now(),
      subscriptionType,
      attemptNumber: 0,
      objectId: Number(objectId),
      changeSource: extra.changeSource ?? "CRM",
      ...extra,
    };
    this.pending.push(event);
    this.stats.eventsQueued += 1;
    if (this.pending.length >= 100) void this.flush();
    else if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => void this.flush(), this.options.batchWindowMs ?? 500);
      this.batchTimer.unref();
    }
    return event;
  }

  /** Sends everything queued now (batches of ≤ 100) and waits for those first attempts. */
  async flush(): Promise<void> {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, 100);
      this.track(this.deliver(batch, 0));
    }
    await Promise.all([...this.inflight]);
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async deliver(events: HubSpotWebhookEvent[], attempt: number): Promise<void> {
    const body = JSON.stringify(events.map((e) => ({ ...e, attemptNumber: attempt })));
    const timestamp = Date.now();
    const secret = this.options.clientSecret ?? this.state.clientSecret;
    const signed = this.options.signedUrl ?? this.options.targetUrl;
    let ok = false;
    try {
      const res = await this.fetch(this.options.targetUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "HubSpot Connect 2.0 (handoff sandbox)",
          "x-hubspot-signature-v3": signHubSpotDelivery(secret, signed, body, timestamp),
          "x-hubspot-request-timestamp": String(timestamp),
          "x-hubspot-timeout-millis": "5000",
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      ok = res.status >= 200 && res.status < 300;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      ok = false;
    }
    this.stats.deliveries += 1;
    if (ok) {
      this.stats.eventsDelivered += events.length;
      return;
    }
    this.stats.failedAttempts += 1;
    const maxRetries = this.options.maxRetries ?? 10;
    if (attempt >= maxRetries || this.stopped) {
      if (attempt >= maxRetries) this.stats.dropped += 1;
      else this.pending.unshift(...events);
      return;
    }
    const delay = (this.options.retryDelayMs ?? ((n: number) => Math.min(60_000, 1000 * 2 ** (n - 1))))(
      attempt + 1,
    );
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.track(this.deliver(events, attempt + 1));
    }, delay);
    timer.unref();
    this.retryTimers.add(timer);
  }

  /** Events waiting for their next attempt or batch. */
  get backlog(): number {
    return this.pending.length + this.retryTimers.size;
  }
}
