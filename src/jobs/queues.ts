/** pg-boss queue names, one place. */
export const QUEUES = {
  leadEvent: "lead-event",
  notify: "notify",
  followUp: "follow-up",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface LeadEventJob {
  connectionId: string;
  eventKey: string;
}
