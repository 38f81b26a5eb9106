import { createEmailNotifier } from "./email-notifier";
import type { Notifier } from "./handoff-notification";
import { parseNotificationSettings } from "./notification-settings";
import { createSlackNotifier } from "./slack-notifier";

export interface CreateNotifiersOptions {
  /** Used in error messages (ids only). */
  connectionId?: string;
  /** Slack Web API base (tests point it at a local server). @default "https://slack.com/api" */
  slackApiBaseUrl?: string;
  /** Per-request timeout for each channel. @default 10000 */
  timeoutMs?: number;
}

/**
 * One notifier per configured channel of a connection; none when nothing is configured. The settings are
 * validated first and every problem is reported together.
 * @example const notifiers = createNotifiers({ slack: { webhookUrl }, email: { smtpUrl, from, to: {} } });
 */
export function createNotifiers(settings: unknown, options: CreateNotifiersOptions = {}): Notifier[] {
  const parsed = parseNotificationSettings(settings);
  const common = {
    ...(options.connectionId ? { connectionId: options.connectionId } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
  const notifiers: Notifier[] = [];
  if (parsed.slack) {
    notifiers.push(
      createSlackNotifier(parsed.slack, {
        ...common,
        ...(options.slackApiBaseUrl ? { apiBaseUrl: options.slackApiBaseUrl } : {}),
      }),
    );
  }
  if (parsed.email) notifiers.push(createEmailNotifier(parsed.email, common));
  return notifiers;
}
