import { createHmac } from "node:crypto";
import { hubSpotCardVerifier } from "../adapters/hubspot/hubspot-card";
import { readFile } from "node:fs/promises";
import type { Router } from "express";
import { isLoopbackHost } from "../config/read-config";
import { createHolidayCalendar } from "../adapters/holidays";
import { PostgresAssignmentStore } from "../adapters/postgres/assignment-store";
import { PostgresFollowUpStore } from "../adapters/postgres/follow-up-store";
import { PostgresLeadStore } from "../adapters/postgres/lead-store";
import { createLeadStoryStore } from "../adapters/postgres/lead-story-store";
import { PostgresRateWindow } from "../adapters/postgres/rate-window-store";
import { PostgresRepAvailabilityStore } from "../adapters/postgres/rep-availability-store";
import { PostgresReportStore } from "../adapters/postgres/report-store";
import { PostgresRecentLeadStore } from "../adapters/postgres/sla-admin-store";
import { PostgresSlaStore } from "../adapters/postgres/sla-store";
import { replayDecision } from "../app/replay-decision";
import { createCrmRegistry } from "./crm-registry";
import {
  createScheduleFollowUp,
  runFollowUpStep,
  type FollowUpDeps,
  type FollowUpJob,
} from "../app/follow-up";
import { getHandoffCard } from "../app/get-handoff-card";
import { createLeadEventHandler } from "../app/handle-lead-event";
import { cachedLinks } from "../adapters/cached-connection-links";
import { hubSpotSalesforceConnector } from "../adapters/hubspot/hubspot-salesforce-connector";
import { SyncedPairCrm } from "../app/synced-pair-crm";
import { PostgresConnectionLinkStore } from "../adapters/postgres/connection-link-store";
import { createConnectionLinkRouter } from "../http/routes/connection-link-routes";
import type { PipelineDeps } from "../app/pipeline-deps";
import { recordConversion, type ConversionDeps } from "../app/record-conversion";
import { combineLeadStatusMaps, recordCrmLeadStatus } from "../app/record-crm-lead-status";
import { HUBSPOT_LEAD_STATUSES } from "../adapters/hubspot/hubspot-mapper";
import { SALESFORCE_LEAD_STATUSES } from "../adapters/salesforce/salesforce-mapper";
import { recordLeadRecordStage } from "../app/record-lead-record-stage";
import { recordFeedback, type FeedbackDeps } from "../app/record-feedback";
import { reconcileOpenLeads } from "../app/reconcile-open-leads";
import { createSlaRegistry, slaFilePath } from "../app/sla-registry";
import { buildHandoffCard } from "../domain/handoff-card";
import { buildTaskSnapshot } from "../domain/task-snapshot";
import { createCardRouter, previewAuthorizer, signedPreviewUrl } from "../http/routes/card-routes";
import { createDashboardApiRouter, createDashboardRouter } from "../http/routes/dashboard-routes";
import { createInstallRouter } from "../http/routes/install-routes";
import { hubSpotInstaller } from "../adapters/hubspot/hubspot-oauth";
import { salesforceInstaller } from "../adapters/salesforce/salesforce-oauth";
import { createLeadStoryRouter } from "../http/routes/lead-story-routes";
import { createSlaAdminRouter } from "../http/routes/sla-admin-routes";
import { createReportRouter } from "../http/routes/report-routes";
import { createRepsRouter } from "../http/routes/reps-routes";
import { createFollowUpScheduler, startFollowUpWorker } from "../jobs/follow-up-worker";
import { createNotify, startNotifyWorker } from "../jobs/notify-worker";
import { startReconcileWorker } from "../jobs/reconcile-worker";
import { startLeadPollWorker } from "../jobs/lead-poll-worker";
import { pollChangedLeads, type PollResult } from "../app/poll-changed-leads";
import { PostgresLeadPollWatermarks } from "../adapters/postgres/lead-poll-store";
import type { LeadEventHandler } from "../jobs/lead-event-worker";
import type { Infrastructure } from "./runtime";
import type { Clock } from "../ports/clock";
import type { CrmPort } from "../ports/crm";
import type { Logger } from "../ports/logger";
import type { Lead } from "../domain/lead";

/** Each CRM's OAuth install, where its app is configured (the install routes answer 503 for the others). */
function crmInstallers(settings: HandoffSettings, now: Clock) {
  const hubspotSecret = settings.hubspot.clientSecrets[0];
  const { salesforce } = settings;
  return {
    hubspot:
      settings.hubspot.clientId && hubspotSecret
        ? hubSpotInstaller({
            clientId: settings.hubspot.clientId,
            clientSecret: hubspotSecret,
            redirectUri: `${settings.publicUrl}/oauth/hubspot/callback`,
            authorizeBaseUrl: settings.hubspot.apiBase ?? "https://app.hubspot.com",
            apiBaseUrl: settings.hubspot.apiBase ?? "https://api.hubapi.com",
            now,
          })
        : undefined,
    salesforce:
      salesforce.clientId && salesforce.clientSecret
        ? salesforceInstaller({
            clientId: salesforce.clientId,
            clientSecret: salesforce.clientSecret,
            redirectUri: `${settings.publicUrl}/oauth/salesforce/callback`,
            loginUrl: salesforce.loginUrl,
          })
        : undefined,
  };
}

export interface HandoffSettings {
  publicUrl: string;
  adminToken: string;
  /** Secret material for the card's short-lived feedback tokens. */
  encryptionKey: string;
  /** The embedded default: the card preview is open to the local user. */
  embedded: boolean;
  /**
   * The interface HTTP listens on: the open preview is refused whenever it is not loopback (anyone on the
   * network could read lead names and accept or reject them). @default "127.0.0.1", the runtime's default
   */
  host?: string;
  hubspot: {
    clientId: string | undefined;
    clientSecrets: string[];
    apiBase: string | undefined;
  };
  salesforce: { clientId: string | undefined; clientSecret: string | undefined; loginUrl: string };
  /** Run the notification and follow-up workers in this process. @default true */
  notifyWorker?: boolean;
  slackApiBaseUrl?: string;
  /** The product's own clock, where a test fixes the lead's day apart from the server's. @default the runtime's */
  now?: Clock;
  /**
   * Replaying the past (the demo quarter): CRM rate windows count on this clock, in this process, and are waited
   * for by `rateWait` (the clock moves on); CRM calls are not held back to share a batch (one event runs at a
   * time); follow-up timers go to `followUpTimers` instead of pg-boss, to be run on the same clock. @default live
   */
  replay?: {
    rateClock: () => number;
    rateWait: (ms: number, then: () => void) => NodeJS.Timeout;
    followUpTimers: FollowUpDeps["enqueue"];
  };
}

/** The product, built: the pipeline the worker runs, the routers the server mounts, and what stops its workers. */
export interface HandoffProduct {
  handleLeadEvent: LeadEventHandler;
  /** One poll of a connection's changed leads now (the worker runs it every minute). */
  pollChangedLeads(connectionId: string): Promise<PollResult>;
  /** One run of the 15-minute open-lead reconcile for a connection (what the scheduled job runs). */
  reconcile(connectionId: string): ReturnType<typeof reconcileOpenLeads>;
  routers: Router[];
  adminRouters: Router[];
  deps: PipelineDeps;
  feedbackDeps: FeedbackDeps;
  /** Runs one follow-up timer (what the follow-up worker does when it comes due). */
  runFollowUp(job: FollowUpJob): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the product on the infrastructure, every collaborator passed at construction: the pipeline, card
 * routes, install, dashboards, rep self-service, notifications and the follow-up clock.
 * @example const product = await composeHandoff(infra, settings, systemClock);
 */
export async function composeHandoff(
  core: Infrastructure,
  settings: HandoffSettings,
  runtimeClock: Clock,
): Promise<HandoffProduct> {
  const now = settings.now ?? runtimeClock;
  const leads = new PostgresLeadStore(core.pool);
  const stories = createLeadStoryStore(core.pool);
  const slaVersions = new PostgresSlaStore(core.pool);
  const holidays = createHolidayCalendar();
  const assignments = new PostgresAssignmentStore({ pool: core.pool, holidays, logger: core.logger });
  const registry = createCrmRegistry({
    connections: core.connections,
    logger: core.logger,
    now,
    publicUrl: settings.publicUrl,
    hubspot: {
      clientId: settings.hubspot.clientId,
      clientSecret: settings.hubspot.clientSecrets[0],
      apiBase: settings.hubspot.apiBase,
    },
    salesforce: settings.salesforce,
    // One budget per portal for every process on this database, kept across restarts.
    ...(settings.replay
      ? { rateClock: settings.replay.rateClock, rateWait: settings.replay.rateWait, coalesceWindowMs: 0 }
      : { rateWindows: new PostgresRateWindow(core.pool) }),
  });
  // Synced pairs (HubSpot marketing + Salesforce sales): the sales side reads the person's engagement from the
  // HubSpot contact its lead was synced from; everything else is the Salesforce connection's own CRM.
  const links = cachedLinks(new PostgresConnectionLinkStore(core.pool));
  const pipelineCrmFor = async (connectionId: string): Promise<CrmPort> => {
    const crm = await registry.crmFor(connectionId);
    const link = await links.ofConnection(connectionId);
    if (link?.salesConnectionId !== connectionId) return crm;
    return new SyncedPairCrm(crm, await registry.crmFor(link.marketingConnectionId), async (leadId) => {
      return (await links.contactOf(connectionId, leadId))?.contactId ?? null;
    });
  };
  const slaFor = createSlaRegistry({
    versions: slaVersions,
    connections: core.connections,
    logger: core.logger,
    now,
  });
  const feedbackSecret = createHmac("sha256", settings.encryptionKey)
    .update("card-feedback")
    .digest("base64url");
  const notifyDeps = {
    boss: core.boss,
    connections: core.connections,
    leads,
    logger: core.logger,
    publicUrl: settings.publicUrl,
    // Links in messages open the card without the admin token, for 7 days, as the owner they are sent to.
    cardLink: (connectionId: string, leadId: string, ownerId?: string) =>
      signedPreviewUrl(
        settings.publicUrl,
        feedbackSecret,
        connectionId,
        leadId,
        now().getTime() + 7 * 86_400_000,
        ownerId,
      ),
    ...(settings.slackApiBaseUrl ? { slackApiBaseUrl: settings.slackApiBaseUrl } : {}),
    now,
  };
  const cardUrl = (connectionId: string, leadId: string) =>
    `${settings.publicUrl}/cards/preview/${encodeURIComponent(connectionId)}/${encodeURIComponent(leadId)}`;

  const notify = createNotify(notifyDeps);
  const feedbackDeps: FeedbackDeps = {
    leads,
    assignments,
    crmFor: registry.crmFor,
    slaFor,
    logger: core.logger,
    now,
  };
  const followUps = new PostgresFollowUpStore(core.pool);
  const conversionDeps: ConversionDeps = {
    leads,
    assignments,
    stopFollowUp: async (connectionId, handoffId, why) =>
      void (await followUps.stopClock(connectionId, handoffId, why, now())),
    now,
  };
  const onConversion = (crm: CrmPort, connectionId: string, lead: Lead, log: Logger) =>
    recordConversion(conversionDeps, crm, connectionId, lead, log);
  // The follow-up clock: timers per handoff (pg-boss delayed jobs), and lead-status changes as feedback.
  const followUpDeps: FollowUpDeps = {
    leads,
    followUps,
    assignments,
    holidays,
    crmFor: registry.crmFor,
    slaFor,
    enqueue: settings.replay?.followUpTimers ?? createFollowUpScheduler({ boss: core.boss, now }),
    cardUrl,
    notify,
    recordConversion: onConversion,
    logger: core.logger,
    now,
  };
  const scheduleFollowUp = createScheduleFollowUp(followUpDeps);
  // Both CRMs' default lead statuses: a status either ships with means the same wherever it is set.
  const leadStatuses = combineLeadStatusMaps(HUBSPOT_LEAD_STATUSES, SALESFORCE_LEAD_STATUSES);
  const deps: PipelineDeps = {
    crmFor: pipelineCrmFor,
    slaFor,
    leads,
    assignments,
    holidays,
    recordUrl: registry.recordUrl,
    taskFor: (ctx, handoff) => {
      const card = buildHandoffCard(handoff.cardInput, now());
      const snapshot = buildTaskSnapshot(card, { cardUrl: cardUrl(ctx.connectionId, ctx.lead.id) });
      return {
        leadId: ctx.lead.id,
        ownerId: handoff.ownerId!,
        subject: snapshot.subject,
        body: snapshot.description,
        dueAt: handoff.dueAt,
        priority: handoff.cardInput.trigger.kind === "activity" ? "HIGH" : "MEDIUM",
        type: "CALL",
        decisionId: handoff.id,
      };
    },
    notify,
    scheduleFollowUp: async (connectionId, handoff) => void (await scheduleFollowUp(connectionId, handoff)),
    recordLeadStatus: (event, log) => recordCrmLeadStatus(feedbackDeps, event, log, leadStatuses),
    recordLeadRecordStage: (event, log) => recordLeadRecordStage(feedbackDeps, event, log),
    recordConversion: onConversion,
    scores: stories,
    syncedPairs: {
      links,
      connector: hubSpotSalesforceConnector,
      crmFor: registry.crmFor,
      events: core.events,
      leads,
      now,
    },
    now,
  };

  const cardRouter = createCardRouter({
    getCard: async (connectionId, leadId) => {
      const link = await links.ofConnection(connectionId);
      if (link?.marketingConnectionId !== connectionId)
        return getHandoffCard(leads, connectionId, leadId, now());
      // A synced pair's HubSpot card is the handoff of the Salesforce lead the contact was synced to: its owner,
      // its link to the lead; sales works it (and gives feedback) in Salesforce.
      const synced = await links.salesLeadOf(connectionId, leadId);
      const card =
        synced && (await getHandoffCard(leads, synced.salesConnectionId, synced.salesLeadId, now()));
      if (!card) return null;
      return {
        ...card,
        notes: [...card.notes, "Sales works this lead in Salesforce: open it from the link above."],
      };
    },
    recordFeedback: (f) =>
      recordFeedback(feedbackDeps, {
        connectionId: f.connectionId,
        leadId: f.leadId,
        decision: f.decision,
        reason: f.reason,
        note: f.note,
        source: f.source,
        actor: f.admin
          ? { kind: "admin", id: f.source }
          : f.actorId
            ? { kind: "crm_user", id: f.actorId }
            : { kind: "unknown" },
      }),
    verifyHubSpot: hubSpotCardVerifier(settings.publicUrl, settings.hubspot.clientSecrets, now),
    resolveHubSpotConnection: async (portalId) =>
      (await core.connections.findByExternalId("hubspot", portalId))?.id ?? null,
    leadOfRecord: async (connectionId, recordId) =>
      (await leads.leadRecord(connectionId, recordId))?.leadId ?? null,
    resolveSalesforceConnection: async (orgId) =>
      (await core.connections.findByExternalId("salesforce", orgId))?.id ?? null,
    canvasConsumerSecrets: settings.salesforce.clientSecret ? [settings.salesforce.clientSecret] : [],
    feedbackSecret,
    // Reps open the card from the signed link in their Slack message or e-mail; admins with their token.
    // The embedded demo's local user is its admin, as long as only this machine can reach it.
    authorizePreview:
      settings.embedded && isLoopbackHost(settings.host ?? "127.0.0.1")
        ? () => ({ admin: true as const })
        : previewAuthorizer({ adminToken: settings.adminToken, secret: feedbackSecret, now }),
    logger: core.logger,
    now,
  });

  const notifyWorker = settings.notifyWorker === false ? undefined : await startNotifyWorker(notifyDeps);
  const followUpWorker =
    settings.notifyWorker === false
      ? undefined
      : await startFollowUpWorker({
          boss: core.boss,
          run: (job) => runFollowUpStep(followUpDeps, job),
          logger: core.logger,
        });

  const reconcileDeps = {
    assignments,
    crmFor: registry.crmFor,
    slaFor,
    logger: core.logger,
    now,
    recordConversion: onConversion,
    ownerSetBySync: async (connectionId: string, lead: Lead) => {
      const link = await links.ofConnection(connectionId);
      return link !== null && hubSpotSalesforceConnector.leadWrittenBy(lead, link.integrationUserId);
    },
  };
  const reconcileWorker =
    settings.notifyWorker === false
      ? undefined
      : await startReconcileWorker({
          boss: core.boss,
          connectionIds: async () =>
            (await core.connections.list()).filter((c) => c.status === "active").map((c) => c.id),
          run: (connectionId) => reconcileOpenLeads(reconcileDeps, connectionId),
          logger: core.logger,
        });

  // Salesforce editions without outbound messages (Professional) are polled for changed leads; the adapter
  // reads the org's edition, so an Enterprise org costs one call in 6 hours here and nothing else.
  const pollDeps = {
    crmFor: registry.crmFor,
    watermarks: new PostgresLeadPollWatermarks(core.pool),
    events: core.events,
    logger: core.logger,
    now,
  };
  const pollWorker =
    settings.notifyWorker === false
      ? undefined
      : await startLeadPollWorker({
          boss: core.boss,
          connectionIds: async () =>
            (await core.connections.list())
              .filter((c) => c.status === "active" && c.crm === "salesforce")
              .map((c) => c.id),
          run: (connectionId) => pollChangedLeads(pollDeps, connectionId),
          logger: core.logger,
        });

  return {
    pollChangedLeads: (connectionId: string) => pollChangedLeads(pollDeps, connectionId),
    handleLeadEvent: createLeadEventHandler(deps),
    reconcile: (connectionId) => reconcileOpenLeads(reconcileDeps, connectionId),
    routers: [
      cardRouter,
      createDashboardRouter({
        logger: core.logger,
        adminToken: settings.adminToken,
        secureCookie: settings.publicUrl.startsWith("https:"),
        now,
      }),
      createInstallRouter({
        publicUrl: settings.publicUrl,
        stateSecret: createHmac("sha256", settings.encryptionKey).update("install-state").digest("base64url"),
        connections: core.connections,
        crmFor: registry.crmFor,
        installers: crmInstallers(settings, now),
        logger: core.logger,
        now,
      }),
    ],
    adminRouters: [
      createConnectionLinkRouter({
        connections: core.connections,
        links,
        logger: core.logger,
        audit: (connectionId, action, subject, details) =>
          leads.audit(connectionId, { actor: "admin", action, subject, details, at: now().toISOString() }),
        now,
      }),
      createRepsRouter({
        reps: new PostgresRepAvailabilityStore(core.pool, now),
        connections: core.connections,
        logger: core.logger,
        loadRules: async (connectionId) => (await slaFor(connectionId)).sla.routing,
        replayDecision: (connectionId, decisionId) =>
          replayDecision(assignments, decisionId, undefined, connectionId),
      }),
      createReportRouter({ reports: new PostgresReportStore(core.pool), slaFor, logger: core.logger, now }),
      createDashboardApiRouter({
        versions: slaVersions,
        connections: core.connections,
        logger: core.logger,
        now,
      }),
      createLeadStoryRouter({
        stories,
        replay: (connectionId, decisionId, draft) =>
          replayDecision(assignments, decisionId, draft, connectionId),
        slaFor,
        now,
      }),
      createSlaAdminRouter({
        versions: slaVersions,
        recentLeads: new PostgresRecentLeadStore(core.pool),
        connectionExists: async (id) => (await core.connections.get(id)) !== null,
        liveSource: async (id) => {
          const live = await slaFor(id);
          const stored = await slaVersions.get(id, live.hash);
          if (stored) return { source: stored.source, hash: live.hash, published: true };
          const file = slaFilePath(await core.connections.get(id));
          return { source: await readFile(file, "utf8"), hash: live.hash, published: false };
        },
        slaFor,
        now,
      }),
    ],
    deps,
    feedbackDeps,
    runFollowUp: (job) => runFollowUpStep(followUpDeps, job),
    stop: async () => {
      await notifyWorker?.stop();
      await followUpWorker?.stop();
      await reconcileWorker?.stop();
      await pollWorker?.stop();
      registry.close();
    },
  };
}
