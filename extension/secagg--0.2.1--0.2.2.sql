-- secagg 0.2.1 -> 0.2.2: hardening. Every aggregate support function
-- validates every transition state it receives (the state formats changed,
-- but they never outlive a query); EXECUTE on the support functions is
-- revoked from PUBLIC (the aggregates themselves work for every role).
\echo Use "ALTER EXTENSION secagg UPDATE TO '0.2.2'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Aggregate support functions: callable only through the aggregates
-- ---------------------------------------------------------------------------
-- PostgreSQL checks EXECUTE on an aggregate's support functions against the
-- aggregate's owner, so every role that may call the aggregates still can;
-- what this removes is the ability to build other aggregates (or direct
-- calls) over them, which is how a crafted transition state would get in.
REVOKE EXECUTE ON FUNCTION
  @extschema@.roster_agg_trans(bytea, bigint, bytea),
  @extschema@.roster_agg_combine(bytea, bytea),
  @extschema@.roster_agg_final(bytea),
  @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea),
  @extschema@.server_round_agg_combine(bytea, bytea),
  @extschema@.server_round_agg_final(bytea),
  @extschema@.pine_agg_trans(bytea, jsonb, bytea),
  @extschema@.pine_agg_combine(bytea, bytea),
  @extschema@.pine_agg_final(bytea),
  @extschema@.pine_agg_count_final(bytea)
  FROM PUBLIC;
