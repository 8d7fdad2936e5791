#!/bin/sh
# Instructions per upload of POST /v1/match in process (issue 18; docs/benchmarks-log.md): callgrind
# counts only while N uploads of one kind run (bench_upload_route.py --only KIND), started with
# its counting off and turned on and off by callgrind_control at the script's handshake.
#
#   benchmarks/upload_instructions.sh KIND N [OUT]     KIND: route | general | work
#   PYTHONPATH=<another tree's src> benchmarks/upload_instructions.sh ...   (the same, that code)
#
# Prints the instructions (Ir) counted and Ir / N. This machine has no hardware counters for
# perf stat; callgrind's count is exact and independent of the load.
set -eu
kind=$1
n=$2
out=${3:-$(mktemp -d /tmp/upload-ir.XXXXXX)}
mkdir -p "$out"
rm -f "$out"/ready "$out"/go "$out"/done "$out"/exit "$out"/callgrind.out
root=$(cd "$(dirname "$0")/.." && pwd)
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out" \
    "$root/.venv/bin/python" "$root/benchmarks/bench_upload_route.py" --only "$kind" \
    --uploads "$n" --handshake "$out" >"$out/log" 2>&1 &
pid=$!
until [ -e "$out/ready" ]; do
    kill -0 $pid 2>/dev/null || { cat "$out/log"; exit 1; }
    sleep 1
done
callgrind_control -i on $pid >/dev/null
touch "$out/go"
until [ -e "$out/done" ]; do sleep 1; done
callgrind_control -i off $pid >/dev/null
touch "$out/exit"
wait $pid
ir=$(grep -m1 '^totals:' "$out/callgrind.out" | awk '{print $2}')
echo "$kind $n uploads: Ir $ir, per upload $(echo "$ir / $n" | bc)"
