#!/usr/bin/env bash
# Installs what the workbench needs beyond Swift: gnuplot (to render charts) and gnuplot-iostream
# (the C++ header the plotting bridge is built on, with its Boost libraries), and zlib's headers (to
# read the gzip-compressed digits). Debian/Ubuntu only.
set -euo pipefail

need=()
command -v gnuplot >/dev/null 2>&1 || need+=(gnuplot-nox)
[ -f /usr/include/gnuplot-iostream.h ] || need+=(libgnuplot-iostream-dev)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
for lib in boost_iostreams boost_system boost_filesystem; do
  ls /usr/lib/*/lib${lib}.so /usr/lib/lib${lib}.so >/dev/null 2>&1 || { need+=(libboost-iostreams-dev libboost-system-dev libboost-filesystem-dev); break; }
done

if [ ${#need[@]} -eq 0 ]; then
  echo "setup: gnuplot and gnuplot-iostream are installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: error: need root or sudo to install: ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "setup: done"
