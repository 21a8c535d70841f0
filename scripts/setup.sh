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
)
if [ "${MGSIM_SETUP_PEERS:-1}" != 0 ]; then
  packages+=(python3-brian python3-numpy) # peer simulator for bench/ and reference checks
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 77; }
  SUDO=sudo
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
