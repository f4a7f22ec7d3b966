-- Catalog checks: schema, comments, volatility and parallel safety.
SELECT extname, extversion, nspname AS schema
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'secagg';

-- Every function, aggregate and type of the extension has a comment.
SELECT p.oid::regprocedure AS missing_comment
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secagg'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
SELECT t.oid::regtype AS missing_comment
FROM pg_type t JOIN pg_depend d ON d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secagg'
WHERE obj_description(t.oid, 'pg_type') IS NULL;

-- Random functions are volatile; everything is parallel safe except the trigger.
SELECT p.proname, p.provolatile, p.proparallel, p.prokind
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'secagg' AND p.proname NOT LIKE '%\_trans' AND p.proname NOT LIKE '%\_combine'
  AND p.proname NOT LIKE '%\_final'
ORDER BY p.proname, p.provolatile;

-- Aggregates have combine functions and flat bytea states.
SELECT a.aggfnoid::regprocedure, a.aggtranstype::regtype, a.aggcombinefn <> 0 AS has_combine
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'secagg' ORDER BY 1::text;

-- Version upgrade paths known to the server.
SELECT source, target FROM pg_extension_update_paths('secagg') WHERE path IS NOT NULL ORDER BY 1, 2;

-- Settings: secagg.malloc_trim_threshold is fixed for the life of a backend.
LOAD 'secagg';
SHOW secagg.threads;
SHOW secagg.malloc_trim_threshold;
SET secagg.malloc_trim_threshold = 0;
