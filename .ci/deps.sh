#!/bin/sh
# Install what the build and the tests need (and any packages named as
# arguments) with apt-get; do nothing for what is already there.
set -e
need=""
for p in build-essential pkg-config libcjson-dev libcsv-dev libdragonbox-dev \
         zlib1g-dev libbz2-dev liblzma-dev libzstd-dev valgrind time "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
fi
