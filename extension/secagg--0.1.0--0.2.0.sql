-- secagg 0.1.0 -> 0.2.0: the PINE VDAF (draft-chen-cfrg-vdaf-pine-01).
\echo Use "ALTER EXTENSION secagg UPDATE TO '0.2.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- PINE: parameters
--
-- Every PINE function takes the canonical parameter jsonb that pine_params()
-- returns. Outcomes of verification are values (accepted = false), not
-- errors. Errors: 22023 bad parameters or arguments, 22P03 malformed bytes
-- (wrong lengths, bad headers), 22003 non-canonical field elements or a
-- measurement over the norm bound, 22004 NULL arguments, 54000 the batch cap
-- (max_measurements), SA021 the client's wraparound checks failed for the
-- given rand (retry with fresh randomness), SA020 a report rejected by
-- pine_prep_init (negligible probability).
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.pine_params(variant text, l2_norm_bound double precision, dimension bigint,
                                        num_frac_bits integer DEFAULT 15,
                                        chunk_length bigint DEFAULT NULL,
                                        chunk_length_norm_equality bigint DEFAULT NULL,
                                        num_proofs integer DEFAULT NULL,
                                        num_proofs_norm_equality integer DEFAULT NULL,
                                        num_wr_checks integer DEFAULT 100,
                                        num_wr_successes integer DEFAULT 100,
                                        alpha double precision DEFAULT 8.7,
                                        num_shares integer DEFAULT 2)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_pine_params' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_params(text, double precision, bigint, integer, bigint, bigint, integer, integer, integer, integer, double precision, integer) IS
  'Validates PINE parameters (variant Pine64 | Pine128 | Pine64HmacSha256Aes128 | Pine32HmacSha256Aes128; l2_norm_bound is real-valued and stored as floor(l2_norm_bound * 2^num_frac_bits)) and returns the canonical params jsonb with every derived value: message sizes, proof lengths, max_measurements, digest. NULL optional arguments take the defaults; NULL chunk lengths are the proof-size-minimising ones.';

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
  'PINE Aggregator agg_id (0 = Leader), round 1: returns its prep state (jsonb holding its share of the measurement: keep it private) and the prep share to send to the other Aggregators.';

CREATE FUNCTION @extschema@.pine_prep_shares_to_prep(params jsonb, prep_shares bytea[],
                                                     OUT accepted boolean, OUT prep_message bytea)
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_prep_shares_to_prep' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_prep_shares_to_prep(jsonb, bytea[]) IS
  'Combines the prep shares of all Aggregators (in Aggregator order) into the prep message. A report whose proofs do not verify is not an error: accepted = false and prep_message is NULL.';

CREATE FUNCTION @extschema@.pine_prep_next(params jsonb, prep_state jsonb, prep_message bytea,
                                           OUT accepted boolean, OUT output_share bytea)
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_prep_next' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_prep_next(jsonb, jsonb, bytea) IS
  'Finishes preparation: the output share (d encoded field elements) to aggregate with pine_agg. A prep message that does not match the state (inconsistent joint randomness) is not an error: accepted = false and output_share is NULL.';

CREATE FUNCTION @extschema@.pine_prep_finish(params jsonb, prep_state jsonb, prep_shares bytea[],
                                             OUT accepted boolean, OUT prep_message bytea, OUT output_share bytea)
  RETURNS record
  AS 'MODULE_PATHNAME', 'secagg_pine_prep_finish' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_prep_finish(jsonb, jsonb, bytea[]) IS
  'The Leader''s second step in one call: pine_prep_shares_to_prep, then pine_prep_next on its own state. prep_message (to send to the Helpers) is NULL if the proofs do not verify; accepted is false if either step rejects.';

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
