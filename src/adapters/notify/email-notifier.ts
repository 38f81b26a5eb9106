import nodemailer from "nodemailer";
import { buildEmailMessage } from "./email-message";
import type { HandoffNotification, NotificationReceipt, Notifier } from "./handoff-notification";
import { NotificationError } from "./handoff-notification";
import type { EmailSettings } from "./notification-settings";

export interface EmailNotifierOptions {
  /** Used in error messages (ids only). */
  connectionId?: string;
  /** Connect, greeting and socket timeouts. @default 10000 */
  timeoutMs?: number;
}

// reference/slack-and-email.md §7: these are worth another try; everything else is permanent.
const TRANSIENT_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS"]);

interface SmtpError {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
}

function senderDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m?.[1] ?? "handoff.local";
}

/**
 * Sends the handoff by e-mail over SMTP (nodemailer), text and HTML. The Message-ID is stable per handoff
 * (`<handoff.{id}.email@domain>`) so that a duplicate after a retry is recognisable downstream; SMTP itself
 * does not deduplicate. The pool never re-queues: the notification job owns retries.
 * @example const email = createEmailNotifier({ smtpUrl, from: "Handoff <handoff@example.com>", to: {} });
 */
export function createEmailNotifier(settings: EmailSettings, options: EmailNotifierOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError(`Expected \`timeoutMs\` to be an integer ≥ 1, got \`${timeoutMs}\``);
  }
  const transport = nodemailer.createTransport({
    url: settings.smtpUrl,
    pool: true,
    maxConnections: 2,
    maxRequeues: 0,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
    logger: false,
    debug: false,
  });
  const domain = senderDomain(settings.from);
  const where = options.connectionId ? ` for connection ${options.connectionId}` : "";

  function recipient(n: HandoffNotification): string {
    const owner = n.card.owner;
    const to = (owner && settings.to[owner.id]) || owner?.email || settings.fallbackTo;
    if (!to) {
      throw new NotificationError(
        "email",
        "email_no_recipient",
        `owner ${owner?.id ?? "(none)"} has no e-mail address${where} (handoff ${n.handoffId})`,
        {
          hint: "Add the owner to the e-mail settings' `to` mapping or set `fallbackTo`.",
          retryable: false,
        },
      );
    }
    return to;
  }

  async function notify(n: HandoffNotification): Promise<NotificationReceipt> {
    const to = recipient(n);
    const message = buildEmailMessage(n);
    const safeId = n.handoffId.replace(/[^A-Za-z0-9._-]/g, "_");
    try {
      const info = await transport.sendMail({
        from: settings.from,
        to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<handoff.${safeId}.email@${domain}>`,
        headers: { "X-Handoff-Id": n.handoffId },
      });
      return { channel: "email", id: info.messageId };
    } catch (cause) {
      throw classify(cause as SmtpError, `${where} (handoff ${n.handoffId})`, cause);
    }
  }

  return {
    channel: "email",
    notify,
    close: async () => transport.close(),
  };
}

function classify(err: SmtpError, ctx: string, cause: unknown): NotificationError {
  const code = err.code ?? "UNKNOWN";
  const reply = err.responseCode ? ` ${err.responseCode}` : "";
  if (TRANSIENT_CODES.has(code) || err.permanent === false) {
    return new NotificationError("email", "email_unavailable", `SMTP server failed: ${code}${reply}${ctx}`, {
      hint: "The mail server could not be reached or deferred the message; the job retries with backoff.",
      retryable: true,
      cause,
    });
  }
  if (code === "EAUTH") {
    return new NotificationError("email", "email_auth", `SMTP server refused the login${reply}${ctx}`, {
      hint: "Check the user and password in the connection's smtpUrl.",
      retryable: false,
      disableChannel: true,
      cause,
    });
  }
  if (code === "EENVELOPE") {
    return new NotificationError(
      "email",
      "email_rejected",
      `SMTP server refused the sender or recipient${reply}${ctx}`,
      {
        hint: "Check the rep's address in the e-mail settings and that the server lets this account send as `from`.",
        retryable: false,
        cause,
      },
    );
  }
  return new NotificationError("email", "email_failed", `sending the e-mail failed: ${code}${reply}${ctx}`, {
    hint: "See the SMTP server's log for the Message-ID.",
    retryable: false,
    cause,
  });
}
