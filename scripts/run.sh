#!/usr/bin/env bash
# The project's one entry point on a fresh Debian 12 machine (as root, or with sudo):
#   scripts/run.sh demo   install what is missing, build, audit the bundled demo dataset
#   scripts/run.sh test   install what is missing, build, run the whole test suite (then again
#                         under ASan + UBSan, and a short fuzz run: scripts/sanitize.sh)
#   scripts/run.sh build  install what is missing and build
# Dependencies come from Debian packages only (see packages_* below).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build_dir=${TEXTAUDIT_BUILD_DIR:-$root/build}
jobs=${TEXTAUDIT_JOBS:-$(nproc)}

packages_build=(g++ cmake make pkg-config libeigen3-dev libopenblas-dev libre2-dev libutf8proc-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libxxhash-dev libhnswlib-dev)
packages_test=(catch2 chromium fonts-liberation fonts-dejavu-core clang-14 libclang-rt-14-dev)
packages_test+=(pybind11-dev python3-dev python3-numpy python3-pytest)  # the Python module and its tests

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  local tests=$1
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DTEXTAUDIT_BUILD_TESTS="$tests" >/dev/null
  else
    cmake -S "$root" -B "$build_dir" -DTEXTAUDIT_BUILD_TESTS="$tests" >/dev/null
  fi
  cmake --build "$build_dir" -j "$jobs"
}

case "${1:-}" in
  demo)
    install_missing "${packages_build[@]}"
    tests=OFF; [ -f "$build_dir/CMakeCache.txt" ] && grep -q "TEXTAUDIT_BUILD_TESTS:BOOL=ON" "$build_dir/CMakeCache.txt" && tests=ON
    build "$tests" >/dev/null
    echo "== textaudit audit data/sms_spam.tsv (the demo: 5,574 real SMS labelled ham/spam)"
    set +e
    "$build_dir/textaudit" audit data/sms_spam.tsv --text-column SMS --label-column Label --out "$root/audit-demo"
    rc=$?
    set -e
    [ $rc -eq 0 ] && echo "== open audit-demo/report.html in a browser for the full report"
    exit $rc
    ;;
  test)
    install_missing "${packages_build[@]}" "${packages_test[@]}"
    build ON
    (cd "$build_dir" && ctest --output-on-failure -j "$jobs")
    # The suite again under ASan + UBSan (without the [slow] corpus sweeps), and a short fuzz run
    # (scripts/sanitize.sh; skip with TEXTAUDIT_SANITIZERS=0).
    if [ "${TEXTAUDIT_SANITIZERS:-1}" != 0 ]; then
      TEXTAUDIT_BUILD_DIR=$build_dir TEXTAUDIT_JOBS=$jobs scripts/sanitize.sh asan-quick fuzz
    fi
    ;;
  build)
    install_missing "${packages_build[@]}" "${packages_test[@]}"
    build ON
    ;;
  *)
    echo "usage: scripts/run.sh demo|test|build" >&2
    exit 2
    ;;
esac
