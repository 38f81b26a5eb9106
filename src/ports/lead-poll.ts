/**
 * How far the poll of changed leads has read, per connection (for CRM accounts that cannot push changes). The
 * watermark is the newest change stored so far, in the CRM's own clock, and survives restarts.
 */
export interface LeadPollWatermarks {
  /** The newest change stored for the connection; null before its first poll. */
  get(connectionId: string): Promise<string | null>;
  /** Moves the watermark forward to `modifiedAt` (never back) and records when the poll ran. */
  advance(connectionId: string, modifiedAt: string, polledAt: Date): Promise<void>;
}
