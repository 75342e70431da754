#!/usr/bin/env bash
# Peer comparison: the same process shape — accept → two parallel reviews → decide →
# deliver — run by SpiffWorkflow (PyPI) in-process, and by tongban's core via
# `tongban bench core-flow`, printing instances per second for each and the ratios.
#
#   bench/peers/run.sh                 # uses target/release/tongban (built if missing)
#   TONGBAN_BIN=/path/to/tongban bench/peers/run.sh
#   SPIFF_INSTANCES=2000 CORE_INSTANCES=50000 DURABLE_INSTANCES=20000 bench/peers/run.sh
#
# The virtualenv lives under target/peers-venv (PEERS_VENV to move it); SpiffWorkflow is
# installed there with pip on the first run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PEERS_VENV:-$root/target/peers-venv}"
bin="${TONGBAN_BIN:-$root/target/release/tongban}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import SpiffWorkflow' 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'SpiffWorkflow>=3,<4'
fi
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release -p tongban)
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "SpiffWorkflow: ${SPIFF_INSTANCES:-2000} instances in memory, then serialized after every step …" >&2
"$venv/bin/python" "$here/spiff_bench.py" --instances "${SPIFF_INSTANCES:-2000}" >"$out/spiff.json"
echo "tongban core: in memory, then durable (SQLite, 64 in flight) …" >&2
"$bin" bench core-flow --json --instances "${CORE_INSTANCES:-50000}" >"$out/memory.json"
"$bin" bench core-flow --json --durable --in-flight 64 --instances "${DURABLE_INSTANCES:-20000}" >"$out/durable.json"

"$venv/bin/python" - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]
load = lambda n: json.load(open(os.path.join(d, n)))
spiff, memory, durable = load("spiff.json"), load("memory.json"), load("durable.json")
s_mem = spiff["memory"]["instances_per_sec"]
s_ser = spiff["serialized_every_step"]["instances_per_sec"]
t_mem = memory["instances_per_sec"]
t_dur = durable["instances_per_sec"]
rows = [
    (f"SpiffWorkflow {spiff['version']} in memory", s_mem),
    ("SpiffWorkflow, state serialized after every step", s_ser),
    ("tongban core in memory", t_mem),
    (f"tongban durable (SQLite event log, {durable['in_flight']} in flight)", t_dur),
]
for name, v in rows:
    print(f"{name:<58} {v:>12,.0f} instances/s")
print(f"tongban in memory / Spiff in memory:               {t_mem / s_mem:>10.1f}x  (floor 20x, goal 100x)")
print(f"tongban durable   / Spiff serialized every step:   {t_dur / s_ser:>10.1f}x  (target 20x)")
print(json.dumps({
    "spiff_memory_per_sec": s_mem, "spiff_serialized_per_sec": s_ser,
    "tongban_memory_per_sec": t_mem, "tongban_durable_per_sec": t_dur,
    "ratio_memory": t_mem / s_mem, "ratio_durable_vs_serialized": t_dur / s_ser,
}))
PY
