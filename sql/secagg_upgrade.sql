-- The update path 0.1.0 -> 0.2.0 -> 0.2.1 -> 0.3.0 -> 0.4.0 ends with the same
-- objects, markings, comments and privileges as a fresh install of 0.4.0
-- (its own base script, secagg--0.4.0.sql, so an update script that forgets
-- an object or a REVOKE shows up here), and the PINE functions work after it.
SET client_min_messages = warning;
CREATE TEMP VIEW ext_objects AS
  SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS obj,
         obj_description(d.objid, c.relname) AS comment,
         (SELECT row(p.provolatile, p.proparallel, p.proisstrict, p.prosrc, p.prokind, p.proargnames, p.proargdefaults IS NULL, p.proacl)::text
          FROM pg_proc p WHERE d.classid = 'pg_proc'::regclass AND p.oid = d.objid) AS markings
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secagg'
  JOIN pg_class c ON c.oid = d.classid
  WHERE d.deptype = 'e';
CREATE TEMP TABLE fresh AS SELECT * FROM ext_objects;
SELECT extversion FROM pg_extension WHERE extname = 'secagg';

DROP EXTENSION secagg CASCADE;
CREATE EXTENSION secagg VERSION '0.1.0';
SELECT extversion, (SELECT count(*) FROM pg_proc WHERE proname LIKE 'pine%') AS pine_objects
FROM pg_extension WHERE extname = 'secagg';
ALTER EXTENSION secagg UPDATE TO '0.2.0';
SELECT extversion, (SELECT count(*) FROM pg_proc WHERE proname LIKE 'pine%') AS pine_objects
FROM pg_extension WHERE extname = 'secagg';
SELECT obj_description('secagg.pine_prep_init(jsonb, bytea, integer, bytea, bytea, bytea)'::regprocedure) LIKE '%share of the measurement%' AS comment_of_0_2_0;
ALTER EXTENSION secagg UPDATE TO '0.2.1';
SELECT extversion FROM pg_extension WHERE extname = 'secagg';
ALTER EXTENSION secagg UPDATE TO '0.3.0';
SELECT extversion FROM pg_extension WHERE extname = 'secagg';
ALTER EXTENSION secagg UPDATE TO '0.4.0';
SELECT extversion FROM pg_extension WHERE extname = 'secagg';
-- the aggregate support functions are executable by their owner only
SELECT count(*) AS revoked_support_functions FROM fresh WHERE markings LIKE '%{postgres=X/postgres}%';

-- Differences between the updated and the fresh install (none expected).
(SELECT 'only after update' AS side, * FROM ext_objects EXCEPT SELECT 'only after update', * FROM fresh)
UNION ALL
(SELECT 'only in fresh install', * FROM fresh EXCEPT SELECT 'only in fresh install', * FROM ext_objects)
ORDER BY 1, 2;
SELECT count(*) > 0 AS compared FROM fresh;

-- The PINE objects work after the update.
SELECT (secagg.pine_params('Pine64', 1.0, 20, 7, 150, 4)->>'leader_input_share_len')::int AS leader_input_share_len;
