-- secagg 0.3.0 -> 0.4.0.
-- * SecAgg+ sessions (Bell et al. 2020): server_create and client_create take
--   an optional graph (the jsonb of graph_params); sessions of 0.3.0 (the
--   complete graph) continue unchanged, their states and messages are read
--   as before.
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

