#!/usr/bin/env bash
# Installs everything isupgw needs to build and test, from Debian 12 packages
# only. Idempotent: does nothing when every package is already installed.
set -euo pipefail

PACKAGES=(
  # toolchain (scripts/build.sh uses Ninja when present)
  g++ cmake make ninja-build pkg-config git python3
  # libraries (see README "Dependencies")
  libboost-dev libboost-system-dev libssl-dev protobuf-compiler libprotobuf-dev
  libyaml-cpp-dev libsctp-dev libosmocore-dev
  # tests: unit, benchmark, fuzz (clang + its libFuzzer runtime)
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  # real peers and the wire-format oracle (tshark brings dumpcap); iproute2: a network namespace per test
  sip-tester stunnel4 tshark osmo-mgw osmo-stp iproute2
  # a real Prometheus server scraping /metrics in tests (promtool checks the exposition)
  prometheus
  # a real HEP collector receiving the trace's HEPv3 export in tests; a real browser loading the ladder page
  sngrep chromium
  # a real carrier-side registrar/proxy (auth_db, registrar, usrloc over db_text) for registration and 407 tests
  kamailio
  # a real RADIUS accounting server (RFC 2866) receiving the gateway's Start/Stop in tests (its detail file is the record)
  freeradius
  # real-SCTP tests run in a throw-away VM (tests/sctp-vm): this kernel has no SCTP
  qemu-system-x86 busybox-static cpio
  # the Debian package's checker (tests/package)
  lintian
  # JSON for the decode/encode CLI
  nlohmann-json3-dev
  # asynchronous DNS (RFC 3263 trunks by host name) on the Asio loop; a real DNS server in tests
  libc-ares-dev dnsmasq-base
  # libpri (Q.921 + Q.931) as the independent ISDN peer for the PRI tests (issue 21)
  libpri-dev
  # libss7 (Asterisk's MTP2/MTP3/ISUP) as the independent ISUP peer: tools/ss7-peer (issue 20)
  libss7-dev
  # an independent H.248 media gateway in tests: Erlang/OTP's megaco application driven by our escript
  # (tests/integration/h248_mg); erlang-dev holds megaco's record headers the escript includes
  erlang-megaco erlang-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
echo "setup: installing ${missing[*]}"
# tshark asks whether non-root users may capture; the default (no) is fine.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${SUDO[@]}" debconf-set-selections 2>/dev/null || true
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
