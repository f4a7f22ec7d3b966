#!/usr/bin/env bash
# Mutation testing: applies the mutations of test/mutations.txt one at a time
# to a scratch copy of the tree and checks that the test suites named by each
# entry notice (kill) it. Never touches the tree it is run from, the system's
# installed extension, or any port but 54420 (or the one given with --port).
#
#   scripts/mutate.sh [options] [PATTERN]
#     PATTERN         run only the entries whose id matches this extended regex
#     --list          list the catalogue (id, file, suites, description) and exit
#     --port N        the throwaway cluster's port (default 54420)
#     --timeout SECS  time limit per mutant, build included (default 300); a
#                     mutant still running then is killed ("timeout")
#     --keep          keep the scratch directory (logs in <scratch>/logs)
#     --committed     copy tracked files as committed in HEAD (untracked files
#                     as they are), leaving out uncommitted edits of others
#
# C-core entries (suite "unit") are rebuilt incrementally with
# `make unit BUILD=build-mutate` in the scratch copy. Entries naming "regress"
# or "pgtap" rebuild the extension there, stage it with DESTDIR and run the
# suite against one throwaway cluster (port 54420, or --port) that loads the staged
# build (extension_destdir + dynamic_library_path, as scripts/ubsan_sql.sh).
#
# Exit status: 0 if every non-equivalent mutant was killed; 1 if one
# survived; 2 for a catalogue error (text not found exactly once, build
# error, an "equivalent" mutant that was killed) or a failing baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
CATALOGUE=test/mutations.txt
PORT=54420
TIMEOUT=300
KEEP=0
COMMITTED=0
LIST=0
PATTERN=
UNIT_BUILD=build-mutate           # relative: `make unit` runs tests from test/unit

# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------
usage() { sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--list) LIST=1 ;;
		--keep) KEEP=1 ;;
		--committed) COMMITTED=1 ;;
		--timeout) TIMEOUT=${2:?--timeout needs a value}; shift ;;
		--port) PORT=${2:?--port needs a value}; shift ;;
		--port=*) PORT=${1#*=} ;;
		--timeout=*) TIMEOUT=${1#*=} ;;
		-h|--help) usage; exit 0 ;;
		-*) echo "mutate.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
		*) PATTERN=$1 ;;
		esac
		shift
	done
}

# ---------------------------------------------------------------------------
# Catalogue: blocks of "key: value" lines separated by blank lines (format in
# the header of test/mutations.txt). Fills the M_* arrays, one slot per entry.
# ---------------------------------------------------------------------------
M_ID=() M_FILE=() M_FIND=() M_REPL=() M_SUITES=() M_DESC=() M_EQUIV=()
declare -A cur=()

cat_error() { echo "mutate.sh: $CATALOGUE:$1: $2" >&2; exit 2; }

end_entry() {  # end_entry LINE: validates the block in cur and stores it
	[ ${#cur[@]} -eq 0 ] && return 0
	local k
	for k in id file find replace suites desc; do
		[ -n "${cur[$k]+x}" ] || cat_error "$1" "entry ${cur[id]:-?} has no '$k:'"
	done
	[[ ${cur[id]} =~ ^[A-Za-z0-9_-]+$ ]] || cat_error "$1" "bad id '${cur[id]}'"
	for k in "${M_ID[@]}"; do [ "$k" != "${cur[id]}" ] || cat_error "$1" "id ${cur[id]} repeated"; done
	[ -f "${cur[file]}" ] || cat_error "$1" "${cur[id]}: no file ${cur[file]}"
	[[ ,${cur[suites]}, =~ ^(,(unit|regress|pgtap))+,$ ]] ||
		cat_error "$1" "${cur[id]}: suites must be a comma list of unit, regress, pgtap"
	M_ID+=("${cur[id]}") M_FILE+=("${cur[file]}") M_FIND+=("${cur[find]}")
	M_REPL+=("${cur[replace]}") M_SUITES+=("${cur[suites]}") M_DESC+=("${cur[desc]}")
	M_EQUIV+=("${cur[equivalent]:-}")
	cur=()
}

read_catalogue() {
	local line n=0 key val
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case $line in
		'#'*) continue ;;
		'') end_entry "$n"; continue ;;
		esac
		[[ $line =~ ^([a-z]+):\ ?(.*)$ ]] || cat_error "$n" "expected 'key: value'"
		key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		case $key in
		id|file|find|replace|suites|desc|equivalent) cur[$key]=$val ;;
		*) cat_error "$n" "unknown key '$key'" ;;
		esac
	done <"$CATALOGUE"
	end_entry "$n"
}

# Indices of the entries selected by PATTERN.
selected() {
	local i
	for i in "${!M_ID[@]}"; do
		[ -z "$PATTERN" ] || [[ ${M_ID[$i]} =~ $PATTERN ]] && echo "$i"
	done
	return 0
}

# Lists the selection; flags the entries whose original text is not found exactly once.
list_catalogue() {
	local i flag
	for i in $(selected); do
		flag=
		edit "${M_FILE[$i]}" "${M_FIND[$i]}" "" check 2>/dev/null || flag="  !! ORIGINAL TEXT NOT FOUND EXACTLY ONCE"
		printf '%-30s %-28s %-14s %s%s%s\n' "${M_ID[$i]}" "${M_FILE[$i]#src/}" "${M_SUITES[$i]}" \
			"${M_DESC[$i]}" "${M_EQUIV[$i]:+  [equivalent: ${M_EQUIV[$i]}]}" "$flag"
	done
}

# ---------------------------------------------------------------------------
# Edits. `edit FILE FIND REPLACE [check]`: FIND (with \n, \t, \\ escapes) must
# occur exactly once in FILE; it is replaced by REPLACE unless "check" is given.
# ---------------------------------------------------------------------------
edit() {
	F="$1" FIND="$2" REPL="$3" CHECK="${4:-}" perl -e '
		sub unesc { my $s = shift; $s =~ s/\\(n|t|\\)/$1 eq "n" ? "\n" : $1 eq "t" ? "\t" : "\\"/ge; $s }
		my ($f, $find, $repl) = ($ENV{F}, unesc($ENV{FIND}), unesc($ENV{REPL}));
		open(my $in, "<", $f) or die "$f: $!\n";
		my $s = do { local $/; <$in> };
		close $in;
		my ($n, $at, $pos) = (0, -1, 0);
		while (length($find) && ($pos = index($s, $find, $pos)) >= 0) { $at = $pos if !$n++; $pos += length $find; }
		if ($n != 1) { print STDERR "original text found $n times in $f (must be exactly once)\n"; exit 3; }
		exit 0 if $ENV{CHECK};
		substr($s, $at, length $find) = $repl;
		open(my $out, ">", $f) or die "$f: $!\n";
		print $out $s;
		close $out or die "$f: $!\n";
	'
}

# ---------------------------------------------------------------------------
# Scratch copy, builds and suites (all run inside $WORK/tree)
# ---------------------------------------------------------------------------
. scripts/lib.sh
export PATH="$PG_BIN:$PATH"
WORK=
CLUSTER_STARTED=0

cleanup() {
	stop_clusters
	if [ -n "$WORK" ]; then
		if [ "$KEEP" = 1 ]; then log "scratch kept: $WORK"; else rm -rf "$WORK"; fi
	fi
}

# Tracked and untracked-but-not-ignored files: the working tree as it is now,
# or (--committed) tracked files as committed in HEAD plus the untracked ones.
copy_tree() {
	WORK=$(mktemp -d -t secagg-mutate.XXXXXX)
	chmod 755 "$WORK"
	mkdir -p "$WORK/tree" "$WORK/logs" "$WORK/stage"
	if [ "$COMMITTED" = 1 ]; then
		git archive HEAD | (cd "$WORK/tree" && tar xf -)
		git ls-files -o --exclude-standard -z | tar --null -cf - -T - 2>/dev/null | (cd "$WORK/tree" && tar xf -)
	else
		git ls-files -co --exclude-standard -z | tar --null -cf - -T - 2>/dev/null | (cd "$WORK/tree" && tar xf -)
	fi
	chmod -R a+rX "$WORK"
	log "scratch copy in $WORK/tree"
}

# Each step runs in the scratch tree with what is left of the mutant's time.
DEADLINE=0
step() {  # step LOG COMMAND...: 0 ok, 124 timeout, other: failed
	local logf=$1 left=$((DEADLINE - SECONDS)) rc=0
	shift
	[ "$left" -gt 0 ] || return 124
	(cd "$WORK/tree" && timeout -k 10 "$left" "$@") >>"$logf.log" 2>&1 <&- || rc=$?
	[ "$rc" = 137 ] && rc=124          # still running 10 s after TERM: killed
	return "$rc"
}

unit_bins() {
	local f
	for f in "$WORK"/tree/test/unit/test_*.c; do
		f=${f##*/}
		echo "$UNIT_BUILD/unit/${f%.c}"
	done
}

build_unit() { step "$1" make -s -j2 BUILD="$UNIT_BUILD" $(unit_bins); }
run_unit() { step "$1" make -s unit BUILD="$UNIT_BUILD"; }

# The extension, staged under $WORK/stage (no bitcode: the cluster does not JIT it).
build_ext() {
	step "$1" make -s -j2 with_llvm=no PG_CONFIG="$PG_BIN/pg_config" &&
		step "$1" make -s install with_llvm=no PG_CONFIG="$PG_BIN/pg_config" DESTDIR="$WORK/stage" &&
		chmod -R a+rX "$WORK/stage"
}

# pg_regress drops and recreates contrib_regression, prove_installcheck its
# database: every mutant starts from fresh databases and new backends.
run_regress() {
	rm -rf "$WORK/tree/results" "$WORK/tree/regression.diffs" "$WORK/tree/regression.out"
	step "$1" make -s installcheck PG_CONFIG="$PG_BIN/pg_config"
}
run_pgtap() { step "$1" make -s prove_installcheck PG_CONFIG="$PG_BIN/pg_config"; }

start_mutation_cluster() {
	[ "$CLUSTER_STARTED" = 1 ] && return 0
	CLUSTER_EXTRA_CONF="extension_destdir = '$WORK/stage'
dynamic_library_path = '$WORK/stage/usr/lib/postgresql/$PG_MAJOR/lib:\$libdir'" \
		start_cluster mutate "$PORT"
	CLUSTER_STARTED=1
}

# After a timeout or crash: back to a running cluster with no stray backend.
revive_cluster() {
	local force=$1 dir run=""
	[ "$(id -u)" = 0 ] && run="runuser -u postgres --"
	if [ "$force" = 0 ] && psql -X -q -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
		return 0
	fi
	for dir in $CLUSTERS; do
		$run "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m immediate -w restart >/dev/null 2>&1 ||
			{ log "cannot restart the cluster"; exit 2; }
	done
}

# ---------------------------------------------------------------------------
# One mutant: build what its suites need, run them cheapest first, stop at
# the first failure. Prints the result: killed(SUITE), timeout(SUITE),
# survived or build-error.
# ---------------------------------------------------------------------------
needs() { [[ ,$1, == *,$2,* ]]; }

run_suites() {  # run_suites SUITES LOG
	local suites=$1 logf=$2 rc=0 s
	DEADLINE=$((SECONDS + TIMEOUT))
	if needs "$suites" unit; then
		build_unit "$logf" || { rc=$?; [ $rc = 124 ] && echo "timeout(build)" || echo build-error; return; }
	fi
	if needs "$suites" regress || needs "$suites" pgtap; then
		build_ext "$logf" || { rc=$?; [ $rc = 124 ] && echo "timeout(build)" || echo build-error; return; }
	fi
	for s in unit regress pgtap; do
		needs "$suites" "$s" || continue
		echo "== suite $s" >>"$logf.log"
		rc=0
		"run_$s" "$logf" || rc=$?
		[ "$s" != unit ] && revive_cluster "$([ $rc = 124 ] && echo 1 || echo 0)"
		[ $rc = 124 ] && { echo "timeout($s)"; return; }
		[ $rc != 0 ] && { echo "killed($s)"; return; }
	done
	echo survived
}

# Applies entry i, runs its suites, reverts. The revert writes the file anew
# (new mtime), so make rebuilds it for the next mutant.
run_mutant() {
	local i=$1 f=$WORK/tree/${M_FILE[$1]} backup=$WORK/backup
	cp "$f" "$backup"
	if ! edit "$f" "${M_FIND[$i]}" "${M_REPL[$i]}" 2>>"$WORK/logs/${M_ID[$i]}.log"; then
		echo refused
		return
	fi
	run_suites "${M_SUITES[$i]}" "$WORK/logs/${M_ID[$i]}"
	cat "$backup" >"$f"
}

# The unmutated tree must pass every suite the selection uses.
baseline() {
	local suites=$1 r
	log "baseline: $suites"
	TIMEOUT_SAVED=$TIMEOUT
	TIMEOUT=1800
	r=$(run_suites "$suites" "$WORK/logs/baseline")
	TIMEOUT=$TIMEOUT_SAVED
	if [ "$r" != survived ]; then
		log "baseline failed ($r): the unmutated tree does not pass; see $WORK/logs/baseline.log"
		KEEP=1
		exit 2
	fi
}

# ---------------------------------------------------------------------------
# Table and summary
# ---------------------------------------------------------------------------
row() { printf '%-30s %-34s %-14s %-16s %s\n' "$@"; }

main() {
	parse_args "$@"
	read_catalogue
	if [ "$LIST" = 1 ]; then list_catalogue; exit 0; fi
	local sel all_suites="" i
	sel=$(selected)
	[ -n "$sel" ] || { echo "mutate.sh: no entry matches '$PATTERN'" >&2; exit 2; }
	for i in $sel; do all_suites="$all_suites,${M_SUITES[$i]}"; done
	all_suites=$(echo "$all_suites" | tr , '\n' | sort -u | grep . | paste -sd, -)

	trap cleanup EXIT
	copy_tree
	# Refuse bad entries before anything slow starts.
	local bad=0
	for i in $sel; do
		if ! edit "$WORK/tree/${M_FILE[$i]}" "${M_FIND[$i]}" "" check 2>/dev/null; then
			echo "mutate.sh: ${M_ID[$i]}: the original text must occur exactly once in ${M_FILE[$i]}" >&2
			bad=1
		fi
	done
	[ "$bad" = 0 ] || exit 2
	if needs "$all_suites" regress || needs "$all_suites" pgtap; then
		start_mutation_cluster
	fi
	baseline "$all_suites"

	local start=$SECONDS killed=0 survived=0 equiv=0 builderr=0 caterr=0 r note
	row ID FILE SUITES RESULT DESCRIPTION
	for i in $sel; do
		r=$(run_mutant "$i")
		note=${M_DESC[$i]}
		case $r in
		'timeout(build)') builderr=$((builderr + 1)); note="$note (build timed out)"; KEEP=1 ;;
		killed*|timeout*)
			if [ -n "${M_EQUIV[$i]}" ]; then
				caterr=$((caterr + 1)); note="MARKED EQUIVALENT BUT KILLED: $note"
			else killed=$((killed + 1)); fi ;;
		survived)
			if [ -n "${M_EQUIV[$i]}" ]; then equiv=$((equiv + 1)); r=equivalent
			else survived=$((survived + 1)); fi ;;
		build-error) builderr=$((builderr + 1)); note="$note (log: logs/${M_ID[$i]}.log)"; KEEP=1 ;;
		refused) caterr=$((caterr + 1)); note="original text not found exactly once"; KEEP=1 ;;
		esac
		row "${M_ID[$i]}" "${M_FILE[$i]#src/}" "${M_SUITES[$i]}" "$r" "$note"
	done
	local ran=$((killed + survived))
	echo
	echo "killed: $killed  survived: $survived  equivalent: $equiv  build errors: $builderr  catalogue errors: $caterr"
	if [ "$ran" -gt 0 ]; then
		echo "kill rate: $killed/$ran non-equivalent mutants = $(( (1000 * killed / ran + 5) / 10 ))%  ($((SECONDS - start)) s)"
	fi
	[ "$survived" = 0 ] || exit 1
	[ "$builderr" = 0 ] && [ "$caterr" = 0 ] || exit 2
}

main "$@"
