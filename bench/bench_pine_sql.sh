#!/usr/bin/env bash
# SQL-level PINE preparation against the C core (target: SQL-level prep
# within 1.2x of the C core), Pine64, l2 bound 1.0, 15 fractional bits,
# 2 Aggregators, proof-size-minimising chunk lengths (as bench/bench_pine.c).
#
#   bench/bench_pine_sql.sh [DIMENSIONS...]      default: 1000 10000 100000
#
# For each d: the C core's medians come from build/bench/bench_pine; the SQL
# figures are medians over RUNS runs of one statement that prepares a whole
# table of N reports (the set-level form:
#   SELECT ... FROM report r, LATERAL secagg.pine_prep_init(...) p),
# timed inside the server, divided by N. Also reported: the Leader's
# pine_prep_finish, the Helper's pine_prep_next, the pine_agg fold, and the
# same batch prep with 2 parallel workers.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
trap stop_clusters EXIT
export PATH="$PG_BIN:$PATH"
if [ ! -f "$("$PG_BIN/pg_config" --sharedir)/extension/secagg--0.1.0--0.2.0.sql" ]; then
	install_deps
	build_and_install
fi
make -s build/bench/bench_pine >/dev/null
DIMS=${*:-1000 10000 100000}
RUNS=${RUNS:-7}
start_cluster pinebench 54413
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
psql <<'SQL'
CREATE EXTENSION secagg;
CREATE TABLE timing (d int, what text, run int, ms_per_report float8);
-- Runs a statement RUNS times and records the time per report.
CREATE FUNCTION bench(d int, what text, q text, n int, runs int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
  EXECUTE q;   -- warm-up (caches, TOAST pages)
  FOR i IN 1 .. runs LOOP
    t0 := clock_timestamp();
    EXECUTE q;
    INSERT INTO timing VALUES (d, what, i, extract(epoch FROM clock_timestamp() - t0) * 1000 / n);
  END LOOP;
END $$;
SQL

printf '%-8s %-22s %12s %12s %8s\n' "d" "step (Pine64)" "C ms" "SQL ms" "SQL/C"
for d in $DIMS; do
	n=$(( d >= 100000 ? 12 : d >= 10000 ? 60 : 300 ))
	# the C core right before and right after the SQL runs (the mean of the two medians)
	cout=$(./build/bench/bench_pine d "$d" | awk '/^Pine64 /{p=1; next} /^Pine/{p=0} p')
	psql -o /dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS task, report, prep, outcome;
CREATE TABLE task AS SELECT secagg.pine_params('Pine64', 1.0, $d) AS params, '\x000102030405060708090a0b0c0d0e0f'::bytea AS vk;
CREATE TABLE report AS
  SELECT i, decode(md5('n' || i), 'hex') AS nonce, s.public_share, s.input_shares[1] AS leader, s.input_shares[2] AS helper
  FROM generate_series(1, $n) i, task t,
       LATERAL secagg.pine_shard(t.params, ARRAY(SELECT sin(i + j) / sqrt($d) FROM generate_series(1, $d) j)::float8[], decode(md5('n' || i), 'hex')) s;
ANALYZE report;
SET max_parallel_workers_per_gather = 0;
SELECT bench($d, 'prep_init leader',
  'SELECT count(p.prep_share) FROM report r, task t, LATERAL secagg.pine_prep_init(t.params, t.vk, 0, r.nonce, r.public_share, r.leader) p', $n, $RUNS);
SELECT bench($d, 'prep_init helper',
  'SELECT count(p.prep_share) FROM report r, task t, LATERAL secagg.pine_prep_init(t.params, t.vk, 1, r.nonce, r.public_share, r.helper) p', $n, $RUNS);
CREATE TABLE prep AS
  SELECT r.i, l.prep_state AS l_state, l.prep_share AS l_share, h.prep_state AS h_state, h.prep_share AS h_share
  FROM report r, task t,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 0, r.nonce, r.public_share, r.leader) l,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 1, r.nonce, r.public_share, r.helper) h;
SELECT bench($d, 'prep_finish leader',
  'SELECT count(f.output_share) FROM prep p, task t, LATERAL secagg.pine_prep_finish(t.params, p.l_state, ARRAY[p.l_share, p.h_share]) f', $n, $RUNS);
CREATE TABLE outcome AS
  SELECT p.i, p.h_state, f.prep_message, f.output_share
  FROM prep p, task t, LATERAL secagg.pine_prep_finish(t.params, p.l_state, ARRAY[p.l_share, p.h_share]) f;
SELECT bench($d, 'prep_next helper',
  'SELECT count(n.output_share) FROM outcome o, task t, LATERAL secagg.pine_prep_next(t.params, o.h_state, o.prep_message) n', $n, $RUNS);
SELECT bench($d, 'pine_agg fold',
  'SELECT length(secagg.pine_agg(t.params, o.output_share)) FROM outcome o, task t GROUP BY t.params', $n, $RUNS);
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT bench($d, 'prep_init leader x2 wk',
  'SELECT count(p.prep_share) FROM report r, task t, LATERAL secagg.pine_prep_init(t.params, t.vk, 0, r.nonce, r.public_share, r.leader) p', $n, $RUNS);
SQL
	cout="$cout
$(./build/bench/bench_pine d "$d" | awk '/^Pine64 /{p=1; next} /^Pine/{p=0} p')"
	c_leader=$(echo "$cout" | awk '/prep_init leader/{s += $3; n++} END {print s / n}')
	c_helper=$(echo "$cout" | awk '/prep_init helper/{s += $3; n++} END {print s / n}')
	psql -tA -F '|' -c "SELECT what, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms_per_report) FROM timing WHERE d = $d GROUP BY what ORDER BY what" |
	while IFS='|' read -r what ms; do
		c=""
		[ "$what" = "prep_init leader" ] && c=$c_leader
		[ "$what" = "prep_init helper" ] && c=$c_helper
		if [ -n "$c" ]; then
			printf '%-8s %-22s %12.3f %12.3f %8.2f\n' "$d" "$what" "$c" "$ms" "$(echo "$ms / $c" | bc -l)"
		else
			printf '%-8s %-22s %12s %12.3f %8s\n' "$d" "$what" "-" "$ms" "-"
		fi
	done
done
