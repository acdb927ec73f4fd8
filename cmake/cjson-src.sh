#!/bin/sh
# cjson-src.sh DIR: unpack Debian's source of the cJSON that is installed
# (libcjson-dev) into DIR/cjson, for the Windows cross build: Debian ships
# cJSON compiled for Linux only. The source comes from Debian's archive
# through apt's own machinery, with a private sources list and list dir,
# so the system's apt configuration is not touched. Idempotent.
set -eu
dir=$1
[ -f "$dir/cjson/cJSON.c" ] && exit 0
ver=$(dpkg-query -W -f='${Version}' libcjson-dev)
# shellcheck disable=SC1091
rel=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mkdir -p "$dir/apt/lists/partial" "$dir/dl"
key=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$dir/apt/sources.list" <<EOT
deb-src [signed-by=$key] http://deb.debian.org/debian $rel main
deb-src [signed-by=$key] http://deb.debian.org/debian-security $rel-security main
deb-src [signed-by=$key] http://deb.debian.org/debian $rel-updates main
EOT
o="-o Dir::Etc::SourceList=$dir/apt/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$dir/apt/lists -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $o update -qq >&2
cd "$dir/dl"
# shellcheck disable=SC2086
apt-get $o source --download-only -qq "cjson=$ver" >&2
rm -rf "$dir/cjson.tmp"
dpkg-source --no-check -x ./cjson_*.dsc "$dir/cjson.tmp" >&2
mkdir -p "$dir/cjson.tmp/include/cjson"
cp "$dir/cjson.tmp/cJSON.h" "$dir/cjson.tmp/include/cjson/"
rm -rf "$dir/cjson"
mv "$dir/cjson.tmp" "$dir/cjson"
