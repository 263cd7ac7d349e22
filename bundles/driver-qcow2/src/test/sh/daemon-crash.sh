#!/usr/bin/env bash
# Crash test of the qcow2 driver inside the JSD daemon: a qemu-io client writes over NBD, the
# daemon is killed with SIGKILL at a random moment, many times. After each kill `qemu-img check`
# must report no corruption (leaks are allowed) and every write acknowledged before the last
# completed flush must be in the image (crash_ops.py verify).
# Usage: daemon-crash.sh [ROUNDS (default 10)]   Needs: distribution/target/jsd (mvn -B package),
# qemu-img, qemu-io, python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
jsd=${JSD:-$root/distribution/target/jsd/bin/jsd}
rounds=${1:-10}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
opts=("cluster_size=4k" "cluster_size=64k" "extended_l2=on,cluster_size=64k" "cluster_size=512,refcount_bits=1" "compat=0.10")
for r in $(seq "$rounds"); do
  img=$work/img.qcow2
  rm -f "$img" "$work/nbd.sock"
  o=${opts[$((r % ${#opts[@]}))]}
  qemu-img create -q -f qcow2 -o "$o" "$img" 64M
  "$jsd" --blockdev driver=file,node-name=f,filename="$img" --blockdev driver=qcow2,node-name=q,file=f \
         --nbd-server addr.type=unix,addr.path="$work/nbd.sock" \
         --export type=nbd,id=e,node-name=q,name=disk,writable=on >"$work/jsd.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -S "$work/nbd.sock" ] && break; sleep 0.1; done
  seed=$RANDOM
  python3 "$here/crash_ops.py" gen "$seed" 200000 > "$work/cmds"
  qemu-io -f raw "nbd+unix:///disk?socket=$work/nbd.sock" < "$work/cmds" > "$work/out" 2>&1 &
  writer=$!
  sleep "$(awk -v s="$seed" 'BEGIN { srand(s); printf "%.1f", 1 + 3 * rand() }')"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=
  wait "$writer" 2>/dev/null || true
  flushed=$(grep -c 'wrote 512/512 bytes at offset 0$' "$work/out" || true)
  rc=0; qemu-img check "$img" > "$work/check" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then echo "round $r ($o): qemu-img check exit $rc"; cat "$work/check"; exit 1; fi
  qemu-img convert -O raw "$img" "$work/img.raw"
  if ! python3 "$here/crash_ops.py" verify "$seed" 200000 "$flushed" "$work/img.raw"; then
    echo "round $r ($o): flushed data lost"; exit 1
  fi
  echo "round $r ($o): killed after $flushed completed flushes; check exit $rc; flushed writes intact"
done
echo "daemon-crash: $rounds rounds passed"
