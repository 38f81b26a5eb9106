-- One CRM rate budget per connection and lane, shared by every Handoff process and kept across restarts.
-- `stamps` holds at most `cap` numbers (ms since the epoch): a call counts from its grant while in flight
-- and from its end once finished, until the window has passed; older stamps are dropped on every grant,
-- so the row stays the same size after a year.
CREATE TABLE crm_rate_windows (
  connection_id  text NOT NULL,
  lane           text NOT NULL,
  stamps         double precision[] NOT NULL DEFAULT '{}',
  paused_until   double precision NOT NULL DEFAULT 0,  -- after a 429: nothing granted before this (ms)
  PRIMARY KEY (connection_id, lane)
);

-- Grants up to p_live + p_other calls under the row lock: live calls may fill the whole cap, the others
-- leave p_reserve free for live ones. Returns the grants' stamps (their tokens), how many are live,
-- the calls now in the window and, when something was refused, how long until a slot frees up.
CREATE FUNCTION crm_rate_acquire(
  p_connection text, p_lane text, p_window_ms double precision, p_cap integer, p_reserve integer,
  p_live integer, p_other integer
) RETURNS TABLE (tokens double precision[], live integer, used integer, retry_ms double precision)
LANGUAGE plpgsql AS $$
DECLARE
  t        double precision := extract(epoch FROM clock_timestamp()) * 1000;
  kept     double precision[];
  paused   double precision;
  n        integer;
  g_live   integer := 0;
  g_other  integer := 0;
  granted  double precision[] := '{}';
BEGIN
  SELECT w.stamps, w.paused_until INTO kept, paused
    FROM crm_rate_windows w WHERE w.connection_id = p_connection AND w.lane = p_lane FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO crm_rate_windows (connection_id, lane) VALUES (p_connection, p_lane) ON CONFLICT DO NOTHING;
    SELECT w.stamps, w.paused_until INTO kept, paused
      FROM crm_rate_windows w WHERE w.connection_id = p_connection AND w.lane = p_lane FOR UPDATE;
  END IF;
  kept := ARRAY(SELECT s FROM unnest(kept) s WHERE s > t - p_window_ms ORDER BY s);
  n := cardinality(kept);
  IF paused <= t THEN
    g_live := LEAST(p_live, GREATEST(0, p_cap - n));
    g_other := LEAST(p_other, GREATEST(0, p_cap - p_reserve - n - g_live));
  END IF;
  IF g_live + g_other > 0 THEN
    granted := ARRAY(SELECT t + i * 0.001 FROM generate_series(0, g_live + g_other - 1) i);
  END IF;
  UPDATE crm_rate_windows w SET stamps = kept || granted
   WHERE w.connection_id = p_connection AND w.lane = p_lane;
  RETURN QUERY SELECT
    granted,
    g_live,
    n + g_live + g_other,
    CASE
      WHEN paused > t THEN paused - t
      WHEN n = 0 THEN 10::double precision
      ELSE GREATEST(1, kept[1] + p_window_ms - t)
    END;
END
$$;

-- The calls holding these tokens ended: from now on they count from their end.
CREATE FUNCTION crm_rate_release(p_connection text, p_lane text, p_tokens double precision[])
RETURNS void LANGUAGE sql AS $$
  UPDATE crm_rate_windows w
     SET stamps = ARRAY(
       SELECT CASE WHEN s = ANY (p_tokens) THEN extract(epoch FROM clock_timestamp()) * 1000 ELSE s END
         FROM unnest(w.stamps) s)
   WHERE w.connection_id = p_connection AND w.lane = p_lane;
$$;
