import type { HandoffNotification, NotificationReceipt, Notifier } from "./handoff-notification";
import { NotificationError } from "./handoff-notification";
import type { SlackSettings } from "./notification-settings";
import { buildSlackMessage } from "./slack-message";

export interface SlackNotifierOptions {
  /** Web API base. @default "https://slack.com/api" */
  apiBaseUrl?: string;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** Used in error messages (ids only). */
  connectionId?: string;
}

// reference/slack-and-email.md §1: the hook is gone or its channel is unusable; retrying cannot help.
const DEAD_HOOK = new Set([
  "no_service",
  "no_service_id",
  "no_active_hooks",
  "invalid_token",
  "no_team",
  "team_disabled",
  "action_prohibited",
  "channel_not_found",
  "channel_is_archived",
  "posting_to_general_channel_denied",
]);
// §2: the installation is broken (token revoked, scope missing): reinstall.
const BROKEN_AUTH = new Set([
  "invalid_auth",
  "not_authed",
  "token_revoked",
  "token_expired",
  "account_inactive",
  "missing_scope",
]);
// §2: Slack's own trouble; try again later.
const TRANSIENT = new Set([
  "ratelimited",
  "rate_limited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
]);
const CHANNEL_UNUSABLE = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "messages_tab_disabled",
]);

/**
 * Posts the handoff to Slack, by incoming webhook (one fixed channel) or by bot token with `chat.postMessage`.
 * Slack's own retries are not used: the notification job retries when the error says `retryable`.
 * @example const slack = createSlackNotifier({ botToken, channel: "C0HANDOFF" });
 */
export function createSlackNotifier(settings: SlackSettings, options: SlackNotifierOptions = {}): Notifier {
  const apiBaseUrl = (options.apiBaseUrl ?? "https://slack.com/api").replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError(`Expected \`timeoutMs\` to be an integer ≥ 1, got \`${timeoutMs}\``);
  }
  const where = options.connectionId ? ` for connection ${options.connectionId}` : "";

  async function post(url: string, headers: Record<string, string>, body: unknown, handoffId: string) {
    try {
      return await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const timedOut = cause instanceof Error && cause.name === "TimeoutError";
      throw new NotificationError(
        "slack",
        "slack_unavailable",
        `Slack ${timedOut ? `did not answer within ${timeoutMs} ms` : "could not be reached"}${where} (handoff ${handoffId})`,
        {
          hint: "The job retries with backoff; check outbound HTTPS from this server.",
          retryable: true,
          cause,
        },
      );
    }
  }

  function httpFailure(res: Response, errorCode: string, handoffId: string): NotificationError {
    const ctx = `${where} (handoff ${handoffId})`;
    if (res.status === 429) {
      const seconds = Number(res.headers.get("retry-after"));
      return new NotificationError("slack", "slack_rate_limited", `Slack rate limit reached${ctx}`, {
        hint: "Slack allows about one message per second per channel; the job waits and retries.",
        retryable: true,
        retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000,
      });
    }
    if (res.status >= 500) {
      return new NotificationError("slack", "slack_unavailable", `Slack answered HTTP ${res.status}${ctx}`, {
        hint: "Slack had trouble; the job retries with backoff.",
        retryable: true,
      });
    }
    if (
      DEAD_HOOK.has(errorCode) ||
      errorCode.startsWith("channel_") ||
      res.status === 404 ||
      res.status === 410
    ) {
      return new NotificationError(
        "slack",
        "slack_hook_dead",
        `Slack incoming webhook refused the message: ${errorCode || `HTTP ${res.status}`}${ctx}`,
        {
          hint: "The webhook was revoked or its channel archived. Create a new incoming webhook and save it in the connection's notification settings.",
          retryable: false,
          disableChannel: true,
        },
      );
    }
    return new NotificationError(
      "slack",
      "slack_rejected",
      `Slack rejected the message: ${errorCode || `HTTP ${res.status}`}${ctx}`,
      {
        hint: "Handoff built a message Slack does not accept; report this with the handoff id.",
        retryable: false,
      },
    );
  }

  async function viaWebhook(webhookUrl: string, n: HandoffNotification): Promise<NotificationReceipt> {
    const res = await post(webhookUrl, {}, buildSlackMessage(n), n.handoffId);
    const body = (await res.text().catch(() => "")).trim();
    if (res.status === 200) return { channel: "slack" };
    // Slack answers webhook errors as a short plain-text code; keep it only when it looks like one.
    throw httpFailure(res, /^[a-z_]{1,64}$/.test(body) ? body : "", n.handoffId);
  }

  async function viaBot(
    bot: Extract<SlackSettings, { botToken: string }>,
    n: HandoffNotification,
  ): Promise<NotificationReceipt> {
    const ownerId = n.card.owner?.id;
    const mention = ownerId ? bot.mentions?.[ownerId] : undefined;
    const message = buildSlackMessage(n, mention);
    const res = await post(
      `${apiBaseUrl}/chat.postMessage`,
      { authorization: `Bearer ${bot.botToken}` },
      { channel: bot.channel, ...message, unfurl_links: false, unfurl_media: false },
      n.handoffId,
    );
    const ctx = `${where} (handoff ${n.handoffId})`;
    if (res.status !== 200) throw httpFailure(res, "", n.handoffId);
    const body = (await res.json().catch(() => null)) as { ok?: boolean; error?: string; ts?: string } | null;
    if (body?.ok === true) return { channel: "slack", ...(body.ts ? { id: body.ts } : {}) };
    const error = typeof body?.error === "string" ? body.error.slice(0, 64) : "unreadable_response";
    if (TRANSIENT.has(error) || error === "unreadable_response") {
      throw new NotificationError(
        "slack",
        "slack_unavailable",
        `Slack chat.postMessage failed: ${error}${ctx}`,
        {
          hint: "Slack had trouble; the job retries with backoff.",
          retryable: true,
        },
      );
    }
    if (BROKEN_AUTH.has(error)) {
      throw new NotificationError("slack", "slack_auth", `Slack refused the bot token: ${error}${ctx}`, {
        hint: "Reinstall the Slack app (scope chat:write) and save the new bot token in the connection's notification settings.",
        retryable: false,
        disableChannel: true,
      });
    }
    if (CHANNEL_UNUSABLE.has(error)) {
      throw new NotificationError(
        "slack",
        "slack_channel_unusable",
        `Slack cannot post to the channel: ${error}${ctx}`,
        {
          hint: "Invite the Handoff app to the channel (/invite @Handoff) or choose another channel id.",
          retryable: false,
          disableChannel: true,
        },
      );
    }
    throw new NotificationError("slack", "slack_rejected", `Slack rejected the message: ${error}${ctx}`, {
      hint: "Handoff built a message Slack does not accept; report this with the handoff id.",
      retryable: false,
    });
  }

  return {
    channel: "slack",
    notify: (n) => ("webhookUrl" in settings ? viaWebhook(settings.webhookUrl, n) : viaBot(settings, n)),
    close: async () => {},
  };
}
