#!/usr/bin/env bash
# SQL-level PINE preparation against the C core (target: SQL-level prep
# within 1.1x of the C core), Pine64, l2 bound 1.0, 15 fractional bits,
# 2 Aggregators, proof-size-minimising chunk lengths (as bench/bench_pine.c).
#
#   bench/bench_pine_sql.sh [DIMENSIONS...]      default: 1000 10000 100000
#
# Environment: RUNS (default 7); PORT (default 54413) for the throwaway
# cluster; STAGE=DIR installs the extension staged under DIR (make install
# DESTDIR=DIR, loaded through extension_destdir) instead of into the system.
#
# For each d, RUNS rounds (default 7), each one: the C core's prep_init
# (build/bench/bench_pine pine64 d 3, the median of 3; for the Leader the
# digest-form prep_init the SQL layer calls, and in the row "leader vs C
# PNs1 form" the core's plain prep_init, whose state carries the output
# share instead of hashing the input share) right before one run
# of a statement that prepares a whole table of N reports (the set-level
# form: SELECT ... FROM report r, LATERAL secagg.pine_prep_init(...) p),
# timed inside the server and divided by N. Each round's backend is new; the
# statement runs once untimed before its timed run, for the Leader and the
# Helper alike, as the C side's median of 3 leaves out its cold first run:
# a new backend's first PINE statement also loads the extension and touches
# its memory for the first time (a few ms, once per connection), which
# before went to whichever ran first, always the Leader. Interleaving keeps the two
# sides of each ratio on the same machine state (this machine's speed drifts
# by tens of percent within minutes). Times are in ms per report, by the wall
# clock and by CPU time (the C thread's CLOCK_THREAD_CPUTIME_ID, the
# backend's /proc/self/schedstat), which does not count the time the process
# waits for a CPU; the table gives the medians of the times and the median
# of the per-round ratios. Also reported: the
# Leader's pine_prep_finish, the Helper's pine_prep_next, the pine_agg fold,
# and the Leader's batch prep with 2 parallel workers.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
trap stop_clusters EXIT
export PATH="$PG_BIN:$PATH"
install_deps
if [ -n "${STAGE:-}" ]; then
	make -s -j2 PG_CONFIG="$PG_BIN/pg_config" >/dev/null
	make -s install DESTDIR="$STAGE" PG_CONFIG="$PG_BIN/pg_config" >/dev/null
	CLUSTER_EXTRA_CONF="extension_destdir='$STAGE'
dynamic_library_path='$STAGE$("$PG_BIN/pg_config" --pkglibdir):\$libdir'"
else
	build_and_install
fi
make -s build/bench/bench_pine >/dev/null
DIMS=${*:-1000 10000 100000}
RUNS=${RUNS:-7}
start_cluster pinebench "${PORT:-54413}"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
psql <<'SQL'
CREATE EXTENSION secagg;
CREATE TABLE timing (d int, what text, run int, ms_per_report float8, cpu_ms_per_report float8,
                     c_ms float8, c_cpu_ms float8);
-- The backend's own CPU time in ms (/proc/self/schedstat: ns on CPU).
CREATE FUNCTION cpu_ms() RETURNS float8 LANGUAGE sql AS
  $$SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::float8 / 1e6$$;
-- Runs a statement RUNS times (after one warm-up run when warm) and records
-- the wall and CPU time per report, with the C core's times measured just
-- before (c_ms wall, c_cpu_ms CPU).
CREATE FUNCTION bench(d int, what text, q text, n int, runs int, warm bool DEFAULT true, run0 int DEFAULT 0,
                      c_ms float8 DEFAULT NULL, c_cpu_ms float8 DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; c0 float8;
BEGIN
  IF warm THEN EXECUTE q; END IF;   -- caches, TOAST pages
  FOR i IN 1 .. runs LOOP
    c0 := cpu_ms();
    t0 := clock_timestamp();
    EXECUTE q;
    INSERT INTO timing VALUES (d, what, run0 + i, extract(epoch FROM clock_timestamp() - t0) * 1000 / n,
                               (cpu_ms() - c0) / n, c_ms, c_cpu_ms);
  END LOOP;
END $$;
SQL

printf '%-8s %-22s %9s %9s %6s   %9s %9s %6s\n' "d" "step (Pine64)" "C wall" "SQL wall" "SQL/C" "C cpu" "SQL cpu" "SQL/C"
for d in $DIMS; do
	n=$(( d >= 100000 ? 12 : d >= 10000 ? 60 : 300 ))
	Q_LEADER="SELECT count(p.prep_share) FROM report r, task t, LATERAL secagg.pine_prep_init(t.params, t.vk, 0, r.nonce, r.public_share, r.leader) p"
	Q_HELPER="SELECT count(p.prep_share) FROM report r, task t, LATERAL secagg.pine_prep_init(t.params, t.vk, 1, r.nonce, r.public_share, r.helper) p"
	psql -o /dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS task, report, prep, outcome;
CREATE TABLE task AS SELECT secagg.pine_params('Pine64', 1.0, $d) AS params, '\x000102030405060708090a0b0c0d0e0f'::bytea AS vk;
CREATE TABLE report AS
  SELECT i, decode(md5('n' || i), 'hex') AS nonce, s.public_share, s.input_shares[1] AS leader, s.input_shares[2] AS helper
  FROM generate_series(1, $n) i, task t,
       LATERAL secagg.pine_shard(t.params, ARRAY(SELECT sin(i + j) / sqrt($d) FROM generate_series(1, $d) j)::float8[], decode(md5('n' || i), 'hex')) s;
ANALYZE report;
$Q_LEADER;
$Q_HELPER;
SQL
	for r in $(seq 1 "$RUNS"); do
		cw=$(./build/bench/bench_pine pine64 "$d" 3)
		cc=$(./build/bench/bench_pine pine64 "$d" 3 cpu)
		# the Leader against the core function the SQL layer calls (digest-form
		# state), and against the output-share form (the core's plain prep_init)
		w_leader=$(echo "$cw" | awk '/prep_init leader digest/{print $4}')
		w_leader_full=$(echo "$cw" | awk '/prep_init leader  /{print $3}')
		w_helper=$(echo "$cw" | awk '/prep_init helper/{print $3}')
		c_leader=$(echo "$cc" | awk '/prep_init leader digest/{print $4}')
		c_leader_full=$(echo "$cc" | awk '/prep_init leader  /{print $3}')
		c_helper=$(echo "$cc" | awk '/prep_init helper/{print $3}')
		psql -o /dev/null <<SQL
SET max_parallel_workers_per_gather = 0;
SELECT bench($d, 'prep_init leader', \$q\$$Q_LEADER\$q\$, $n, 1, true, $r - 1, $w_leader, $c_leader);
SELECT bench($d, 'prep_init helper', \$q\$$Q_HELPER\$q\$, $n, 1, true, $r - 1, $w_helper, $c_helper);
INSERT INTO timing SELECT d, 'leader vs C PNs1 form', run, ms_per_report, cpu_ms_per_report, $w_leader_full, $c_leader_full
  FROM timing WHERE d = $d AND what = 'prep_init leader' AND run = $r;
SQL
	done
	psql -o /dev/null <<SQL
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE prep AS
  SELECT r.i, r.leader AS l_input, l.prep_state AS l_state, l.prep_share AS l_share, h.prep_state AS h_state, h.prep_share AS h_share
  FROM report r, task t,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 0, r.nonce, r.public_share, r.leader) l,
       LATERAL secagg.pine_prep_init(t.params, t.vk, 1, r.nonce, r.public_share, r.helper) h;
SELECT bench($d, 'prep_finish leader',
  'SELECT count(f.output_share) FROM prep p, task t, LATERAL secagg.pine_prep_finish(t.params, p.l_state, ARRAY[p.l_share, p.h_share], p.l_input) f', $n, $RUNS);
CREATE TABLE outcome AS
  SELECT p.i, p.h_state, f.prep_message, f.output_share
  FROM prep p, task t, LATERAL secagg.pine_prep_finish(t.params, p.l_state, ARRAY[p.l_share, p.h_share], p.l_input) f;
SELECT bench($d, 'prep_next helper',
  'SELECT count(n.output_share) FROM outcome o, task t, LATERAL secagg.pine_prep_next(t.params, o.h_state, o.prep_message) n', $n, $RUNS);
SELECT bench($d, 'pine_agg fold',
  'SELECT length(secagg.pine_agg(t.params, o.output_share)) FROM outcome o, task t GROUP BY t.params', $n, $RUNS);
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT bench($d, 'prep_init leader x2 wk', \$q\$$Q_LEADER\$q\$, $n, $RUNS);
SQL
	psql -tA -F '|' -c "SELECT what, percentile_cont(0.5) WITHIN GROUP (ORDER BY c_ms), percentile_cont(0.5) WITHIN GROUP (ORDER BY ms_per_report),
	                           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms_per_report / c_ms),
	                           percentile_cont(0.5) WITHIN GROUP (ORDER BY c_cpu_ms), percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms_per_report),
	                           percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms_per_report / c_cpu_ms)
	                    FROM timing WHERE d = $d GROUP BY what ORDER BY what" |
	while IFS='|' read -r what c ms ratio ccpu cpu rcpu; do
		if [ -n "$c" ]; then
			printf '%-8s %-22s %9.3f %9.3f %6.2f   %9.3f %9.3f %6.2f\n' "$d" "$what" "$c" "$ms" "$ratio" "$ccpu" "$cpu" "$rcpu"
		else
			printf '%-8s %-22s %9s %9.3f %6s   %9s %9.3f %6s\n' "$d" "$what" "-" "$ms" "-" "-" "$cpu" "-"
		fi
	done
done
