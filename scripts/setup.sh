#!/usr/bin/env bash
# Install every Debian package mgsim needs to build, test, fuzz and benchmark.
# Usage: bash scripts/setup.sh            (as root, or with sudo available)
#        MGSIM_SETUP_PEERS=0 bash scripts/setup.sh   to skip the Brian2 peer simulator
set -euo pipefail

packages=(
  build-essential cmake pkg-config        # compiler and build
  clang libclang-rt-14-dev libomp-14-dev  # libFuzzer, sanitizers
  libyaml-dev                             # model files (line/column errors)
  libjansson-dev                          # summary.json
  libhdf5-dev                             # SONATA spike files
  librandom123-dev                        # counter-based random numbers (Philox)
  libsundials-dev                         # CVODE: stiff body-magnesium kinetics
  libopenmpi-dev openmpi-bin              # populations across processes (mpirun)
  libjs-vega                              # Vega, inlined into report.html (works offline)
  check                                   # unit-test framework
  hdf5-tools                              # h5dump, used by tests to read SONATA files back
  clang-format
  chromium                                # headless browser test of report.html (tests/browser)
)
# the browser test runs on Node; Debian's nodejs/npm only where none is installed already
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [ "${MGSIM_SETUP_PEERS:-1}" != 0 ]; then
  packages+=(python3-brian python3-numpy) # peer simulator for bench/ and reference checks
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 77; }
    SUDO=sudo
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core (pinned in tests/browser/package-lock.json) drives Chromium in the browser
# test; reinstalled only when the lock file is newer than the installed copy
browser="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
if command -v npm >/dev/null &&
   [ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci --prefix tests/browser"
  npm ci --prefix "$browser" --no-audit --no-fund
fi
echo "setup: done"
