-- secagg 0.2.0 -> 0.2.1: a PINE Helper's prep state holds its 16- or 32-byte
-- measurement-share seed instead of its d-element output share
-- (pine_prep_next expands the seed again). The SQL objects are unchanged
-- apart from this comment; prep states written by 0.2.0 (the output-share
-- form, for either role) are still accepted.
\echo Use "ALTER EXTENSION secagg UPDATE TO '0.2.1'" to load this file. \quit

COMMENT ON FUNCTION @extschema@.pine_prep_init(jsonb, bytea, integer, bytea, bytea, bytea) IS
  'PINE Aggregator agg_id (0 = Leader), round 1: returns its prep state (jsonb holding the Leader''s output share, or a Helper''s measurement-share seed: keep it private) and the prep share to send to the other Aggregators.';
