-- secagg 0.2.1 -> 0.3.0: hardening.
-- * Every aggregate support function validates every transition state it
--   receives (the state formats changed, but they never outlive a query);
--   EXECUTE on the support functions is revoked from PUBLIC (the aggregates
--   themselves work for every role).
-- * server_round_agg rejects an invalid message's sender instead of failing
--   the round (on_invalid => 'error' keeps the old behaviour); rejected users
--   are listed by output_rejected. Round outputs with rejections use the
--   SAO2 form; SAO1 outputs of 0.2.x are still read.
-- * client_round_try: a client step whose refusal is a value, not an error.
-- * server_expect_round: the check that makes closing a round safe under
--   concurrency (with the session row locked FOR UPDATE).
-- * graph_params: SecAgg+ degree and threshold (finder and checker).
-- * Rounds 0, 2 and 3 store their message once (output kind 3, broadcast);
--   output_broadcast and output_recipients read it without n copies.
\echo Use "ALTER EXTENSION secagg UPDATE TO '0.3.0'" to load this file. \quit

CREATE FUNCTION @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea, text) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round_agg_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea, text) IS 'Transition function of server_round_agg with on_invalid.';

COMMENT ON AGGREGATE @extschema@.server_round_agg(jsonb, bigint, bytea) IS
  'One server round over a table of user messages: receives every row and closes the round. An invalid message rejects only its sender (listed by output_rejected); the round needs t valid messages. Use GROUP BY session to run many sessions in one statement.';
CREATE AGGREGATE @extschema@.server_round_agg(server_state jsonb, user_id bigint, message bytea, on_invalid text) (
  SFUNC = @extschema@.server_round_agg_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.server_round_agg_combine,
  FINALFUNC = @extschema@.server_round_agg_final,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.server_round_agg(jsonb, bigint, bytea, text) IS
  'server_round_agg with a choice of what an invalid message does: ''reject'' (its sender is dropped from the round and listed by output_rejected; the 3-argument form) or ''error'' (the statement fails, SQLSTATE of the refusal).';

CREATE FUNCTION @extschema@.output_rejected(output bytea, OUT user_id bigint, OUT round integer, OUT sqlstate text, OUT reason text)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'secagg_output_rejected' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.output_rejected(bytea) IS
  'The users whose message server_round_agg rejected in the round that produced this output (they count as dropped), with the SQLSTATE and reason of each refusal, in id order.';

CREATE TYPE @extschema@.client_attempt AS (state jsonb, message bytea, sqlstate text, error text);
COMMENT ON TYPE @extschema@.client_attempt IS
  'Result of client_round_try: on success as client_step with sqlstate and error NULL; on a refused server message the unchanged state, a NULL message, and the SQLSTATE and text client_round would have raised.';
CREATE FUNCTION @extschema@.client_round_try(client_state jsonb, message bytea) RETURNS @extschema@.client_attempt
  AS 'MODULE_PATHNAME', 'secagg_client_round_try' LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.client_round_try(jsonb, bytea) IS
  'client_round that returns a refusal of the server message as a value (sqlstate, error) instead of raising, so one failing client does not abort a statement that drives many. A malformed client state or NULL argument still raises.';

CREATE FUNCTION @extschema@.server_expect_round(server_state jsonb, round integer) RETURNS boolean
  AS 'MODULE_PATHNAME', 'secagg_server_expect_round' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_expect_round(jsonb, integer) IS
  'True if the server state waits for the messages of this round, else SA002. Call it on the session row locked with SELECT ... FOR UPDATE before closing a round, so two transactions cannot close the same round.';

CREATE FUNCTION @extschema@.graph_params(users integer, corrupt_fraction double precision,
                                         dropout_fraction double precision,
                                         server_model text DEFAULT 'honest-but-curious',
                                         k integer DEFAULT NULL, t integer DEFAULT NULL)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_graph_params' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.graph_params(integer, double precision, double precision, text, integer, integer) IS
  'SecAgg+ (Bell et al. 2020) degree k and threshold t for n users, the largest corrupt and dropout fractions and the server model (''honest-but-curious'' or ''semi-malicious''), as federated-compute''s parameter finder chooses them (2^-41 security, 2^-20 correctness per user); with k and t given, checks them against the same rules (22023 names the rule that fails). Returns jsonb with k, t, the inputs and the bounds met.';

CREATE FUNCTION @extschema@.output_broadcast(output bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_output_broadcast' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.output_broadcast(bytea) IS
  'The one message every recipient of this round gets (rounds 0, 2 and 3, stored once in the output), or NULL when each user gets its own (round 1). With output_recipients it lets a mailbox keep one copy instead of one per user.';
CREATE FUNCTION @extschema@.output_recipients(output bytea) RETURNS SETOF bigint
  AS 'MODULE_PATHNAME', 'secagg_output_recipients' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.output_recipients(bytea) IS
  'The ids of the users this round''s messages go to (the users still in the session), in id order.';

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
  @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea, text),
  @extschema@.server_round_agg_combine(bytea, bytea),
  @extschema@.server_round_agg_final(bytea),
  @extschema@.pine_agg_trans(bytea, jsonb, bytea),
  @extschema@.pine_agg_combine(bytea, bytea),
  @extschema@.pine_agg_final(bytea),
  @extschema@.pine_agg_count_final(bytea)
  FROM PUBLIC;
