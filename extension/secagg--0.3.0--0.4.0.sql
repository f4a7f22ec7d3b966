-- secagg 0.3.0 -> 0.4.0.
\echo Use "ALTER EXTENSION secagg UPDATE TO '0.4.0'" to load this file. \quit

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
