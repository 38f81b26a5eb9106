import type { Clock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import type { RateBudgetQueue } from "./rate-budget";

/** What every CRM adapter takes, under the same names, whichever CRM it speaks to. */
export interface CrmAdapterOptions {
  /** Handoff's connection id (errors and logs name it). */
  connectionId: string;
  logger: Logger;
  /** Token expiry, daily-limit resets and caches read this clock. */
  now: Clock;
  /** Shared per connection (see RateBudgetRegistry). @default a new queue sized to the CRM's budget */
  budget?: RateBudgetQueue;
  /** How long a single read or write waits for others to share its batch call. @default 10 (HubSpot), 20 (Salesforce) */
  coalesceWindowMs?: number;
  /** Lead statuses that count as "open" for capacity. @default the CRM's standard open statuses */
  openStatuses?: string[];
}
