#!/usr/bin/env bash
# check_pkgconfig.sh LIB_DIR CC CFLAGS: installs the library into a staging
# prefix (make lib-install), builds the README's example client with
# pkg-config only, and runs it.
set -euo pipefail
libdir=$1 cc=$2 cflags=$3
stage="$libdir/stage"
rm -rf "$stage"
make -s lib-install PREFIX="$stage" >/dev/null
export PKG_CONFIG_PATH="$stage/lib/pkgconfig"
# shellcheck disable=SC2046,SC2086
$cc $cflags -o "$stage/example" lib/test/example.c $(pkg-config --cflags --libs secagg) \
	-Wl,-rpath,"$stage/lib"
out=$("$stage/example")
if [ "$out" = "example: ok" ] && [ "$(pkg-config --modversion secagg)" = "$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" secagg.control)" ]; then
	echo "ok - pkg-config build of the example client against a staged install"
else
	echo "not ok - pkg-config example: $out"
	exit 1
fi
