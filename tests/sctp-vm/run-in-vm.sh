#!/usr/bin/env bash
# run-in-vm.sh [--share DIR] CMD [ARGS...]
# Runs CMD as root inside a throw-away QEMU (TCG) VM whose kernel has SCTP, in the
# current folder; DIR (default: the current folder) is writable at the same path.
# Streams the console; exits with CMD's exit code, 97 if the VM never reported one.
# Env: CACHE (as build-vm.sh), VM_MEM (MiB, 1024), VM_CPUS (2), VM_TIMEOUT (s, 600),
#      VM_ENV ("NAME=VALUE ..." exported to CMD in the VM, whose environment is otherwise empty).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${CACHE:-$ROOT/build/sctp-vm}"
share="$PWD"
if [ "${1:-}" = --share ]; then share="$(cd "$2" && pwd)"; shift 2; fi
[ $# -gt 0 ] || { echo "usage: $0 [--share DIR] CMD [ARGS...]" >&2; exit 2; }
[ -f "$CACHE/vmlinuz" ] && [ -f "$CACHE/initrd.gz" ] || { echo "run-in-vm: run build-vm.sh first" >&2; exit 2; }
case "$share" in *" "*) echo "run-in-vm: share path must not contain spaces" >&2; exit 2 ;; esac

run="$(mktemp -d "${TMPDIR:-/tmp}/isupgw-vm.XXXXXX")"
trap 'rm -rf "$run"' EXIT
{
  echo "cd $(printf %q "$PWD") || exit 98"
  for kv in ${VM_ENV:-}; do printf 'export %q\n' "$kv"; done
  printf 'exec'
  printf ' %q' "$@"
  echo
} >"$run/cmd.sh"

t0=$SECONDS
set +e
timeout --foreground -k 5 "${VM_TIMEOUT:-600}" qemu-system-x86_64 \
  -accel tcg,thread=multi -machine pc -smp "${VM_CPUS:-2}" -m "${VM_MEM:-1024}" \
  -display none -monitor none -serial stdio -no-reboot \
  -kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd.gz" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 random.trust_cpu=on vm_share=$share" \
  -device virtio-rng-pci \
  -fsdev local,id=fs0,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=fs0,mount_tag=hostroot \
  -fsdev local,id=fs1,path="$run",security_model=none \
  -device virtio-9p-pci,fsdev=fs1,mount_tag=vmrun \
  -fsdev local,id=fs2,path="$share",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=fs2,mount_tag=share \
  -net none </dev/null 2>&1 | tr -d '\r'
set -e
rc="$(cat "$run/rc" 2>/dev/null || true)"
echo "run-in-vm: VM wall time $((SECONDS - t0)) s, command rc=${rc:-none}" >&2
[ -n "$rc" ] || { echo "run-in-vm: the VM reported no exit code (boot failure or timeout)" >&2; exit 97; }
exit "$rc"
