import type { ConnectionStore } from "../ports/connections";
import type { LeadStore } from "../ports/leads";
import { createNotifiers } from "../adapters/notify/create-notifiers";
import { NotificationError, type NotificationChannel } from "../adapters/notify/handoff-notification";
import { buildHandoffCard } from "../domain/handoff-card";
import { liveCardInput } from "../app/get-handoff-card";
import type { Logger } from "../ports/logger";
import type { Boss } from "./boss";
import { QUEUES } from "../adapters/postgres/queues";
import type { Clock } from "../ports/clock";

export interface NotifyJob {
  connectionId: string;
  handoffId: string;
  channel: NotificationChannel;
}

export interface NotifyDeps {
  boss: Boss;
  connections: ConnectionStore;
  leads: LeadStore;
  logger: Logger;
  publicUrl: string;
  /** A link to the live card that works for the rep (signed). @default the plain preview URL */
  /** The card link in a message; `ownerId` is who it is sent to (what they may decide on the card). */
  cardLink?: (connectionId: string, leadId: string, ownerId?: string) => string;
  /** Slack Web API base (tests point it at a local server). */
  slackApiBaseUrl?: string;
  /** What time it is (the card shown in the message is built for this instant). */
  now: Clock;
}

/** Channels configured for a connection. */
export async function configuredChannels(
  connections: ConnectionStore,
  connectionId: string,
): Promise<NotificationChannel[]> {
  const settings = (await connections.getNotificationSettings(connectionId)) as Record<string, unknown>;
  return (["slack", "email"] as const).filter((c) => settings[c] !== undefined);
}

/**
 * Enqueues one job per configured channel, once per handoff: the ledger row is claimed first, so a
 * redelivered or replayed event never sends a second message.
 */
export function createNotify(deps: NotifyDeps) {
  return async (connectionId: string, handoffId: string): Promise<void> => {
    for (const channel of await configuredChannels(deps.connections, connectionId)) {
      if (await deps.leads.claimNotification(connectionId, handoffId, channel)) {
        await deps.boss.send(QUEUES.notify, { connectionId, handoffId, channel } satisfies NotifyJob, {
          retryLimit: 5,
          retryDelay: 5,
          retryBackoff: true,
        });
      }
    }
  };
}

/** Sends each channel's message as its own job: a failing channel retries alone and never blocks the handoff. */
export async function startNotifyWorker(deps: NotifyDeps): Promise<{ stop(): Promise<void> }> {
  const now = deps.now;
  const id = await deps.boss.work<NotifyJob>(QUEUES.notify, { localConcurrency: 4 }, async ([job]) => {
    if (!job) return;
    const { connectionId, handoffId, channel } = job.data;
    const log = deps.logger.child({ connectionId, handoffId, channel });
    const status = await deps.leads.notificationStatus(connectionId, handoffId, channel);
    if (status?.status === "sent") return;
    const handoff = await deps.leads.getHandoff(connectionId, handoffId);
    if (!handoff) return;
    const settings = await deps.connections.getNotificationSettings(connectionId);
    const notifier = createNotifiers(settings, {
      connectionId,
      ...(deps.slackApiBaseUrl ? { slackApiBaseUrl: deps.slackApiBaseUrl } : {}),
    }).find((n) => n.channel === channel);
    if (!notifier) return;
    try {
      const card = buildHandoffCard(liveCardInput(handoff), now());
      const receipt = await notifier.notify({
        handoffId,
        card,
        links: {
          card:
            deps.cardLink?.(connectionId, handoff.leadId, handoff.ownerId ?? undefined) ??
            `${deps.publicUrl}/cards/preview/${encodeURIComponent(connectionId)}/${encodeURIComponent(handoff.leadId)}`,
        },
      });
      await deps.leads.markNotification(connectionId, handoffId, channel, {
        status: "sent",
        ...(receipt.id ? { receiptId: receipt.id } : {}),
      });
      log.info("handoff notification sent");
    } catch (err) {
      const retryable = !(err instanceof NotificationError) || err.retryable;
      const code = err instanceof NotificationError ? err.code : "notify_failed";
      await deps.leads.markNotification(connectionId, handoffId, channel, {
        status: retryable ? "pending" : "failed",
        error: code,
      });
      log.warn("handoff notification failed", { code, retryable });
      if (retryable) throw err;
    } finally {
      await notifier.close();
    }
  });
  return { stop: () => deps.boss.offWork(QUEUES.notify, { id, wait: true }) };
}
