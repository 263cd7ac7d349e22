#!/usr/bin/env bash
# Runs benchmarks/nbd/nbd.fio against a JSD daemon serving a fresh raw image over a unix socket,
# started exactly as a user would start it. Usage: run-jsd.sh [SIZE (default 256M)] [RUNTIME s (default 10)]
# Needs: distribution/target/jsd/bin/jsd (mvn -B verify), qemu-img, fio with the nbd engine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jsd=${JSD:-$root/distribution/target/jsd/bin/jsd}
size=${1:-256M}
runtime=${2:-10}
work=$(mktemp -d)
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi; rm -rf "$work"; }
trap cleanup EXIT
qemu-img create -f raw "$work/disk.raw" "$size" >/dev/null
"$jsd" --blockdev driver=file,node-name=file0,filename="$work/disk.raw" \
       --blockdev driver=raw,node-name=disk,file=file0 \
       --nbd-server addr.type=unix,addr.path="$work/nbd.sock" \
       --export type=nbd,id=exp0,node-name=disk,name=disk,writable=on &
pid=$!
for _ in $(seq 100); do [ -S "$work/nbd.sock" ] && break; sleep 0.1; done
bytes=$(stat -c %s "$work/disk.raw")
URI="nbd+unix:///disk?socket=$work/nbd.sock" RUNTIME=$runtime SIZE=$size SLICE=$((bytes / 4)) \
  fio "$here/nbd.fio" --output-format=terse --terse-version=3 \
  | awk -F';' '$3 != "" { printf "%-22s read %9.0f IOPS  write %9.0f IOPS\n", $3, $8, $49 }'
