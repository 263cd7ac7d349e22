#!/usr/bin/env bash
# The long fuzzing run (docs/reliability.md): builds the modules with fuzz targets and runs every
# target with Jazzer for SECONDS each (default 300), one after another, then prints per target the
# number of executions and what was found. Usage: run.sh [SECONDS] [TARGET...]
# Targets: QmpJsonFuzzTest NbdFuzzTest VirtqueueFuzzTest VhostUserFuzzTest Qcow2ImageFuzzTest (default: all).
# Findings are in <module>/target/fuzz/<Target>/findings, the grown corpus in .../corpus, Jazzer's log
# in .../jazzer.log. Exit status 0 only if every target ran and found nothing.
# Needs JDK 25 (JAVA_HOME), Maven with the dependencies cached (drop -o below the first time), qemu-img
# for nothing (the seed images are committed).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(QmpJsonFuzzTest NbdFuzzTest VirtqueueFuzzTest VhostUserFuzzTest Qcow2ImageFuzzTest)
modules=(testkit bundles/export-nbd bundles/export-vhost bundles/driver-qcow2)
cd "$root"
mkdir -p target
for m in "${modules[@]}"; do rm -f "$m/target/fuzz/summary.txt"; done
list=$(IFS=,; echo "${targets[*]}")
# one JVM per target (Jazzer's child); a failing target does not stop the others
mvn ${MVN_OFFLINE--o} -B -q verify -pl "$(IFS=,; echo "${modules[*]}")" -am \
    -Dtest="$list" -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true -DskipITs \
    -Djsd.fuzz.seconds="$seconds" -Djsd.fuzz.keepCorpus=true >"$root/target/fuzz-run.log" 2>&1 || true
status=0
found=0
for t in "${targets[@]}"; do
    line=$(cat "${modules[@]/%//target/fuzz/summary.txt}" 2>/dev/null | grep "^$t: " | tail -1 || true)
    if [ -z "$line" ]; then echo "$t: did not run (see $root/target/fuzz-run.log)"; status=1; continue; fi
    echo "$line"
    case "$line" in *"exit 0, nothing found"*) ;; *) status=1 ;; esac
done
exit $status
