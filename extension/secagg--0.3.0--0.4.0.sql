-- secagg 0.3.0 -> 0.4.0.
-- * SecAgg+ sessions (Bell et al. 2020): server_create and client_create take
--   an optional graph (the jsonb of graph_params); sessions of 0.3.0 (the
--   complete graph) continue unchanged, their states and messages are read
--   as before.
-- * PINE draft -02: pine_params takes draft text DEFAULT '01'.
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


-- PINE draft -02: pine_params gains a trailing argument draft text DEFAULT '01'
-- (the canonical parameter object records the draft; objects made by 0.3.0,
-- without it, are draft '01' and keep their digest).
DROP FUNCTION @extschema@.pine_params(text, double precision, bigint, integer, bigint, bigint, integer, integer, integer, integer, double precision, integer);
CREATE FUNCTION @extschema@.pine_params(variant text, l2_norm_bound double precision, dimension bigint,
                                        num_frac_bits integer DEFAULT 15,
                                        chunk_length bigint DEFAULT NULL,
                                        chunk_length_norm_equality bigint DEFAULT NULL,
                                        num_proofs integer DEFAULT NULL,
                                        num_proofs_norm_equality integer DEFAULT NULL,
                                        num_wr_checks integer DEFAULT 100,
                                        num_wr_successes integer DEFAULT 100,
                                        alpha double precision DEFAULT 8.7,
                                        num_shares integer DEFAULT 2,
                                        draft text DEFAULT '01')
  RETURNS jsonb
  AS 'MODULE_PATHNAME', 'secagg_pine_params' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pine_params(text, double precision, bigint, integer, bigint, bigint, integer, integer, integer, integer, double precision, integer, text) IS
  'Validates PINE parameters (variant Pine64 | Pine128 | Pine64HmacSha256Aes128 | Pine32HmacSha256Aes128, and under draft ''02'' also Pine40HmacSha256Aes128; l2_norm_bound is real-valued and stored as floor(l2_norm_bound * 2^num_frac_bits); draft ''01'' or ''02'' (draft-chen-cfrg-vdaf-pine-01 floors measurements to fixed point, -02 rounds them half to even)) and returns the canonical params jsonb with the draft and every derived value: message sizes, proof lengths, max_measurements, digest. NULL optional arguments take the defaults; NULL chunk lengths are the proof-size-minimising ones.';
