#!/usr/bin/env bash
# vm-test.sh GUEST-SCRIPT [ARGS...]: builds the VM pieces (cached) and runs the guest
# script in the VM. Exit 77 (ctest: skipped) only when qemu cannot run here at all.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "SKIPPED LOUDLY: qemu-system-x86_64 is not installed; real-SCTP tests did not run" >&2
  exit 77
fi
"$HERE/build-vm.sh" || exit 1
exec "$HERE/run-in-vm.sh" --share /tmp "$@"
