#!/usr/bin/env bash
# Runs a complete secure-aggregation session of 60 simulated clients from
# SQL in a throwaway cluster, with dropouts in rounds 2 and 4, and prints
# the recovered sum next to the plain sum and the time of every round.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
trap stop_clusters EXIT
install_deps
build_and_install
start_cluster demo 54392
psql -X -q -v ON_ERROR_STOP=1 -d postgres -f demo/secagg_demo.sql
