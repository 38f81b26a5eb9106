import { useEffect, useState } from "react";
import {
  hubspot,
  Alert,
  Button,
  ButtonRow,
  DescriptionList,
  DescriptionListItem,
  Divider,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  Link,
  List,
  LoadingSpinner,
  ProgressBar,
  Select,
  Statistics,
  StatisticsItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
} from "@hubspot/ui-extensions";
import type { AddAlertAction } from "@hubspot/ui-extensions";

// Handoff's server origin: prepare-upload.mjs replaces the placeholder below with PUBLIC_URL before
// `hs project upload`; the origin must also be listed in app-hsmeta.json permittedUrls.fetch.
const API = "$PUBLIC_URL";
const CARD_PATH = "/cards/hubspot/handoff";

/** The view model served by POST /cards/hubspot/handoff (src/domain/handoff-card.ts, trimmed to what we show). */
type Activity = { kind: string; label: string; url?: string; occurredAt: string; ago: string };
type Axis = { points: number; max: number; threshold?: number; meetsThreshold?: boolean };
type HandoffCardData = {
  leadId: string;
  who: {
    name: string;
    headline: string;
    role?: string;
    company?: string;
    location?: string;
    recordUrl?: string;
  };
  whyNow: { headline: string; ago: string };
  score: {
    total: number;
    fit: Axis;
    engagement: Axis;
    reasons: { axis: string; rule: string; points: number; evidence: string; label: string }[];
  };
  lastConversion: (Activity & { isTrigger: boolean }) | null;
  recentViews: Activity[];
  /** Where the views come from (web analytics on Enterprise, Last Page Seen history below it). */
  recentViewsSource?: string | null;
  /** Context that could not be loaded, and the follow-up task's fate when a queue owns the lead. */
  notes?: string[];
  formSubmitted: {
    name: string;
    url?: string;
    ago: string;
    fields: { label: string; value: string }[];
  } | null;
  owner: { id: string; name: string; reasons: string[] } | null;
  followUp: {
    dueAt: string;
    minutesLeft: number;
    totalMinutes: number;
    status: "on_track" | "due_soon" | "overdue" | "done";
    countdown: string;
    businessHours: boolean;
  } | null;
  stage: { key: string; label: string };
  cadence: { status: string; summary: string } | null;
  feedback: {
    status: "pending" | "accepted" | "rejected";
    reasonLabel?: string;
    rejectReasons: { value: string; label: string }[];
  };
};

hubspot.extend<"crm.record.tab">(({ context, actions }) => (
  <HandoffCard
    objectId={context.crm.objectId}
    objectTypeId={context.crm.objectTypeId}
    portalId={context.portal.id}
    userId={context.user.id}
    notify={actions.addAlert}
  />
));

function formatMinutes(minutes: number): string {
  const m = Math.round(Math.abs(minutes));
  if (m < 60) return `${m} min`;
  if (m < 1440) return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
  const h = Math.floor((m % 1440) / 60);
  return `${Math.floor(m / 1440)} d${h ? ` ${h} h` : ""}`;
}

/** Minutes left until the deadline, re-read every 30 s so the countdown moves while the tab is open. */
function useMinutesLeft(dueAt: string | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return dueAt ? Math.round((Date.parse(dueAt) - now) / 60_000) : undefined;
}

export function HandoffCard(props: {
  objectId: number;
  /** "0-1" on a contact, "0-136" on a Lead record (the server finds the lead's person). */
  objectTypeId: string;
  portalId: number;
  userId: number;
  notify: AddAlertAction;
}) {
  const { objectId, objectTypeId, portalId, userId, notify } = props;
  const [data, setData] = useState<HandoffCardData | null>(); // undefined = loading, null = no handoff yet
  const [error, setError] = useState<string>();
  const [reason, setReason] = useState("");
  const [reasonMissing, setReasonMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const minutesLeft = useMinutesLeft(data?.followUp?.dueAt);

  async function call(extra: Record<string, unknown> = {}): Promise<Response> {
    return hubspot.fetch(`${API}${CARD_PATH}`, {
      method: "POST",
      timeout: 10_000,
      body: { objectId, objectTypeId, portalId, userId, ...extra },
    });
  }

  useEffect(() => {
    call()
      .then(async (r) => {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error(`Handoff answered HTTP ${r.status}`);
        return (await r.json()) as HandoffCardData;
      })
      .then(setData, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [objectId]);

  async function decide(decision: "accept" | "reject") {
    if (!data) return;
    if (decision === "reject" && !reason) {
      setReasonMissing(true);
      return;
    }
    setBusy(true);
    try {
      const r = await call(decision === "reject" ? { decision, reason } : { decision });
      if (!r.ok) {
        const body = (await r.json().catch(() => ({}))) as { message?: string };
        notify({ type: "danger", message: `Could not save: ${body.message ?? `HTTP ${r.status}`}` });
        return;
      }
      setData((await r.json()) as HandoffCardData);
      notify({ type: "success", message: decision === "accept" ? "Lead accepted" : "Lead rejected" });
    } finally {
      setBusy(false);
    }
  }

  if (error) {
    return (
      <ErrorState title="Could not load the handoff">
        <Text>{error}</Text>
      </ErrorState>
    );
  }
  if (data === undefined) return <LoadingSpinner label="Loading handoff…" showLabel layout="centered" />;
  if (data === null) {
    return (
      <EmptyState title="No handoff yet" imageName="leads">
        <Text>The card appears once this contact qualifies and is routed to a rep.</Text>
      </EmptyState>
    );
  }

  const { who, whyNow, score, followUp, owner, feedback } = data;
  const left = minutesLeft ?? followUp?.minutesLeft ?? 0;
  const countdown =
    !followUp || followUp.status === "done"
      ? (followUp?.countdown ?? "")
      : left < 0
        ? `${formatMinutes(left)} overdue`
        : `due in ${formatMinutes(left)}`;

  return (
    <Flex direction="column" gap="sm">
      <Flex gap="xs" align="center" wrap="wrap">
        <Heading>{who.name}</Heading>
        <Tag variant="info">{data.stage.label}</Tag>
        <Tag
          variant={
            feedback.status === "accepted" ? "success" : feedback.status === "rejected" ? "error" : "warning"
          }
        >
          {feedback.status}
        </Tag>
      </Flex>
      <Text>
        {who.headline}
        {who.location ? ` · ${who.location}` : ""}
      </Text>
      {who.recordUrl && <Link href={{ url: who.recordUrl, external: true }}>Open the record</Link>}

      <Alert title="Why now" variant="info">
        {`${whyNow.headline} (${whyNow.ago})`}
      </Alert>

      {followUp && (
        <>
          {followUp.status !== "done" && left < 0 && (
            <Alert title="Follow-up overdue" variant="danger">
              {`The SLA deadline passed ${formatMinutes(left)} ago.`}
            </Alert>
          )}
          <ProgressBar
            title={`Follow up: ${countdown}`}
            value={Math.max(0, left)}
            maxValue={Math.max(1, followUp.totalMinutes)}
            valueDescription={`${new Date(followUp.dueAt).toLocaleString()}${followUp.businessHours ? " (business hours)" : ""}`}
            variant={left < 0 ? "danger" : followUp.status === "due_soon" ? "warning" : "success"}
          />
        </>
      )}

      <Statistics>
        <StatisticsItem label="Score" number={score.total} />
        <StatisticsItem
          label={score.fit.threshold !== undefined ? `Fit (MQL ≥ ${score.fit.threshold})` : "Fit"}
          number={score.fit.points}
        />
        <StatisticsItem
          label={
            score.engagement.threshold !== undefined
              ? `Engagement (MQL ≥ ${score.engagement.threshold})`
              : "Engagement"
          }
          number={score.engagement.points}
        />
      </Statistics>

      <Text format={{ fontWeight: "bold" }}>Point-by-point breakdown</Text>
      {score.reasons.length === 0 ? (
        <Text variant="microcopy">No rule has scored this lead yet.</Text>
      ) : (
        <Table bordered={false} density="condensed">
          <TableHead>
            <TableRow>
              <TableHeader width="min">Points</TableHeader>
              <TableHeader>Evidence</TableHeader>
              <TableHeader width="min">Axis</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {score.reasons.map((r) => (
              <TableRow key={`${r.rule}:${r.evidence}`}>
                <TableCell>
                  <Tag
                    variant={r.points < 0 ? "error" : "success"}
                  >{`${r.points > 0 ? "+" : ""}${r.points}`}</Tag>
                </TableCell>
                <TableCell>{r.evidence}</TableCell>
                <TableCell>{r.axis}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}

      <Divider />
      <DescriptionList direction="row">
        <DescriptionListItem label="Last conversion">
          <Text>
            {data.lastConversion
              ? `${data.lastConversion.label} (${data.lastConversion.ago})`
              : "None recorded"}
          </Text>
        </DescriptionListItem>
        <DescriptionListItem label="Owner">
          <Text>{owner ? owner.name : "Not routed yet"}</Text>
        </DescriptionListItem>
        {data.cadence && (
          <DescriptionListItem label="Cadence">
            <Text>{`${data.cadence.status.replace("_", " ")}: ${data.cadence.summary}`}</Text>
          </DescriptionListItem>
        )}
      </DescriptionList>

      {owner && owner.reasons.length > 0 && (
        <>
          <Text format={{ fontWeight: "bold" }}>{`Why ${owner.name} got this lead`}</Text>
          <List variant="unordered-styled">
            {owner.reasons.map((r) => (
              <Text key={r}>{r}</Text>
            ))}
          </List>
        </>
      )}

      {data.formSubmitted && (
        <>
          <Text
            format={{ fontWeight: "bold" }}
          >{`Form just submitted: ${data.formSubmitted.name} (${data.formSubmitted.ago})`}</Text>
          {data.formSubmitted.fields.length > 0 && (
            <DescriptionList direction="column">
              {data.formSubmitted.fields.map((f) => (
                <DescriptionListItem key={f.label} label={f.label}>
                  <Text>{f.value}</Text>
                </DescriptionListItem>
              ))}
            </DescriptionList>
          )}
        </>
      )}

      <Text format={{ fontWeight: "bold" }}>Last five content views</Text>
      {data.recentViews.length === 0 ? (
        <Text variant="microcopy">No content views recorded.</Text>
      ) : (
        <List variant="ordered">
          {data.recentViews.map((v) =>
            v.url && /^https?:\/\//.test(v.url) ? (
              <Link
                key={v.occurredAt + v.label}
                href={{ url: v.url, external: true }}
              >{`${v.label} (${v.ago})`}</Link>
            ) : (
              <Text key={v.occurredAt + v.label}>{`${v.label} (${v.ago})`}</Text>
            ),
          )}
        </List>
      )}
      {data.recentViewsSource ? <Text variant="microcopy">{data.recentViewsSource}</Text> : null}
      {(data.notes ?? []).map((note) => (
        <Text key={note} variant="microcopy">
          {note}
        </Text>
      ))}

      <Divider />
      {feedback.status === "pending" ? (
        <Flex direction="column" gap="xs">
          <Select
            name="reason"
            label="Reject reason"
            placeholder="Choose a reason…"
            options={feedback.rejectReasons}
            value={reason}
            required
            error={reasonMissing && !reason}
            validationMessage={reasonMissing && !reason ? "Choose a reason to reject this lead." : undefined}
            onChange={(v) => {
              setReason(String(v));
              setReasonMissing(false);
            }}
          />
          <ButtonRow>
            <Button variant="primary" disabled={busy} onClick={() => decide("accept")}>
              Accept
            </Button>
            <Button variant="destructive" disabled={busy} onClick={() => decide("reject")}>
              Reject
            </Button>
          </ButtonRow>
        </Flex>
      ) : (
        <Text format={{ fontWeight: "bold" }}>
          {feedback.status === "accepted"
            ? "Accepted"
            : `Rejected${feedback.reasonLabel ? `: ${feedback.reasonLabel}` : ""}`}
        </Text>
      )}
    </Flex>
  );
}
