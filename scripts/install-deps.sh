#!/usr/bin/env bash
# Installs every Debian package slimc needs to build and test. Idempotent: a machine that already
# has them pays only a dpkg query.
set -euo pipefail

packages=(
  cmake ninja-build ccache g++ python3 python3-venv
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
  libfmt-dev nlohmann-json3-dev googletest libgtest-dev
  libpng-dev graphviz
  clang-19 libclang-rt-19-dev libfuzzer-19-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
