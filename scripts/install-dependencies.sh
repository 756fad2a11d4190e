#!/usr/bin/env bash
# Installs what Tollgate needs on a fresh Debian machine with Swift: libgit2 to build and run, and
# for the tests git, OpenSSH's ssh-keygen and sshd (the remote tests serve a repository over SSH),
# openssl (the HTTPS tests' certificates: a test authority and the certificate it issues to a
# `git http-backend` that Python serves over TLS, and a self-signed one), a PostgreSQL server, Python's
# jsonschema (the SARIF output is validated with it) and moto, the AWS emulator, with botocore (pip;
# the tests start the servers themselves and check signatures against botocore's), Chromium with
# chromium-driver and Selenium (pip) for the web page's browser test, and schemathesis with
# openapi-spec-validator (pip), which check docs/openapi.yaml against the running server.
# With --for-bench, also cfn-lint (pip), which bench/corpus.sh times beside tollgate.
# Usage: scripts/install-dependencies.sh [--for-tests | --for-bench]
set -euo pipefail
packages=(libgit2-dev pkg-config git)
if [ "${1:-}" = "--for-tests" ]; then
  packages+=(openssh-client openssh-server openssl postgresql sqlite3 python3 python3-jsonschema)
  # The web page's browser test: headless Chromium and its WebDriver.
  packages+=(chromium chromium-driver)
  command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--for-bench" ] && ! command -v cfn-lint >/dev/null; then
  python3 -m pip install --quiet cfn-lint==1.51.0
fi

# Selenium drives Chromium in the web page's browser test.
if [ "${1:-}" = "--for-tests" ] && ! python3 -c 'import selenium' 2>/dev/null; then
  python3 -m pip install --quiet selenium==4.51.0 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages selenium==4.51.0
fi

# The AWS emulator and the signer the tests compare with, at the versions the tests were written
# against. Debian's own python3 refuses pip installs into the system (PEP 668) unless told
# --break-system-packages; a python3 of one's own (pyenv, a venv) takes them as they are.
moto_pins=("moto[server]==5.2.1" "botocore==1.43.11")
if [ "${1:-}" = "--for-tests" ] && ! { command -v moto_server >/dev/null &&
  python3 -c 'import moto, botocore; assert moto.__version__ == "5.2.1" and botocore.__version__ == "1.43.11"' 2>/dev/null; }; then
  python3 -m pip install --quiet "${moto_pins[@]}" 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages "${moto_pins[@]}"
fi

# schemathesis checks docs/openapi.yaml against the running server, and openapi-spec-validator
# the document itself (Tests/TollgateServerTests/APIOpenAPITests.swift).
openapi_pins=("schemathesis==4.32.5" "openapi-spec-validator==0.9.0")
if [ "${1:-}" = "--for-tests" ] && ! { command -v schemathesis >/dev/null && command -v openapi-spec-validator >/dev/null &&
  python3 -c 'from importlib.metadata import version as v; assert v("schemathesis") == "4.32.5" and v("openapi-spec-validator") == "0.9.0"' 2>/dev/null; }; then
  python3 -m pip install --quiet "${openapi_pins[@]}" 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages "${openapi_pins[@]}"
fi
