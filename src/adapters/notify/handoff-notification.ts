import type { HandoffCard } from "../../domain/handoff-card";
import { AppError, type NotificationErrorCode } from "../../domain/errors";

export type NotificationChannel = "slack" | "email";

/** One handoff told to a rep: the card plus the links a message points to. */
export interface HandoffNotification {
  /** Opaque id of the handoff (the decision id): message ids and Slack buttons carry only this. */
  handoffId: string;
  card: HandoffCard;
  links: {
    /** The live card (preview page, or the CRM record where the app card lives). */
    card: string;
    /** The record in the CRM. @default card.who.recordUrl */
    record?: string;
  };
}

export interface NotificationReceipt {
  channel: NotificationChannel;
  /** Slack `ts` (bot token) or the e-mail Message-ID; incoming webhooks return none. */
  id?: string;
}

/** A way to tell a rep about a handoff. Each notifier runs as its own job; one failing never blocks another. */
export interface Notifier {
  readonly channel: NotificationChannel;
  /** @throws NotificationError: `retryable` says whether the job should try again. */
  notify(message: HandoffNotification): Promise<NotificationReceipt>;
  /** Releases connections (SMTP pool). */
  close(): Promise<void>;
}

export interface NotificationErrorOptions {
  hint: string;
  retryable: boolean;
  /** Delay the channel asked for (Slack `Retry-After`). */
  retryAfterMs?: number;
  /** The channel cannot work until someone fixes its settings (dead hook, revoked token): disable and alert. */
  disableChannel?: boolean;
  cause?: unknown;
}

/** A notification that did not go out. Messages carry codes and ids, never URLs, tokens or addresses. */
export class NotificationError extends AppError {
  readonly channel: NotificationChannel;
  readonly retryAfterMs: number | undefined;
  readonly disableChannel: boolean;

  constructor(
    channel: NotificationChannel,
    code: NotificationErrorCode,
    message: string,
    options: NotificationErrorOptions,
  ) {
    super(code, message, {
      hint: options.hint,
      retryable: options.retryable,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.channel = channel;
    this.retryAfterMs = options.retryAfterMs;
    this.disableChannel = options.disableChannel ?? false;
  }
}
