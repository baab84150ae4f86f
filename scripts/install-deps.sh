#!/usr/bin/env bash
# Installs kspm's build and test dependencies from Debian 12 packages (nothing else is downloaded).
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libyaml-dev rapidjson-dev libjemalloc-dev
          libgtest-dev libgmock-dev libbenchmark-dev python3 time zlib1g-dev
          libcurl4-openssl-dev libssl-dev openssl libcpp-httplib-dev
          libsqlite3-dev libpq-dev postgresql  # the history store (docs/history.md); postgresql for its tests
          clang-16 libclang-rt-16-dev)  # clang and libFuzzer for fuzz/run.sh (clang 14 lacks C++20 features kspm uses)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
