#!/usr/bin/env bash
# One life-cycle run under a real manager (README "Life cycle under a real manager (issue 20)"):
#   W=<manager build> R=<run prefix with everest-core 2023.12.0 interfaces/types/errors, TsOcpp installed>
#     bash bench/everest/lifecycle-run.sh OUT [lifecycle-csms.ts flags]
# Starts mosquitto (mosquitto-lifecycle.conf) and the CSMS, runs the manager with lifecycle-tsocpp-spawned.yaml
# (PySystem exits after the reset, which stops it), then stops what it started. OUT gets manager.log,
# csms.log, csms.jsonl (every OCPP message), pysystem.jsonl.
set -u
: "${W:?manager build}" "${R:?run prefix}"
OUT=$1; shift
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$OUT" /tmp/tsocpp-lifecycle && mkdir -p "$OUT" /tmp/tsocpp-lifecycle
cp "$HERE/configs/lifecycle-tsocpp-spawned.yaml" "$R/etc/everest/"
mosquitto -c "$HERE/mosquitto-lifecycle.conf" >"$OUT/mosquitto.log" 2>&1 & M=$!
(cd "$HERE/../.." && exec node --import tsx bench/everest/lifecycle-csms.ts --port 21811 --out "$OUT/csms.jsonl" "$@") >"$OUT/csms.log" 2>&1 & C=$!
sleep 2
(cd "$R" && timeout 180 "$W/prefix/bin/manager" --prefix "$R" --config "$R/etc/everest/lifecycle-tsocpp-spawned.yaml") >"$OUT/manager.log" 2>&1
echo "manager rc=$?"
sleep 1
kill "$C" 2>/dev/null; wait "$C" 2>/dev/null
kill "$M"; wait "$M" 2>/dev/null
cp /tmp/tsocpp-lifecycle/pysystem.jsonl "$OUT/" 2>/dev/null
echo "done: $OUT"
