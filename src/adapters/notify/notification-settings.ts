import { z } from "zod";
import { AppError } from "../../domain/errors";

const httpUrl = z.url({ protocol: /^https?$/ });

const slackWebhookSchema = z.object({
  /** `https://hooks.slack.com/services/T…/B…/…`: one workspace, one fixed channel. A secret. */
  webhookUrl: httpUrl,
});

const slackBotSchema = z.object({
  /** Bot token (`xoxb-…`) with `chat:write`. A secret. */
  botToken: z.string().regex(/^xox[bp]-/, "expected a Slack bot token starting with xoxb-"),
  /** Channel id (`C…`) the handoffs go to. */
  channel: z.string().min(1),
  /** CRM owner id → Slack user id (`U…`), to mention the rep in the message. */
  mentions: z
    .record(z.string(), z.string().regex(/^[UW][A-Z0-9]+$/, "expected a Slack user id such as U0REP0001"))
    .optional(),
});

const emailSchema = z.object({
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. A secret. */
  smtpUrl: z.url({ protocol: /^smtps?$/ }),
  /** Sender, e.g. `"Handoff <handoff@example.com>"`. */
  from: z.string().min(3),
  /** CRM owner id → the rep's address. @default the owner's e-mail from the CRM */
  to: z.record(z.string(), z.email()).default({}),
  /** Where a handoff goes when the owner has no address (a triage inbox). */
  fallbackTo: z.email().optional(),
});

export const notificationSettingsSchema = z.object({
  slack: z.union([slackWebhookSchema, slackBotSchema]).optional(),
  email: emailSchema.optional(),
});

/** How one connection's handoffs are announced. Stored encrypted per connection: it holds secrets. */
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;
export type SlackSettings = NonNullable<NotificationSettings["slack"]>;
export type EmailSettings = NonNullable<NotificationSettings["email"]>;

/**
 * Validates settings taken from the store or an admin form, listing every problem at once.
 * @throws AppError `invalid_notification_settings` (400)
 */
export function parseNotificationSettings(input: unknown): NotificationSettings {
  const parsed = notificationSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  throw new AppError(
    "invalid_notification_settings",
    `notification settings: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
    {
      hint: "Slack needs either webhookUrl or botToken + channel; e-mail needs smtpUrl (smtp:// or smtps://) and from.",
      details: { issues },
    },
  );
}
