-- secagg 0.1.0: secure aggregation (Bonawitz et al., CCS 2017, active variant).
\echo Use "CREATE EXTENSION secagg" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Keys, session ids and the roster (the paper's PKI)
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.keypair AS (public_key bytea, secret_key bytea);
COMMENT ON TYPE @extschema@.keypair IS
  'An Ed25519 signing key pair: public_key (32 bytes) goes into the roster, secret_key (64 bytes) stays with the user.';

CREATE FUNCTION @extschema@.gen_keypair() RETURNS @extschema@.keypair
  AS 'MODULE_PATHNAME', 'secagg_gen_keypair' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gen_keypair() IS
  'Generates a fresh Ed25519 signing key pair for a user (zero.aggregation gen_keypair).';

CREATE FUNCTION @extschema@.new_session_id() RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_new_session_id' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.new_session_id() IS
  'Returns 32 random bytes to use as a session id; a session id must never be reused.';

CREATE FUNCTION @extschema@.roster(user_ids bigint[], public_keys bytea[]) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_roster_from_arrays' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.roster(bigint[], bytea[]) IS
  'Builds the canonical roster (ids and Ed25519 public keys of all users) from two parallel arrays.';

CREATE FUNCTION @extschema@.roster_agg_trans(bytea, bigint, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_roster_agg_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.roster_agg_trans(bytea, bigint, bytea) IS 'Transition function of roster_agg.';
CREATE FUNCTION @extschema@.roster_agg_combine(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_roster_agg_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.roster_agg_combine(bytea, bytea) IS 'Combine function of roster_agg.';
CREATE FUNCTION @extschema@.roster_agg_final(bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_roster_agg_final' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.roster_agg_final(bytea) IS 'Final function of roster_agg.';

CREATE AGGREGATE @extschema@.roster_agg(user_id bigint, public_key bytea) (
  SFUNC = @extschema@.roster_agg_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.roster_agg_combine,
  FINALFUNC = @extschema@.roster_agg_final,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.roster_agg(bigint, bytea) IS
  'Builds the canonical roster from a table of (user_id, public_key) rows (zero.aggregation PublicKeysWrapper).';

CREATE FUNCTION @extschema@.roster_size(roster bytea) RETURNS integer
  AS 'MODULE_PATHNAME', 'secagg_roster_size' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.roster_size(bytea) IS 'Validates a roster and returns its number of users.';

-- ---------------------------------------------------------------------------
-- Server
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.server_create(session_id bytea, threshold integer, vector_length integer, roster bytea)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_server_create' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_create(bytea, integer, integer, bytea) IS
  'Creates the server state (jsonb, no secrets) of a session: n/2 < threshold <= n, vectors of vector_length bigints.';

CREATE FUNCTION @extschema@.round0_msg(server_state jsonb) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_round0_msg' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.round0_msg(jsonb) IS
  'The message that starts round 0 (AdvertiseKeys); give it to every user of the roster.';

CREATE FUNCTION @extschema@.server_recv(server_state jsonb, user_id bigint, message bytea) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_server_recv' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_recv(jsonb, bigint, bytea) IS
  'Validates one user message of the current round and returns the new server state; a bad message raises an error and changes nothing.';

CREATE FUNCTION @extschema@.server_round(server_state jsonb) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round(jsonb) IS
  'Closes the current round over the messages received with server_recv; returns a round output (see output_*). Fewer than threshold messages raise SA008 and leave the state usable.';

CREATE FUNCTION @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round_agg_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea) IS 'Transition function of server_round_agg.';
CREATE FUNCTION @extschema@.server_round_agg_combine(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round_agg_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round_agg_combine(bytea, bytea) IS 'Combine function of server_round_agg.';
CREATE FUNCTION @extschema@.server_round_agg_final(bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round_agg_final' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round_agg_final(bytea) IS 'Final function of server_round_agg.';

CREATE AGGREGATE @extschema@.server_round_agg(server_state jsonb, user_id bigint, message bytea) (
  SFUNC = @extschema@.server_round_agg_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.server_round_agg_combine,
  FINALFUNC = @extschema@.server_round_agg_final,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.server_round_agg(jsonb, bigint, bytea) IS
  'One server round over a table of user messages: receives every row and closes the round. Use GROUP BY session to run many sessions in one statement.';

CREATE FUNCTION @extschema@.output_is_vector(output bytea) RETURNS boolean
  AS 'MODULE_PATHNAME', 'secagg_output_is_vector' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.output_is_vector(bytea) IS
  'True if a round output holds the final sum, false if it holds messages for the users.';

CREATE FUNCTION @extschema@.output_state(output bytea) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_output_state' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.output_state(bytea) IS 'The server state after the round that produced this output.';

CREATE FUNCTION @extschema@.output_messages(output bytea, OUT user_id bigint, OUT message bytea)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'secagg_output_messages' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.output_messages(bytea) IS
  'The messages of a round output, one row per recipient user.';

CREATE FUNCTION @extschema@.output_vector(output bytea) RETURNS bigint[]
  AS 'MODULE_PATHNAME', 'secagg_output_vector' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.output_vector(bytea) IS
  'The sum of the surviving users'' vectors mod 2^64 (as two''s-complement bigints), from the output of the Unmasking round.';

-- ---------------------------------------------------------------------------
-- Client (user side). Client states contain secrets.
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.client_step AS (state jsonb, message bytea);
COMMENT ON TYPE @extschema@.client_step IS
  'Result of client_round: the new client state and the message to send to the server.';

CREATE FUNCTION @extschema@.client_create(session_id bytea, user_id bigint, threshold integer,
                                          sign_secret_key bytea, vector bigint[], roster bytea)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_client_create' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.client_create(bytea, bigint, integer, bytea, bigint[], bytea) IS
  'Creates a user''s client state (jsonb, CONTAINS SECRETS) holding its signing key and the vector to aggregate.';

CREATE FUNCTION @extschema@.client_round(client_state jsonb, message bytea) RETURNS @extschema@.client_step
  AS 'MODULE_PATHNAME', 'secagg_client_round' LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.client_round(jsonb, bytea) IS
  'Answers a server message: checks it, returns the new client state and the message for the server. On any error the state is unchanged.';

CREATE FUNCTION @extschema@.client_recover(current_state jsonb, candidate_state jsonb) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_client_recover' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.client_recover(jsonb, jsonb) IS
  'Returns candidate_state if it may replace current_state: same session and user, not an earlier round, not a fork (SA012 otherwise).';

CREATE FUNCTION @extschema@.client_state_guard() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  col text := TG_ARGV[0];
  old_state jsonb := NULLIF(to_jsonb(OLD) -> col, 'null'::jsonb);
  new_state jsonb := NULLIF(to_jsonb(NEW) -> col, 'null'::jsonb);
BEGIN
  IF old_state IS NOT NULL AND new_state IS DISTINCT FROM old_state THEN
    IF new_state IS NULL THEN
      RAISE EXCEPTION 'client state may not be set to NULL' USING ERRCODE = 'SA012';
    END IF;
    -- same session and user, no earlier round, no fork of the same round
    PERFORM @extschema@.client_recover(old_state, new_state);
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.client_state_guard() IS
  'BEFORE UPDATE trigger for a table of client states (argument: the column name): refuses rolling a client back to an earlier round or to a different state of the same round.';
