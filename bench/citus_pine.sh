#!/usr/bin/env bash
# One PINE batch aggregated on Citus with 1 and with 2 workers, and on a single node:
#   bench/citus_pine.sh [REPORTS [DIMENSION [RUNS]]]     default 100000 1000 5
# A coordinator (port 54465) and two workers (54466, 54467) on this machine.
# All REPORTS reports are real: sharded (pine_shard) and prepared by both
# Aggregators (pine_prep_init, pine_prep_finish) on the workers, in tables
# distributed by report id, so the one batch is spread over every shard and
# its aggregation is the partial + combine plan. Then the Leader's pine_agg of
# the batch is timed RUNS times (median) on 4 shards over 2 workers, on 4
# shards on 1 worker, and in a plain database on the coordinator (the same
# rows), together with pine_agg + pine_agg_count and pine_agg + count(...).
# The aggregate share must be byte-identical everywhere.
# All on one machine: the ratio shows plan shape and overhead, not a speed-up.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000} DIM=${2:-1000} RUNS=${3:-5}
. scripts/lib.sh
trap stop_clusters EXIT
install_deps
[ -f "$("$PG_BIN/pg_config" --sharedir)/extension/secagg.control" ] || build_and_install
ensure_citus

CLUSTER_EXTRA_CONF="shared_preload_libraries = 'citus'
shared_buffers = 256MB"
start_cluster bench-coord 54465; COORD_HOST=$PGHOST
start_cluster bench-w1 54466; W1_HOST=$PGHOST
start_cluster bench-w2 54467; W2_HOST=$PGHOST
on_coord() { PGHOST=$COORD_HOST PGPORT=54465 psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
on_single() { PGHOST=$COORD_HOST PGPORT=54465 psql -X -q -v ON_ERROR_STOP=1 -d single "$@"; }
citus() { PGOPTIONS="-c citus.shard_count=4" on_coord "$@"; }
PGHOST=$W1_HOST PGPORT=54466 psql -X -q -d postgres -c "CREATE EXTENSION citus"
PGHOST=$W2_HOST PGPORT=54467 psql -X -q -d postgres -c "CREATE EXTENSION citus"
on_coord -c "CREATE EXTENSION citus" -c "SELECT citus_set_coordinator_host('127.0.0.1', 54465)" \
	-c "SELECT citus_add_node('127.0.0.1', 54466)" -c "SELECT citus_add_node('127.0.0.1', 54467)" \
	-c "CREATE EXTENSION secagg" >/dev/null

t0=$(date +%s)
log "sharding and preparing $N reports of dimension $DIM on the workers"
citus <<SQL >/dev/null
CREATE TABLE task (params jsonb, verify_key bytea);
SELECT create_reference_table('task');
INSERT INTO task SELECT secagg.pine_params('Pine64', 1.0, $DIM), decode(md5('verify key'), 'hex');
CREATE TABLE ids (report_id int);
CREATE TABLE upload (report_id int, batch int, nonce bytea, public_share bytea, leader_share bytea, helper_share bytea);
CREATE TABLE outcome (report_id int, batch int, accepted boolean, leader_out bytea);
SELECT create_distributed_table('ids', 'report_id');
SELECT create_distributed_table(t, 'report_id', colocate_with => 'ids') FROM unnest(ARRAY['upload', 'outcome']) t;
INSERT INTO ids SELECT generate_series(1, $N);
-- clients (norm 0.03 * sqrt(DIM) / sqrt(2) < 1 for DIM 1000)
INSERT INTO upload
  SELECT i.report_id, 0, decode(md5('nonce' || i.report_id), 'hex'), s.public_share, s.input_shares[1], s.input_shares[2]
  FROM ids i, task t,
       LATERAL secagg.pine_shard(t.params, ARRAY(SELECT sin(i.report_id * 31 + j * 7) * 0.03
                                                 FROM generate_series(1, $DIM) j)::float8[],
                                 decode(md5('nonce' || i.report_id), 'hex')) s;
-- both Aggregators; the Leader's output shares are what is aggregated
INSERT INTO outcome
  SELECT u.report_id, u.batch, f.accepted, f.output_share
  FROM upload u, task t,
       LATERAL secagg.pine_prep_init(t.params, t.verify_key, 0, u.nonce, u.public_share, u.leader_share) l,
       LATERAL secagg.pine_prep_init(t.params, t.verify_key, 1, u.nonce, u.public_share, u.helper_share) h,
       LATERAL secagg.pine_prep_finish(t.params, l.prep_state, ARRAY[l.prep_share, h.prep_share], u.leader_share) f;
TRUNCATE upload;
SQL
prep_s=$(( $(date +%s) - t0 ))
log "prepared in $prep_s s; accepted: $(on_coord -tAc "SELECT count(*) FROM outcome WHERE accepted")"

# The same rows on 1 worker: a table created while the second worker takes no shards.
citus <<SQL >/dev/null
SELECT citus_set_node_property('127.0.0.1', 54467, 'shouldhaveshards', false);
CREATE TABLE outcome_1w (report_id int, batch int, accepted boolean, leader_out bytea);
SELECT create_distributed_table('outcome_1w', 'report_id', colocate_with => 'none');
INSERT INTO outcome_1w SELECT * FROM outcome;
SELECT citus_set_node_property('127.0.0.1', 54467, 'shouldhaveshards', true);
SQL
# ... and in a plain database on the coordinator.
on_coord -c "CREATE DATABASE single" 2>/dev/null
on_single -c "CREATE EXTENSION secagg" \
	-c "CREATE TABLE task (params jsonb, verify_key bytea)" \
	-c "CREATE TABLE outcome (report_id int, batch int, accepted boolean, leader_out bytea)"
on_coord -c "COPY task TO STDOUT" | on_single -c "COPY task FROM STDIN"
on_coord -c "COPY (SELECT * FROM outcome) TO STDOUT" | on_single -c "COPY outcome FROM STDIN"
on_coord -c "VACUUM ANALYZE outcome" -c "VACUUM ANALYZE outcome_1w"
on_single -c "VACUUM ANALYZE outcome"

shards() { on_coord -tAc "SELECT string_agg(DISTINCT nodeport::text, ',') || ' (' || count(*) || ' shards, ' ||
                             pg_size_pretty(sum(shard_size)) || ')' FROM citus_shards WHERE table_name = '$1'::regclass"; }
log "outcome: $(shards outcome); outcome_1w: $(shards outcome_1w)"

# timed QUERY runs: the median of RUNS wall-clock times (ms) of the statement
timed() {  # timed DB-FUNCTION SQL
	local f=$1 sql=$2 i
	for i in $(seq 1 "$RUNS"); do
		$f -c '\timing on' -c "$sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
	done | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}
agg="secagg.pine_agg(t.params, o.leader_out)"
variants=("$agg" "$agg, secagg.pine_agg_count(t.params, o.leader_out)" "$agg, count(o.leader_out)")
names=("pine_agg" "pine_agg + pine_agg_count" "pine_agg + count(leader_out)")
q() { echo "SELECT o.batch, $2 FROM $1 o, task t WHERE o.accepted GROUP BY o.batch"; }

digest() { $1 -tAc "SELECT md5(secagg.pine_agg(t.params, o.leader_out)) || ' ' || count(*) FROM $2 o, task t WHERE o.accepted GROUP BY o.batch"; }
d2=$(digest citus outcome) d1=$(digest citus outcome_1w) d0=$(digest on_single outcome)
log "aggregate share (md5, count): 2 workers $d2; 1 worker $d1; single node $d0"
[ "$d2" = "$d1" ] && [ "$d2" = "$d0" ] || { log "FAILED: aggregate shares differ"; exit 1; }
citus -c "EXPLAIN (COSTS OFF) $(q outcome "$agg")" | grep -E 'Aggregate|Custom Scan|Task Count' >&2

{
	echo "== PINE aggregation on Citus $(on_coord -tAc "SELECT extversion FROM pg_extension WHERE extname = 'citus'") ($(on_coord -tAc "SELECT split_part(citus_version(), ' ', 2)")), PostgreSQL $PG_MAJOR: one batch of $N reports, Pine64, d = $DIM"
	echo "== $(lscpu | grep 'Model name' | sed 's/  */ /g'), $(nproc) cores; coordinator and workers on this machine"
	echo "== median of $RUNS runs, ms (wall clock at psql); aggregate share identical everywhere: $d2"
	echo "== load average before the timings:$(uptime | sed 's/.*load average://'); preparation of the $N reports: $prep_s s"
	printf '%-32s %12s %12s %12s\n' "aggregates in the SELECT" "2 workers" "1 worker" "single node"
	for i in 0 1 2; do
		printf '%-32s %12s %12s %12s\n' "${names[$i]}" \
			"$(timed citus "$(q outcome "${variants[$i]}")")" \
			"$(timed citus "$(q outcome_1w "${variants[$i]}")")" \
			"$(timed on_single "$(q outcome "${variants[$i]}")")"
	done
	echo "== tables: 2 workers $(shards outcome); 1 worker $(shards outcome_1w)"
} | tee bench/results-citus-pine.txt
