#!/usr/bin/env bash
# check_exports.sh LIB: the library exports the secagg_* functions of
# lib/secagg.h and nothing else (the core's symbols stay hidden).
set -euo pipefail
lib=$1
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v -E '^(_init|_fini)$' | sort)
declared=$(grep -o -E 'SECAGG_API [^(]*\(' lib/secagg.h | grep -o -E 'secagg_[a-z0-9_]+' | sort)
stray=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
rc=0
[ -z "$stray" ] || { echo "not ok - exported but not in secagg.h: $stray"; rc=1; }
[ -z "$missing" ] || { echo "not ok - declared but not exported: $missing"; rc=1; }
[ "$soname" = "libsecagg.so.0" ] || { echo "not ok - soname is '$soname'"; rc=1; }
[ "$rc" = 0 ] && echo "ok - exports: $(echo "$exported" | wc -l) secagg_* symbols, nothing else; soname $soname"
exit $rc
