-- An event Handoff could not use as sent (a NUL or broken character, a date PostgreSQL refuses, nesting
-- too deep, a field missing) is stored parked with the bytes the CRM sent, so nothing is lost and an admin
-- can see why. NULL for every event that arrived clean.
ALTER TABLE events ADD COLUMN raw bytea;
