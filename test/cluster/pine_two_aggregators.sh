#!/usr/bin/env bash
# PINE with two Aggregators in two separate PostgreSQL clusters on loopback.
#
#   leader cluster (port 54410): database "leader" (the Leader's input shares
#     only) and database "collector" (the clients and the Collector)
#   helper cluster (port 54411): database "helper" (the Helper's input shares only)
#
# Clients shard in "collector"; each Aggregator gets only its own input
# shares. Prep shares and prep messages travel over dblink connections
# (Leader pulls the Helper's prep shares, Helper pulls the Leader's prep
# messages); each Aggregator aggregates its output shares with GROUP BY
# batch; the Collector pulls both aggregate shares over dblink, unshards,
# and the result must equal the plain sum of the encoded measurements of the
# accepted reports exactly. A few tampered reports must be rejected.
# Exits non-zero on any failure; prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
trap stop_clusters EXIT
cluster_test_setup

REPORTS=${PINE_REPORTS:-120}   # clients
BATCHES=3
DIM=100
TAMPERED="3, 50, 101"         # reports whose Leader share is altered in transit

start_cluster pine-leader 54410
LEADER_HOST=$PGHOST
start_cluster pine-helper 54411
HELPER_HOST=$PGHOST
LEADER_DSN="host=127.0.0.1 port=54410 user=postgres dbname=leader"
HELPER_DSN="host=127.0.0.1 port=54411 user=postgres dbname=helper"

on_leader() { PGHOST=$LEADER_HOST PGPORT=54410 psql -X -q -v ON_ERROR_STOP=1 "$@"; }
on_helper() { PGHOST=$HELPER_HOST PGPORT=54411 psql -X -q -v ON_ERROR_STOP=1 "$@"; }


on_leader -d postgres -c "CREATE DATABASE leader" -c "CREATE DATABASE collector"
on_helper -d postgres -c "CREATE DATABASE helper"
for db in leader collector; do on_leader -d $db -c "CREATE EXTENSION secagg" -c "CREATE EXTENSION dblink"; done
on_helper -d helper -c "CREATE EXTENSION secagg" -c "CREATE EXTENSION dblink"

# ---- task setup and clients (collector) ----
on_leader -d collector <<SQL
CREATE TABLE task AS SELECT secagg.pine_params('Pine64', 1.0, $DIM) AS params,
                            decode(md5(random()::text), 'hex') AS verify_key;
-- negative and fractional entries; norm <= 1 (floor encoding matters here)
CREATE TABLE client AS
  SELECT i AS report_id, i % $BATCHES AS batch, decode(md5('nonce' || i), 'hex') AS nonce,
         ARRAY(SELECT sin(i * 31 + j * 7) * 0.099 FROM generate_series(1, $DIM) j)::float8[] AS measurement
  FROM generate_series(1, $REPORTS) i;
CREATE TABLE upload AS
  SELECT c.report_id, c.batch, c.nonce, s.public_share, s.input_shares[1] AS leader_share,
         s.input_shares[2] AS helper_share
  FROM client c, task t, LATERAL secagg.pine_shard(t.params, c.measurement, c.nonce) s;
SQL
# Each Aggregator receives the task and only its own input shares.
for side in leader helper; do
	ddl="CREATE TABLE task (params jsonb, verify_key bytea);
	     CREATE TABLE report (report_id int PRIMARY KEY, batch int, nonce bytea, public_share bytea, input_share bytea);"
	if [ $side = leader ]; then on_leader -d leader -c "$ddl"; else on_helper -d helper -c "$ddl"; fi
done
on_leader -d collector -c "COPY task TO STDOUT" | on_leader -d leader -c "COPY task FROM STDIN"
on_leader -d collector -c "COPY task TO STDOUT" | on_helper -d helper -c "COPY task FROM STDIN"
on_leader -d collector -c "COPY (SELECT report_id, batch, nonce, public_share,
                                   CASE WHEN report_id IN ($TAMPERED)
                                        THEN set_byte(leader_share, 8 * report_id, get_byte(leader_share, 8 * report_id) # 4)
                                        ELSE leader_share END
                            FROM upload) TO STDOUT" | on_leader -d leader -c "COPY report FROM STDIN"
on_leader -d collector -c "COPY (SELECT report_id, batch, nonce, public_share, helper_share FROM upload) TO STDOUT" |
	on_helper -d helper -c "COPY report FROM STDIN"

check "leader database holds only Leader shares" \
	"$(on_leader -d leader -tAc "SELECT count(*) FILTER (WHERE length(input_share) = (SELECT (params->>'leader_input_share_len')::int FROM task)) FROM report")" "$REPORTS"
check "helper database holds only Helper shares" \
	"$(on_helper -d helper -tAc "SELECT count(*) FILTER (WHERE length(input_share) = (SELECT (params->>'helper_input_share_len')::int FROM task)) FROM report")" "$REPORTS"

# ---- round 1: each Aggregator prepares its shares ----
prep1="CREATE TABLE prep AS
  SELECT r.report_id, r.batch, p.prep_state, p.prep_share
  FROM report r, task t, LATERAL secagg.pine_prep_init(t.params, t.verify_key, %s, r.nonce, r.public_share, r.input_share) p;"
on_leader -d leader -c "$(printf "$prep1" 0)"
on_helper -d helper -c "$(printf "$prep1" 1)"

# ---- Leader: pulls the Helper's prep shares, combines, finishes its own ----
# (its prep state holds only a digest of its input share: it passes the share again)
on_leader -d leader <<SQL
CREATE TABLE outcome AS
  SELECT l.report_id, l.batch, f.accepted, f.prep_message, f.output_share
  FROM prep l
  JOIN report r USING (report_id)
  JOIN dblink('$HELPER_DSN', 'SELECT report_id, prep_share FROM prep') AS h(report_id int, prep_share bytea)
    USING (report_id),
  task t, LATERAL secagg.pine_prep_finish(t.params, l.prep_state, ARRAY[l.prep_share, h.prep_share], r.input_share) f;
SQL
check "leader: every report prepared" "$(on_leader -d leader -tAc "SELECT count(*) FROM outcome")" "$REPORTS"
check "leader: tampered reports rejected, as values" \
	"$(on_leader -d leader -tAc "SELECT string_agg(report_id::text, ', ' ORDER BY report_id) FROM outcome WHERE NOT accepted")" "$TAMPERED"

# ---- Helper: pulls the prep messages, finishes ----
on_helper -d helper <<SQL
CREATE TABLE outcome AS
  SELECT h.report_id, h.batch, m.accepted AND n.accepted AS accepted, n.output_share
  FROM prep h
  JOIN dblink('$LEADER_DSN', 'SELECT report_id, accepted, prep_message FROM outcome WHERE accepted')
       AS m(report_id int, accepted boolean, prep_message bytea) USING (report_id),
  task t, LATERAL secagg.pine_prep_next(t.params, h.prep_state, m.prep_message) n;
SQL
accepted=$((REPORTS - $(echo "$TAMPERED" | tr ',' '\n' | wc -l)))
check "helper: every accepted report finishes" \
	"$(on_helper -d helper -tAc "SELECT count(*) FILTER (WHERE accepted) FROM outcome")" "$accepted"

# ---- each Aggregator aggregates per batch ----
aggsql="CREATE TABLE agg AS
  SELECT o.batch, secagg.pine_agg(t.params, o.output_share) AS agg_share,
         secagg.pine_agg_count(t.params, o.output_share) AS n
  FROM outcome o, task t WHERE o.accepted GROUP BY o.batch;"
on_leader -d leader -c "$aggsql"
on_helper -d helper -c "$aggsql"
check "aggregators agree on batch sizes" \
	"$(on_leader -d leader -tAc "SELECT string_agg(batch || ':' || n, ' ' ORDER BY batch) FROM agg")" \
	"$(on_helper -d helper -tAc "SELECT string_agg(batch || ':' || n, ' ' ORDER BY batch) FROM agg")"

# ---- Collector: pulls both aggregate shares, unshards, checks ----
on_leader -d collector <<SQL
CREATE TABLE result AS
  SELECT l.batch, l.n, secagg.pine_unshard(t.params, ARRAY[l.agg_share, h.agg_share], l.n) AS sum
  FROM dblink('$LEADER_DSN', 'SELECT batch, agg_share, n FROM agg') AS l(batch int, agg_share bytea, n bigint)
  JOIN dblink('$HELPER_DSN', 'SELECT batch, agg_share, n FROM agg') AS h(batch int, agg_share bytea, n bigint)
    USING (batch), task t;
-- the plain sum of the encoded (floor(x * 2^15)) measurements of accepted reports
CREATE TABLE expected AS
  SELECT q.batch,
         (SELECT count(*) FROM client c WHERE c.batch = q.batch AND c.report_id NOT IN ($TAMPERED)) AS n,
         array_agg(q.s ORDER BY q.j) AS sum
  FROM (SELECT c.batch, j, (sum(floor(c.measurement[j] * 32768.0)::numeric) / 32768)::float8 AS s
        FROM client c, generate_series(1, $DIM) j WHERE c.report_id NOT IN ($TAMPERED) GROUP BY 1, 2) q
  GROUP BY q.batch;
SQL
check "collector: one result per batch" "$(on_leader -d collector -tAc "SELECT count(*) FROM result")" "$BATCHES"
for b in $(seq 0 $((BATCHES - 1))); do
	check "collector: batch $b sum is exact" \
		"$(on_leader -d collector -tAc "SELECT r.sum = e.sum AND r.n = e.n FROM result r JOIN expected e USING (batch) WHERE batch = $b")" "t"
done
check "collector: reports counted" "$(on_leader -d collector -tAc "SELECT sum(n) FROM result")" "$accepted"
# Sanity: the decoded sum is within n * 2^-15 of the plain float sum.
check "collector: result close to the float sum" \
	"$(on_leader -d collector -tAc "SELECT bool_and(abs(r.sum[1] - (SELECT sum(measurement[1]) FROM client c WHERE c.batch = r.batch AND c.report_id NOT IN ($TAMPERED))) <= r.n / 32768.0) FROM result r")" "t"

tally_exit
