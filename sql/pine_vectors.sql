-- Every official draft-chen-cfrg-vdaf-pine-01 test vector (under draft '01')
-- and every official -02 vector of Pine40HmacSha256Aes128 (under draft
-- '02'), byte for byte, through the SQL functions: public share, input
-- shares, prep shares, prep message, output shares, aggregate shares
-- (pine_agg) and the result.
-- pg_regress runs psql from the repository root.
SET client_min_messages = warning;
CREATE SCHEMA pv;
SET search_path = pv, public;
CREATE TABLE vec (name text PRIMARY KEY, doc jsonb, draft text NOT NULL DEFAULT '01');
\set v `cat test/vectors/pine-01/Pine32HmacSha256Aes128_0.json`
INSERT INTO vec VALUES ('Pine32HmacSha256Aes128_0', :'v');
\set v `cat test/vectors/pine-01/Pine32HmacSha256Aes128_1.json`
INSERT INTO vec VALUES ('Pine32HmacSha256Aes128_1', :'v');
\set v `cat test/vectors/pine-01/Pine32HmacSha256Aes128_2.json`
INSERT INTO vec VALUES ('Pine32HmacSha256Aes128_2', :'v');
\set v `cat test/vectors/pine-01/Pine32HmacSha256Aes128_3.json`
INSERT INTO vec VALUES ('Pine32HmacSha256Aes128_3', :'v');
\set v `cat test/vectors/pine-01/Pine32HmacSha256Aes128_4.json`
INSERT INTO vec VALUES ('Pine32HmacSha256Aes128_4', :'v');
\set v `cat test/vectors/pine-01/Pine32HmacSha256Aes128_5.json`
INSERT INTO vec VALUES ('Pine32HmacSha256Aes128_5', :'v');
\set v `cat test/vectors/pine-01/Pine32HmacSha256Aes128_6.json`
INSERT INTO vec VALUES ('Pine32HmacSha256Aes128_6', :'v');
\set v `cat test/vectors/pine-01/Pine32HmacSha256Aes128_7.json`
INSERT INTO vec VALUES ('Pine32HmacSha256Aes128_7', :'v');
\set v `cat test/vectors/pine-01/Pine64HmacSha256Aes128_0.json`
INSERT INTO vec VALUES ('Pine64HmacSha256Aes128_0', :'v');
\set v `cat test/vectors/pine-01/Pine64HmacSha256Aes128_1.json`
INSERT INTO vec VALUES ('Pine64HmacSha256Aes128_1', :'v');
\set v `cat test/vectors/pine-01/Pine64HmacSha256Aes128_2.json`
INSERT INTO vec VALUES ('Pine64HmacSha256Aes128_2', :'v');
\set v `cat test/vectors/pine-01/Pine64HmacSha256Aes128_3.json`
INSERT INTO vec VALUES ('Pine64HmacSha256Aes128_3', :'v');
\set v `cat test/vectors/pine-01/Pine64HmacSha256Aes128_4.json`
INSERT INTO vec VALUES ('Pine64HmacSha256Aes128_4', :'v');
\set v `cat test/vectors/pine-01/Pine64HmacSha256Aes128_5.json`
INSERT INTO vec VALUES ('Pine64HmacSha256Aes128_5', :'v');
\set v `cat test/vectors/pine-01/Pine64HmacSha256Aes128_6.json`
INSERT INTO vec VALUES ('Pine64HmacSha256Aes128_6', :'v');
\set v `cat test/vectors/pine-01/Pine64HmacSha256Aes128_7.json`
INSERT INTO vec VALUES ('Pine64HmacSha256Aes128_7', :'v');
\set v `cat test/vectors/pine-01/Pine64_0.json`
INSERT INTO vec VALUES ('Pine64_0', :'v');
\set v `cat test/vectors/pine-01/Pine64_1.json`
INSERT INTO vec VALUES ('Pine64_1', :'v');
\set v `cat test/vectors/pine-01/Pine64_2.json`
INSERT INTO vec VALUES ('Pine64_2', :'v');
\set v `cat test/vectors/pine-01/Pine64_3.json`
INSERT INTO vec VALUES ('Pine64_3', :'v');
\set v `cat test/vectors/pine-01/Pine128_0.json`
INSERT INTO vec VALUES ('Pine128_0', :'v');
\set v `cat test/vectors/pine-01/Pine128_1.json`
INSERT INTO vec VALUES ('Pine128_1', :'v');
\set v `cat test/vectors/pine-01/Pine128_2.json`
INSERT INTO vec VALUES ('Pine128_2', :'v');
\set v `cat test/vectors/pine-01/Pine128_3.json`
INSERT INTO vec VALUES ('Pine128_3', :'v');
\set v `cat test/vectors/pine-02/Pine40HmacSha256Aes128_0.json`
INSERT INTO vec VALUES ('Pine40HmacSha256Aes128_0', :'v', '02');
\set v `cat test/vectors/pine-02/Pine40HmacSha256Aes128_1.json`
INSERT INTO vec VALUES ('Pine40HmacSha256Aes128_1', :'v', '02');
\set v `cat test/vectors/pine-02/Pine40HmacSha256Aes128_2.json`
INSERT INTO vec VALUES ('Pine40HmacSha256Aes128_2', :'v', '02');
\set v `cat test/vectors/pine-02/Pine40HmacSha256Aes128_3.json`
INSERT INTO vec VALUES ('Pine40HmacSha256Aes128_3', :'v', '02');
\set v `cat test/vectors/pine-02/Pine40HmacSha256Aes128_4.json`
INSERT INTO vec VALUES ('Pine40HmacSha256Aes128_4', :'v', '02');
\set v `cat test/vectors/pine-02/Pine40HmacSha256Aes128_5.json`
INSERT INTO vec VALUES ('Pine40HmacSha256Aes128_5', :'v', '02');
\unset v
SELECT draft, count(*) AS vector_files FROM vec GROUP BY draft ORDER BY draft;

-- Parameters from a vector file (the XOF and field come from the file name).
CREATE FUNCTION vec_params(name text, v jsonb, draft text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT secagg.pine_params(regexp_replace(name, '_[0-9]+$', ''),
           (v->>'l2_norm_bound')::float8 / 2 ^ (v->>'num_frac_bits')::int,
           (v->>'dimension')::bigint, (v->>'num_frac_bits')::int,
           (v->>'chunk_length')::bigint, (v->>'chunk_length_norm_equality')::bigint,
           (v->>'proofs')::int, (v->>'proofs_norm_equality')::int,
           (v->>'num_wr_checks')::int, (v->>'num_wr_successes')::int,
           (v->>'alpha')::float8, (v->>'shares')::int, draft) $$;

CREATE FUNCTION hexarr(j jsonb) RETURNS bytea[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(decode(x, 'hex') ORDER BY i) FROM jsonb_array_elements_text(j) WITH ORDINALITY t(x, i) $$;

CREATE TABLE task AS
  SELECT name, doc, vec_params(name, doc, draft) AS params, decode(doc->>'verify_key', 'hex') AS vk FROM vec;

-- One row per report, from the client's side.
CREATE TABLE report AS
  SELECT t.name, r.i AS report, r.x AS rep,
         ARRAY(SELECT jsonb_array_elements_text(r.x->'measurement')::float8) AS measurement,
         decode(r.x->>'nonce', 'hex') AS nonce, decode(r.x->>'rand', 'hex') AS rand
  FROM task t, jsonb_array_elements(t.doc->'prep') WITH ORDINALITY r(x, i);

CREATE TABLE sharded AS
  SELECT r.name, r.report, s.public_share, s.input_shares
  FROM report r JOIN task t USING (name),
       LATERAL secagg.pine_shard(t.params, r.measurement, r.nonce, r.rand) s;

-- Each Aggregator prepares from the vector's own bytes.
CREATE TABLE prep1 AS
  SELECT r.name, r.report, j.agg_id, p.prep_state, p.prep_share,
         decode(r.rep->'input_shares'->>j.agg_id, 'hex') AS input_share
  FROM report r JOIN task t USING (name),
       generate_series(0, (t.params->>'num_shares')::int - 1) j(agg_id),
       LATERAL secagg.pine_prep_init(t.params, t.vk, j.agg_id, r.nonce,
                                     decode(r.rep->>'public_share', 'hex'),
                                     decode(r.rep->'input_shares'->>j.agg_id, 'hex')) p;

CREATE TABLE prepmsg AS
  SELECT p.name, p.report, m.accepted, m.prep_message
  FROM (SELECT name, report, array_agg(prep_share ORDER BY agg_id) AS shares FROM prep1 GROUP BY 1, 2) p
  JOIN task t USING (name), LATERAL secagg.pine_prep_shares_to_prep(t.params, p.shares) m;

CREATE TABLE outshare AS
  SELECT p.name, p.report, p.agg_id, o.accepted, o.output_share
  FROM prep1 p JOIN prepmsg m USING (name, report) JOIN task t USING (name),
       LATERAL secagg.pine_prep_next(t.params, p.prep_state, m.prep_message, p.input_share) o;

-- The Leader's one-call variant gives the same message and output share.
CREATE TABLE finish AS
  SELECT p.name, p.report, f.*
  FROM (SELECT name, report, array_agg(prep_share ORDER BY agg_id) AS shares FROM prep1 GROUP BY 1, 2) p
  JOIN prep1 l ON l.name = p.name AND l.report = p.report AND l.agg_id = 0
  JOIN task t ON t.name = p.name, LATERAL secagg.pine_prep_finish(t.params, l.prep_state, p.shares, l.input_share) f;

CREATE TABLE aggshare AS
  SELECT o.name, o.agg_id, secagg.pine_agg(t.params, o.output_share) AS agg_share,
         secagg.pine_agg_count(t.params, o.output_share) AS n
  FROM outshare o JOIN task t USING (name) GROUP BY o.name, o.agg_id;

SELECT t.name, t.params->>'draft' AS draft, t.params->>'field' AS field,
  (SELECT bool_and(s.public_share = decode(r.rep->>'public_share', 'hex') AND s.input_shares = hexarr(r.rep->'input_shares'))
     FROM sharded s JOIN report r USING (name, report) WHERE s.name = t.name) AS shard,
  (SELECT bool_and(p.prep_share = decode(r.rep->'prep_shares'->0->>p.agg_id, 'hex')
                   AND length(p.prep_share) = (t.params->>'prep_share_len')::int)
     FROM prep1 p JOIN report r USING (name, report) WHERE p.name = t.name) AS prep_shares,
  (SELECT bool_and(m.accepted AND m.prep_message = decode(r.rep->'prep_messages'->>0, 'hex'))
     FROM prepmsg m JOIN report r USING (name, report) WHERE m.name = t.name) AS prep_msg,
  (SELECT bool_and(o.accepted AND o.output_share = (SELECT string_agg(decode(x, 'hex'), ''::bytea ORDER BY i)
                   FROM jsonb_array_elements_text(r.rep->'out_shares'->o.agg_id) WITH ORDINALITY e(x, i)))
     FROM outshare o JOIN report r USING (name, report) WHERE o.name = t.name) AS out_shares,
  (SELECT bool_and(f.accepted AND f.prep_message = m.prep_message AND f.output_share = o.output_share)
     FROM finish f JOIN prepmsg m USING (name, report) JOIN outshare o USING (name, report)
     WHERE f.name = t.name AND o.agg_id = 0) AS finish,
  (SELECT bool_and(a.agg_share = decode(t.doc->'agg_shares'->>a.agg_id, 'hex') AND a.n = jsonb_array_length(t.doc->'prep'))
     FROM aggshare a WHERE a.name = t.name) AS agg_shares,
  secagg.pine_unshard(t.params, (SELECT array_agg(agg_share ORDER BY agg_id) FROM aggshare a WHERE a.name = t.name),
                      jsonb_array_length(t.doc->'prep'))
    = ARRAY(SELECT jsonb_array_elements_text(t.doc->'agg_result')::float8) AS result
FROM task t ORDER BY t.name COLLATE "C";

-- Counts: every check above ran over every report and Aggregator.
SELECT (SELECT count(*) FROM sharded) AS reports, (SELECT count(*) FROM prep1) AS prep_inits,
       (SELECT count(*) FROM outshare WHERE accepted) AS accepted_output_shares;

RESET search_path;
DROP SCHEMA pv CASCADE;
