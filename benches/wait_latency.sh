#!/usr/bin/env bash
# Usage: benches/wait_latency.sh [BINARY]   (from the repository root, after cargo build --release)
# Measures how long `sfconnect wait` takes to return after the simulated key goes live.
B=${1:-target/release/sfconnect}
for run in 1 2 3 4 5; do
  coproc SIM { exec "$B" simulate --json --live-after 10; }
  read -r line <&"${SIM[0]}"
  t0=$(date +%s.%N)   # the simulator's clock starts just before it prints this line
  id=$(echo "$line" | python3 -c 'import sys,json;print(json.load(sys.stdin)["client_id"])')
  sec=$(echo "$line" | python3 -c 'import sys,json;print(json.load(sys.stdin)["client_secret"])')
  url=$(echo "$line" | python3 -c 'import sys,json;print(json.load(sys.stdin)["base_url"])')
  SFCONNECT_CLIENT_SECRET=$sec "$B" wait --client-id "$id" --login-url "$url" >/dev/null 2>&1
  t1=$(date +%s.%N)
  kill $SIM_PID; wait $SIM_PID 2>/dev/null
  python3 -c "print(f'run $run: wait returned {($t1-$t0-10):.2f} s after the key went live')"
done
