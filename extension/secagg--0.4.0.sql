-- secagg 0.4.0: secure aggregation (Bonawitz et al., CCS 2017, active variant;
-- SecAgg+ communication graphs after Bell et al., CCS 2020) and the PINE VDAF
-- (draft-chen-cfrg-vdaf-pine). Fresh install of 0.4.0; the update path from
-- 0.1.0 ends with exactly these objects (tested by sql/secagg_upgrade.sql).
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

CREATE FUNCTION @extschema@.server_create(session_id bytea, threshold integer, vector_length integer, roster bytea,
                                          graph jsonb DEFAULT NULL)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_server_create' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_create(bytea, integer, integer, bytea, jsonb) IS
  'Creates the server state (jsonb, no secrets) of a session with vectors of vector_length bigints. Without graph: the complete graph, n/2 < threshold <= n, at most 2048 users. With graph (the jsonb of graph_params for this roster): a SecAgg+ session on a Harary graph of degree k, threshold = the graph''s t of each neighbourhood, up to 1,000,000 users.';

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

CREATE FUNCTION @extschema@.server_expect_round(server_state jsonb, round integer) RETURNS boolean
  AS 'MODULE_PATHNAME', 'secagg_server_expect_round' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_expect_round(jsonb, integer) IS
  'True if the server state waits for the messages of this round, else SA002. Call it on the session row locked with SELECT ... FOR UPDATE before closing a round, so two transactions cannot close the same round.';

CREATE FUNCTION @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round_agg_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea) IS 'Transition function of server_round_agg.';
CREATE FUNCTION @extschema@.server_round_agg_combine(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round_agg_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round_agg_combine(bytea, bytea) IS 'Combine function of server_round_agg.';
CREATE FUNCTION @extschema@.server_round_agg_final(bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round_agg_final' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round_agg_final(bytea) IS 'Final function of server_round_agg.';
CREATE FUNCTION @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea, text) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_server_round_agg_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_round_agg_trans(bytea, jsonb, bigint, bytea, text) IS 'Transition function of server_round_agg with on_invalid.';

CREATE AGGREGATE @extschema@.server_round_agg(server_state jsonb, user_id bigint, message bytea) (
  SFUNC = @extschema@.server_round_agg_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.server_round_agg_combine,
  FINALFUNC = @extschema@.server_round_agg_final,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.server_round_agg(jsonb, bigint, bytea) IS
  'One server round over a table of user messages: receives every row and closes the round. An invalid message rejects only its sender (listed by output_rejected); the round needs t valid messages. Use GROUP BY session to run many sessions in one statement.';
CREATE AGGREGATE @extschema@.server_round_agg(server_state jsonb, user_id bigint, message bytea, on_invalid text) (
  SFUNC = @extschema@.server_round_agg_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.server_round_agg_combine,
  FINALFUNC = @extschema@.server_round_agg_final,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.server_round_agg(jsonb, bigint, bytea, text) IS
  'server_round_agg with a choice of what an invalid message does: ''reject'' (its sender is dropped from the round and listed by output_rejected; the 3-argument form) or ''error'' (the statement fails, SQLSTATE of the refusal).';

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

CREATE FUNCTION @extschema@.output_rejected(output bytea, OUT user_id bigint, OUT round integer, OUT sqlstate text, OUT reason text)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'secagg_output_rejected' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.output_rejected(bytea) IS
  'The users whose message server_round_agg rejected in the round that produced this output (they count as dropped), with the SQLSTATE and reason of each refusal, in id order.';

CREATE FUNCTION @extschema@.output_broadcast(output bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_output_broadcast' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.output_broadcast(bytea) IS
  'The one message every recipient of this round gets (rounds 0, 2 and 3, stored once in the output), or NULL when each user gets its own (round 1). With output_recipients it lets a mailbox keep one copy instead of one per user.';
CREATE FUNCTION @extschema@.output_recipients(output bytea) RETURNS SETOF bigint
  AS 'MODULE_PATHNAME', 'secagg_output_recipients' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION @extschema@.output_recipients(bytea) IS
  'The ids of the users this round''s messages go to (the users still in the session), in id order.';

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
                                          sign_secret_key bytea, vector bigint[], roster bytea,
                                          graph jsonb DEFAULT NULL)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_client_create' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.client_create(bytea, bigint, integer, bytea, bigint[], bytea, jsonb) IS
  'Creates a user''s client state (jsonb, CONTAINS SECRETS) holding its signing key and the vector to aggregate; graph as for server_create (the same object the server used).';

CREATE FUNCTION @extschema@.client_round(client_state jsonb, message bytea) RETURNS @extschema@.client_step
  AS 'MODULE_PATHNAME', 'secagg_client_round' LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.client_round(jsonb, bytea) IS
  'Answers a server message: checks it, returns the new client state and the message for the server. On any error the state is unchanged.';

CREATE TYPE @extschema@.client_attempt AS (state jsonb, message bytea, sqlstate text, error text);
COMMENT ON TYPE @extschema@.client_attempt IS
  'Result of client_round_try: on success as client_step with sqlstate and error NULL; on a refused server message the unchanged state, a NULL message, and the SQLSTATE and text client_round would have raised.';
CREATE FUNCTION @extschema@.client_round_try(client_state jsonb, message bytea) RETURNS @extschema@.client_attempt
  AS 'MODULE_PATHNAME', 'secagg_client_round_try' LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.client_round_try(jsonb, bytea) IS
  'client_round that returns a refusal of the server message as a value (sqlstate, error) instead of raising, so one failing client does not abort a statement that drives many. A malformed client state or NULL argument still raises.';

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

-- ---------------------------------------------------------------------------
-- PINE: parameters
--
-- Every PINE function takes the canonical parameter jsonb that pine_params()
-- returns. Outcomes of verification are values (accepted = false), not
-- errors. Errors: 22023 bad parameters or arguments, 22P03 malformed bytes
-- (wrong lengths, bad headers), 22003 non-canonical field elements or a
-- measurement over the norm bound, 22004 NULL arguments, 54000 the batch cap
-- (max_measurements), SA022 a batch under the params' min_batch_size, SA021 the client's wraparound checks failed for the
-- given rand (retry with fresh randomness), SA020 a report rejected by
-- pine_prep_init (negligible probability).
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.pine_params(variant text, l2_norm_bound double precision DEFAULT NULL,
                                        dimension bigint DEFAULT NULL,
                                        num_frac_bits integer DEFAULT 15,
                                        chunk_length bigint DEFAULT NULL,
                                        chunk_length_norm_equality bigint DEFAULT NULL,
                                        num_proofs integer DEFAULT NULL,
                                        num_proofs_norm_equality integer DEFAULT NULL,
                                        num_wr_checks integer DEFAULT 100,
                                        num_wr_successes integer DEFAULT 100,
                                        alpha double precision DEFAULT 8.7,
                                        num_shares integer DEFAULT 2,
                                        draft text DEFAULT '01',
                                        l2_norm_bound_fixed bigint DEFAULT NULL,
                                        min_batch_size bigint DEFAULT NULL)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_pine_params' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_params(text, double precision, bigint, integer, bigint, bigint, integer, integer, integer, integer, double precision, integer, text, bigint, bigint) IS
  'Validates PINE parameters (variant Pine64 | Pine128 | Pine64HmacSha256Aes128 | Pine32HmacSha256Aes128, and under draft ''02'' also Pine40HmacSha256Aes128; the L2 bound as exactly one of l2_norm_bound, real-valued and stored as floor(l2_norm_bound * 2^num_frac_bits), or l2_norm_bound_fixed, the draft''s integer fixed-point value (22023 if both or neither); dimension required (22004 if NULL); draft ''01'' or ''02'' (draft-chen-cfrg-vdaf-pine-01 floors measurements to fixed point, -02 rounds them half to even); min_batch_size: pine_agg and pine_unshard refuse (SA022) batches of fewer reports) and returns the canonical params jsonb with the draft and every derived value: message sizes, proof lengths, max_measurements, digest. NULL optional arguments take the defaults; NULL chunk lengths are the proof-size-minimising ones.';

CREATE FUNCTION @extschema@.pine_params_check(params jsonb) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_pine_params_check' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_params_check(jsonb) IS
  'Validates a PINE params jsonb (every derived value must match its configuration) and returns its canonical form; errors with 22023 otherwise.';

-- ---------------------------------------------------------------------------
-- PINE: client
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.pine_shard(params jsonb, measurement double precision[], nonce bytea,
                                       OUT public_share bytea, OUT input_shares bytea[])
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_shard' LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_shard(jsonb, double precision[], bytea) IS
  'PINE client: shards a measurement (d floats) for a 16-byte nonce with fresh randomness, retrying when the wraparound checks fail as the draft says. input_shares[1] is the Leader''s (CONTAINS SECRETS: send each to its Aggregator only). 22003 if the L2 norm exceeds the bound.';

CREATE FUNCTION @extschema@.pine_shard(params jsonb, measurement double precision[], nonce bytea, rand bytea,
                                       OUT public_share bytea, OUT input_shares bytea[])
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_shard' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_shard(jsonb, double precision[], bytea, bytea) IS
  'PINE client with explicit randomness (rand_len bytes; for tests and test vectors): deterministic. SA021 if the wraparound checks fail for this rand.';

-- ---------------------------------------------------------------------------
-- PINE: Aggregators
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.pine_prep_init(params jsonb, verify_key bytea, agg_id integer, nonce bytea,
                                           public_share bytea, input_share bytea,
                                           OUT prep_state jsonb, OUT prep_share bytea)
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_prep_init' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_prep_init(jsonb, bytea, integer, bytea, bytea, bytea) IS
  'PINE Aggregator agg_id (0 = Leader), round 1: returns its prep state (a small jsonb holding the joint-randomness seeds and the digest of the Leader''s input share, or a Helper''s measurement-share seed: keep it private; the Leader passes its input share again to pine_prep_next or pine_prep_finish) and the prep share to send to the other Aggregators.';

CREATE FUNCTION @extschema@.pine_prep_shares_to_prep(params jsonb, prep_shares bytea[],
                                                     OUT accepted boolean, OUT prep_message bytea,
                                                     OUT reject_reason text)
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_prep_shares_to_prep' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_prep_shares_to_prep(jsonb, bytea[]) IS
  'Combines the prep shares of all Aggregators (in Aggregator order) into the prep message. A report whose proofs do not verify is not an error: accepted = false, prep_message is NULL and reject_reason names the check that failed (norm_equality_proof, norm_equality_check, main_proof, range_and_wraparound_checks); NULL when accepted.';

CREATE FUNCTION @extschema@.pine_prep_next(params jsonb, prep_state jsonb, prep_message bytea,
                                           input_share bytea DEFAULT NULL,
                                           OUT accepted boolean, OUT output_share bytea, OUT reject_reason text)
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_prep_next' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_prep_next(jsonb, jsonb, bytea, bytea) IS
  'Finishes preparation: the output share (d encoded field elements) to aggregate with pine_agg. input_share: the Leader''s input share of the report, given again (its state holds only a digest of it; 22004 without it, SA023 if it is not the one the state was made from; a Leader''s state made by 0.3.0 needs none); ignored for a Helper. A prep message that does not match the state (inconsistent joint randomness) is not an error: accepted = false, output_share is NULL and reject_reason is wraparound_joint_rand_seed or joint_rand_seed (the seed that differs, the wraparound one compared first); NULL when accepted.';

CREATE FUNCTION @extschema@.pine_prep_finish(params jsonb, prep_state jsonb, prep_shares bytea[],
                                             input_share bytea DEFAULT NULL,
                                             OUT accepted boolean, OUT prep_message bytea, OUT output_share bytea,
                                             OUT reject_reason text)
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_prep_finish' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_prep_finish(jsonb, jsonb, bytea[], bytea) IS
  'The Leader''s second step in one call: pine_prep_shares_to_prep, then pine_prep_next on its own state with input_share, the Leader''s input share of the report given again (as for pine_prep_next). prep_message (to send to the Helpers) is NULL if the proofs do not verify; accepted is false if either step rejects, and reject_reason then names the check that failed (as for those two functions).';

CREATE FUNCTION @extschema@.pine_agg_trans(bytea, jsonb, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_pine_agg_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_agg_trans(bytea, jsonb, bytea) IS 'Transition function of pine_agg and pine_agg_count.';
CREATE FUNCTION @extschema@.pine_agg_combine(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_pine_agg_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_agg_combine(bytea, bytea) IS 'Combine function of pine_agg and pine_agg_count.';
CREATE FUNCTION @extschema@.pine_agg_final(bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_pine_agg_final' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_agg_final(bytea) IS 'Final function of pine_agg.';
CREATE FUNCTION @extschema@.pine_agg_count_final(bytea) RETURNS bigint
  AS 'MODULE_PATHNAME', 'secagg_pine_agg_count' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_agg_count_final(bytea) IS 'Final function of pine_agg_count.';

CREATE AGGREGATE @extschema@.pine_agg(params jsonb, output_share bytea) (
  SFUNC = @extschema@.pine_agg_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.pine_agg_combine,
  FINALFUNC = @extschema@.pine_agg_final,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.pine_agg(jsonb, bytea) IS
  'PINE aggregate share: the element-wise sum (mod p) of the output shares of a batch; NULL for no rows. Refuses (54000) more than max_measurements reports, beyond which the sum could wrap. Use GROUP BY batch; parallel safe.';

CREATE AGGREGATE @extschema@.pine_agg_count(params jsonb, output_share bytea) (
  SFUNC = @extschema@.pine_agg_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.pine_agg_combine,
  FINALFUNC = @extschema@.pine_agg_count_final,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.pine_agg_count(jsonb, bytea) IS
  'The number of output shares pine_agg sums for the same rows (the batch size to give pine_unshard); in the same SELECT as pine_agg the two share one transition state.';

-- ---------------------------------------------------------------------------
-- PINE: Collector
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.pine_unshard(params jsonb, agg_shares bytea[], num_measurements bigint)
  RETURNS double precision[]
  AS 'MODULE_PATHNAME', 'secagg_pine_unshard' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_unshard(jsonb, bytea[], bigint) IS
  'PINE Collector: adds the aggregate shares of all Aggregators (in order) and decodes the sum of the batch''s measurements (d floats). 54000 if num_measurements exceeds max_measurements.';

-- ---------------------------------------------------------------------------
-- PINE: differential privacy on aggregate shares
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.pine_dp_scale(params jsonb, mechanism text, epsilon double precision,
                                          delta double precision DEFAULT NULL)
  RETURNS double precision
  AS 'MODULE_PATHNAME', 'secagg_pine_dp_scale' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_dp_scale(jsonb, text, double precision, double precision) IS
  'The noise scale, in the encoded (fixed-point integer) domain, that pine_agg_share_noised adds for one release of one batch: discrete_gaussian with delta: sigma for (epsilon, delta)-DP through rho-zCDP, rho = (sqrt(epsilon + ln(1/delta)) - sqrt(ln(1/delta)))^2, sigma = l2_norm_bound / sqrt(2 rho); discrete_gaussian without delta: rho-zCDP with rho = epsilon^2 / 2, sigma = l2_norm_bound / epsilon; discrete_laplace (no delta): epsilon-DP, t = min(sqrt(d) * l2_norm_bound, l2_norm_bound^2) / epsilon. Each raised by 2^-40 against rounding; 22023 for a scale too large for the field (128 * scale >= p / 2).';

CREATE FUNCTION @extschema@.pine_agg_share_noised(params jsonb, agg_share bytea, mechanism text,
                                                  epsilon double precision DEFAULT NULL,
                                                  delta double precision DEFAULT NULL,
                                                  scale double precision DEFAULT NULL)
  RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_pine_agg_share_noised' LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_agg_share_noised(jsonb, bytea, text, double precision, double precision, double precision) IS
  'Central DP: an Aggregator''s aggregate share (from pine_agg) with independent noise added to each coordinate mod p before release, drawn by exact samplers (Canonne, Kamath and Steinke 2020) from libsodium''s randomness: mechanism discrete_gaussian or discrete_laplace, of the scale pine_dp_scale gives for epsilon (and delta), or of scale (sigma or t in the encoded domain) given directly; exactly one of epsilon and scale. Every Aggregator adds its own noise: the guarantee holds if one of them is honest.';

-- ---------------------------------------------------------------------------
-- SecAgg+ graph parameters
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.graph_params(users integer, corrupt_fraction double precision,
                                         dropout_fraction double precision,
                                         server_model text DEFAULT 'honest-but-curious',
                                         k integer DEFAULT NULL, t integer DEFAULT NULL)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_graph_params' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.graph_params(integer, double precision, double precision, text, integer, integer) IS
  'SecAgg+ (Bell et al. 2020) degree k and threshold t for n users, the largest corrupt and dropout fractions and the server model (''honest-but-curious'' or ''semi-malicious''), as federated-compute''s parameter finder chooses them (2^-41 security, 2^-20 correctness per user); with k and t given, checks them against the same rules (22023 names the rule that fails). Returns jsonb with k, t, the inputs and the bounds met.';

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

-- ---------------------------------------------------------------------------
-- Quantization: the server's side (clients quantize with libsecagg or the
-- Python package)
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.dequantize(sum bigint[], clients bigint, clip double precision, bits integer)
  RETURNS double precision[]
  AS 'MODULE_PATHNAME', 'secagg_dequantize' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.dequantize(bigint[], bigint, double precision, integer) IS
  'The sum of the clients'' real vectors from the secure sum (output_vector) of their quantized words: out_i = S_i * 2 clip / (2^bits - 1) - clients * clip, the inverse of libsecagg''s secagg_quantize (clip to [-clip, clip], stochastic rounding to 2^bits levels). 22003 if no such number of clients can give the sum.';

CREATE FUNCTION @extschema@.dequantize_weighted(sum bigint[], clip double precision, bits integer)
  RETURNS double precision[]
  AS 'MODULE_PATHNAME', 'secagg_dequantize_weighted' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.dequantize_weighted(bigint[], double precision, integer) IS
  'The weighted mean of the clients'' real vectors from the secure sum [W, S_1..S_m] of their weighted quantized words [w, w q_1..w q_m] (secagg_quantize_weighted): out_i = (S_i / W) * 2 clip / (2^bits - 1) - clip. 22003 if W = 0 or no weights summing to W can give the sum.';

CREATE FUNCTION @extschema@.output_kind(output bytea) RETURNS text
  AS 'MODULE_PATHNAME', 'secagg_output_kind' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.output_kind(bytea) IS
  'What a round output holds: ''messages'' (one per user), ''broadcast'' (one message for all, stored once), ''derived'' (SecAgg+ rounds 0 and 3: each user''s message derived from a list stored once), ''routed'' (SecAgg+ round 1: U2 and digests; the messages are routed with share_routes and share_message_agg), ''unmask'' (SecAgg+ round 4: the responders and digests; the sum comes from unmask_shares, unmask_secret_agg and unmask_agg) or ''vector'' (the sum).';

-- ---------------------------------------------------------------------------
-- SecAgg+ round 1 (ShareKeys) routed as rows.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.share_routes(output bytea, user_id bigint, message bytea,
                                         OUT recipient bigint, OUT route bytea)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'secagg_share_routes' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.share_routes(bytea, bigint, bytea) IS
  'SecAgg+ round 1: splits the ShareKeys message of user_id into one route per ciphertext whose recipient is still in the session, after checking it is the message the round accepted from that user (SA004 otherwise); a user the round did not accept gets no routes, so the whole inbox of the round can be joined. output is the round-1 output of server_round_agg or server_round.';

CREATE FUNCTION @extschema@.share_message_trans(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_share_message_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.share_message_trans(bytea, bytea) IS 'Transition function of share_message_agg.';
CREATE FUNCTION @extschema@.share_message_combine(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_share_message_combine' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.share_message_combine(bytea, bytea) IS 'Combine function of share_message_agg.';
CREATE FUNCTION @extschema@.share_message_final(bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_share_message_final' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.share_message_final(bytea) IS 'Final function of share_message_agg.';
CREATE AGGREGATE @extschema@.share_message_agg(route bytea) (
  SFUNC = @extschema@.share_message_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.share_message_combine,
  FINALFUNC = @extschema@.share_message_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.share_message_agg(bytea) IS
  'SecAgg+ round 1: one user''s round-2 message from the routes addressed to it (share_routes ... GROUP BY recipient), in any order; the same bytes a client expects.';

-- ---------------------------------------------------------------------------
-- SecAgg+ round 4 (Unmasking) routed as rows.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.unmask_shares(output bytea, user_id bigint, message bytea,
                                          OUT owner bigint, OUT share bytea)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'secagg_unmask_shares' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.unmask_shares(bytea, bigint, bytea) IS
  'SecAgg+ round 4: splits the Unmasking message of user_id into one share per owner (a share of its b, or of its s-key seed), after checking it is the message the round accepted from that user (SA004 otherwise); a user the round did not accept gives no rows. output is the round-4 output of server_round_agg or server_round. The shares are secret-bearing: rebuild them with unmask_secret_agg in the same statement.';

CREATE FUNCTION @extschema@.unmask_secret_trans(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_unmask_secret_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unmask_secret_trans(bytea, bytea) IS 'Transition function of unmask_secret_agg.';
CREATE FUNCTION @extschema@.unmask_secret_combine(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_unmask_secret_combine' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unmask_secret_combine(bytea, bytea) IS 'Combine function of unmask_secret_agg.';
CREATE FUNCTION @extschema@.unmask_secret_final(bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_unmask_secret_final' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unmask_secret_final(bytea) IS 'Final function of unmask_secret_agg.';
CREATE AGGREGATE @extschema@.unmask_secret_agg(share bytea) (
  SFUNC = @extschema@.unmask_secret_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.unmask_secret_combine,
  FINALFUNC = @extschema@.unmask_secret_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.unmask_secret_agg(bytea) IS
  'SecAgg+ round 4: one user''s secret rebuilt from the shares its neighbours revealed (unmask_shares ... GROUP BY owner), checked against its commitment or public key; one wrong share is found and left out (SA010 if no t shares check).';

CREATE FUNCTION @extschema@.unmask_trans(bytea, bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_unmask_trans' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unmask_trans(bytea, bytea, bytea) IS 'Transition function of unmask_agg.';
CREATE FUNCTION @extschema@.unmask_combine(bytea, bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_unmask_combine' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unmask_combine(bytea, bytea) IS 'Combine function of unmask_agg.';
CREATE FUNCTION @extschema@.unmask_final(bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'secagg_unmask_final' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unmask_final(bytea) IS 'Final function of unmask_agg.';
CREATE AGGREGATE @extschema@.unmask_agg(output bytea, secret bytea) (
  SFUNC = @extschema@.unmask_trans, STYPE = bytea,
  COMBINEFUNC = @extschema@.unmask_combine,
  FINALFUNC = @extschema@.unmask_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.unmask_agg(bytea, bytea) IS
  'SecAgg+ round 4: the round''s final output (the sum, output_vector) from its round-4 output and the secrets unmask_secret_agg rebuilt, one per owner (GROUP BY session); every needed secret must be there once and is checked again (SA010 naming the user otherwise).';

-- The support functions of the row aggregates: callable only through them
-- (see "Aggregate support functions" above).
REVOKE EXECUTE ON FUNCTION
  @extschema@.share_message_trans(bytea, bytea),
  @extschema@.share_message_combine(bytea, bytea),
  @extschema@.share_message_final(bytea),
  @extschema@.unmask_secret_trans(bytea, bytea),
  @extschema@.unmask_secret_combine(bytea, bytea),
  @extschema@.unmask_secret_final(bytea),
  @extschema@.unmask_trans(bytea, bytea, bytea),
  @extschema@.unmask_combine(bytea, bytea),
  @extschema@.unmask_final(bytea)
  FROM PUBLIC;
