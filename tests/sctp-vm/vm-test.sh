#!/usr/bin/env bash
# vm-test.sh GUEST-SCRIPT [ARGS...]: builds the VM pieces (cached) and runs the guest
# script in the VM. Exit 77 (ctest: skipped) only when qemu cannot run here at all.
# The guest finds a fresh results folder on the share (the host's /tmp) in $VM_RESULTS.
# If it leaves an executable $VM_RESULTS/host-check there, that runs on the host after
# the VM (e.g. tshark on a capture taken in the VM: the host's tshark, not one slowed
# ~15x by TCG), and the test passes only if the guest and the host check both pass.
# The folder is removed when the test passed, kept (and named) when it did not.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "SKIPPED LOUDLY: qemu-system-x86_64 is not installed; real-SCTP tests did not run" >&2
  exit 77
fi
"$HERE/build-vm.sh" || exit 1
results=$(mktemp -d /tmp/isupgw-vm-results-XXXXXX)
chmod 777 "$results"
VM_ENV="VM_RESULTS=$results ${VM_ENV:-}" "$HERE/run-in-vm.sh" --share /tmp "$@"
rc=$?
if [ -x "$results/host-check" ] && { [ "$rc" = 0 ] || [ "$rc" = 1 ]; }; then
  echo "---- host-side checks"
  "$results/host-check"
  hrc=$?
  [ "$rc" = 0 ] && rc=$hrc
fi
if [ "$rc" = 0 ]; then rm -rf "$results"; else echo "vm-test: results kept in $results" >&2; fi
exit "$rc"
