#!/usr/bin/env bash
# README command (a): set up, build and run the gateway on its embedded default
# configuration (SIP on 127.0.0.1:5060 UDP and TCP). Extra arguments go to `isupgw run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release isupgw
exec build/bin/isupgw run "$@"
