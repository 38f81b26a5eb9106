-- SLA versions per connection, identified by the canonical hash of the parsed document (what is signed).
CREATE TABLE sla_versions (
  connection_id  text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  hash           text NOT NULL,                -- "sha256:<hex>" of the canonical JSON of `document`
  name           text NOT NULL,
  version        integer NOT NULL,
  effective      date,                         -- required to publish
  document       jsonb NOT NULL,               -- the parsed Sla (domain shape)
  source         text NOT NULL,                -- the YAML as submitted, comments included
  status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'superseded')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  published_at   timestamptz,
  published_by   text,
  PRIMARY KEY (connection_id, hash)
);
CREATE INDEX sla_versions_published ON sla_versions (connection_id, effective DESC, published_at DESC)
  WHERE status = 'published';

-- Sign-offs: one per team over one exact hash. Signing again replaces that team's signature.
CREATE TABLE sla_signatures (
  connection_id  text NOT NULL,
  hash           text NOT NULL,
  team           text NOT NULL CHECK (team IN ('marketing', 'sales')),
  signer_name    text NOT NULL,
  signer_email   text NOT NULL,
  signed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, hash, team),
  FOREIGN KEY (connection_id, hash) REFERENCES sla_versions (connection_id, hash) ON DELETE CASCADE
);
