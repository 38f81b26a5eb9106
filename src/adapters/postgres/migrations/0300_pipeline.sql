-- The pipeline's memory of each lead: its stage as Handoff last decided it, and the history nextStage reads.
CREATE TABLE lead_state (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id        text NOT NULL,
  stage          text NOT NULL,
  fit            numeric NOT NULL DEFAULT 0,
  engagement     numeric NOT NULL DEFAULT 0,
  total          numeric NOT NULL DEFAULT 0,
  held_reason    text,
  last_event_at  timestamptz,                  -- occurredAt of the newest event applied
  merged_into    text,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, lead_id)
);

CREATE TABLE lifecycle_events (
  id             bigserial PRIMARY KEY,
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id        text NOT NULL,
  type           text NOT NULL CHECK (type IN ('stage_set', 'rejected', 'accepted')),
  stage          text,
  reason         text,
  by             text,                         -- handoff | person
  actor          text,                         -- user/owner id, never a name
  at             timestamptz NOT NULL,
  event_key      text
);
CREATE INDEX lifecycle_events_lead ON lifecycle_events (connection_id, lead_id, at);
CREATE UNIQUE INDEX lifecycle_events_once ON lifecycle_events (connection_id, lead_id, type, event_key)
  WHERE event_key IS NOT NULL;

-- One row per handoff to sales (id = the routing decision id): the task, the clock, the feedback, the card.
CREATE TABLE handoffs (
  id             text PRIMARY KEY,
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id        text NOT NULL,
  event_key      text NOT NULL,
  owner_id       text,
  rep_key        text,
  method         text,
  task_id        text,
  started_at     timestamptz NOT NULL,
  due_at         timestamptz NOT NULL,
  first_touch_at timestamptz,
  status         text NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'accepted', 'rejected', 'reassigned', 'closed')),
  reject_reason  text,
  feedback_at    timestamptz,
  sla_hash       text,
  score          jsonb NOT NULL,               -- { fit, engagement, total, reasons[] }
  source         jsonb NOT NULL DEFAULT '{}'::jsonb,  -- lead source / UTM for marketing's reports
  card_input     jsonb NOT NULL,               -- everything the card is built from (personal data: erased on GDPR delete)
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection_id, event_key, lead_id)
);
CREATE INDEX handoffs_lead ON handoffs (connection_id, lead_id, created_at);
CREATE INDEX handoffs_created ON handoffs (connection_id, created_at);

-- One notification per handoff and channel, whatever happens to the job: no second message.
CREATE TABLE notifications (
  handoff_id     text NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  channel        text NOT NULL,
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts       integer NOT NULL DEFAULT 0,
  receipt_id     text,
  last_error     text,
  sent_at        timestamptz,
  PRIMARY KEY (handoff_id, channel)
);

-- Activity Handoff saw itself (Salesforce orgs without Account Engagement; webhook-derived conversions).
CREATE TABLE activities (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  lead_id        text NOT NULL,
  activity_id    text NOT NULL,
  kind           text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  url            text,
  name           text,
  title          text,
  PRIMARY KEY (connection_id, lead_id, activity_id)
);
CREATE INDEX activities_lead ON activities (connection_id, lead_id, occurred_at DESC);
