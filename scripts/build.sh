#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install what is missing, build, then
#   scripts/build.sh example   run the main example (examples/quickstart.cpp)
#   scripts/build.sh test      run the whole test suite through CTest
# Environment: BUILD_DIR (default build), JOBS (default: the CPUs available).
set -euo pipefail
mode=${1:-example}
case "$mode" in example | test) ;; *) echo "usage: $0 example|test" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."

packages=(g++ cmake make libeigen3-dev libtbb-dev libboost-mpi-dev libboost-serialization-dev
          libopenmpi-dev openmpi-bin catch2 python3-numpy python3-matplotlib doxygen)
# The tests also compare parnest's Philox with its reference implementation (Random123).
if [ "$mode" = test ]; then packages+=(librandom123-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "parnest: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DPARNEST_WERROR=ON

if [ "$mode" = example ]; then
  # Only what the example needs: libparnest and examples/quickstart.cpp.
  cmake --build "$build" --parallel "$jobs" --target parnest_example_quickstart
  "$build"/examples/parnest_example_quickstart
  echo "parnest: output written to out/gauss.csv, out/gauss_equal_weights.csv, out/gauss.txt," \
       "out/gauss.paramnames, out/gauss_dead-birth.txt, out/gauss_summary.json" \
       "(plot them: /usr/bin/python3 tools/plot_run.py out/gauss)"
  exit 0
fi

cmake --build "$build" --parallel "$jobs"

# A suite that discovers no tests must fail, not pass quietly.
total=$(ctest --test-dir "$build" -N | sed -n 's/^Total Tests: //p')
if [ "${total:-0}" -eq 0 ]; then
  echo "parnest: CTest found no tests in $build" >&2
  exit 1
fi
# The label summary at the end says where the time went; `ctest -LE slow` runs the fast tier.
ctest --test-dir "$build" --output-on-failure --parallel "$jobs"
