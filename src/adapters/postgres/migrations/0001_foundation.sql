-- Installed HubSpot portals and Salesforce orgs. Every other table carries connection_id.
CREATE TABLE connections (
  id               text PRIMARY KEY,
  crm              text NOT NULL CHECK (crm IN ('hubspot', 'salesforce')),
  external_id      text NOT NULL,              -- HubSpot portalId / Salesforce OrganizationId
  name             text NOT NULL,
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disconnected')),
  instance_url     text,                       -- Salesforce instance URL / HubSpot API base path
  webhook_token    text,                       -- per-connection secret path token (Salesforce outbound messages)
  -- OAuth tokens, AES-256-GCM encrypted: "<keyId>:<iv>:<tag>:<ciphertext>" (base64 parts)
  access_token_enc  text,
  refresh_token_enc text,
  token_expires_at  timestamptz,
  settings         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (crm, external_id)
);

-- Every accepted webhook event, deduplicated forever by the CRM's event identity.
CREATE TABLE events (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  event_key      text NOT NULL,
  kind           text NOT NULL,
  object_type    text NOT NULL,
  object_id      text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  payload        jsonb NOT NULL,
  status         text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'processing', 'processed', 'ignored', 'parked')),
  attempts       integer NOT NULL DEFAULT 0,
  last_error     jsonb,                        -- { code, message, hint } of the last failure
  parked_at      timestamptz,
  processed_at   timestamptz,
  PRIMARY KEY (connection_id, event_key)
);
CREATE INDEX events_parked ON events (connection_id, parked_at) WHERE status = 'parked';
CREATE INDEX events_object ON events (connection_id, object_id, occurred_at);

-- Who did what on the admin surface (replays, availability changes, SLA sign-offs).
CREATE TABLE audit_log (
  id             bigserial PRIMARY KEY,
  connection_id  text REFERENCES connections (id) ON DELETE CASCADE,
  actor          text NOT NULL,
  action         text NOT NULL,
  subject        text,
  details        jsonb NOT NULL DEFAULT '{}'::jsonb,
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_connection ON audit_log (connection_id, at);
