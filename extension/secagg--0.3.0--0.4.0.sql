-- secagg 0.3.0 -> 0.4.0.
-- * SecAgg+ sessions (Bell et al. 2020): server_create and client_create take
--   an optional graph (the jsonb of graph_params); sessions of 0.3.0 (the
--   complete graph) continue unchanged, their states and messages are read
--   as before.
-- * PINE draft -02: pine_params takes draft text DEFAULT '01'.
-- * dequantize, dequantize_weighted: the server side of client quantization.
-- * PINE for operators: the L2 bound as the draft's integer
--   (l2_norm_bound_fixed), rejection reasons as values (reject_reason),
--   min_batch_size, differential privacy on aggregate shares.
-- * PINE: the Leader's prep state is small (seeds and the digest of its input
--   share); pine_prep_next and pine_prep_finish take input_share.
\echo Use "ALTER EXTENSION secagg UPDATE TO '0.4.0'" to load this file. \quit

DROP FUNCTION @extschema@.server_create(bytea, integer, integer, bytea);
CREATE FUNCTION @extschema@.server_create(session_id bytea, threshold integer, vector_length integer, roster bytea,
                                          graph jsonb DEFAULT NULL)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_server_create' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.server_create(bytea, integer, integer, bytea, jsonb) IS
  'Creates the server state (jsonb, no secrets) of a session with vectors of vector_length bigints. Without graph: the complete graph, n/2 < threshold <= n, at most 2048 users. With graph (the jsonb of graph_params for this roster): a SecAgg+ session on a Harary graph of degree k, threshold = the graph''s t of each neighbourhood, up to 1,000,000 users.';

DROP FUNCTION @extschema@.client_create(bytea, bigint, integer, bytea, bigint[], bytea);
CREATE FUNCTION @extschema@.client_create(session_id bytea, user_id bigint, threshold integer,
                                          sign_secret_key bytea, vector bigint[], roster bytea,
                                          graph jsonb DEFAULT NULL)
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_client_create' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.client_create(bytea, bigint, integer, bytea, bigint[], bytea, jsonb) IS
  'Creates a user''s client state (jsonb, CONTAINS SECRETS) holding its signing key and the vector to aggregate; graph as for server_create (the same object the server used).';


-- PINE draft -02 and the operator's options: pine_params gains trailing
-- arguments draft text DEFAULT '01', l2_norm_bound_fixed bigint and
-- min_batch_size bigint; l2_norm_bound and dimension default to NULL (one of
-- the two bounds must be given, dimension always). The canonical parameter
-- object records the draft (and min_batch_size when set); objects made by
-- 0.3.0, without them, are draft '01' with no minimum and keep their digest.
DROP FUNCTION @extschema@.pine_params(text, double precision, bigint, integer, bigint, bigint, integer, integer, integer, integer, double precision, integer);
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

-- Rejection reasons: the preparation functions gain OUT reject_reason text.
-- The Leader's prep state holds the digest of its input share instead of its
-- output share: pine_prep_next and pine_prep_finish gain input_share bytea
-- DEFAULT NULL, the Leader's input share given again (states made by 0.3.0,
-- holding the output share, still finish without it).
DROP FUNCTION @extschema@.pine_prep_shares_to_prep(jsonb, bytea[]);
DROP FUNCTION @extschema@.pine_prep_next(jsonb, jsonb, bytea);
DROP FUNCTION @extschema@.pine_prep_finish(jsonb, jsonb, bytea[]);
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

COMMENT ON FUNCTION @extschema@.pine_prep_init(jsonb, bytea, integer, bytea, bytea, bytea) IS
  'PINE Aggregator agg_id (0 = Leader), round 1: returns its prep state (a small jsonb holding the joint-randomness seeds and the digest of the Leader''s input share, or a Helper''s measurement-share seed: keep it private; the Leader passes its input share again to pine_prep_next or pine_prep_finish) and the prep share to send to the other Aggregators.';

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
