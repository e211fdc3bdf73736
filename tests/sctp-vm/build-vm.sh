#!/usr/bin/env bash
# Builds what a throw-away QEMU VM with kernel SCTP needs (our CI kernels lack SCTP):
#   $CACHE/vmlinuz    Debian's own kernel (whatever linux-image-amd64 depends on)
#   $CACHE/initrd.gz  busybox + the virtio/9p/overlay/sctp modules + guest-init.sh as /init
# The guest's root file system is this host's "/" (9p, read-only, tmpfs overlay), so
# osmo-stp and our freshly built binaries run in it unchanged. Idempotent and cached.
# Packages (qemu-system-x86 busybox-static osmo-stp cpio) come from scripts/setup.sh.
# Env: CACHE (default build/sctp-vm next to the repository root), KEEP_KPKG=1.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${CACHE:-$ROOT/build/sctp-vm}"
mkdir -p "$CACHE"
MODULES="virtio_pci virtio_rng 9pnet_virtio 9p overlay crc32c_generic sctp"

for tool in qemu-system-x86_64 busybox cpio apt-get dpkg; do
  command -v "$tool" >/dev/null || { echo "build-vm: $tool missing (run scripts/setup.sh)" >&2; exit 3; }
done
[ -x /bin/busybox ] || { echo "build-vm: /bin/busybox (busybox-static) missing" >&2; exit 3; }

kpkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')"
[ -n "$kpkg" ] || { echo "build-vm: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 3; }
kver="${kpkg#linux-image-}"
stamp="$kver $(sha1sum "$HERE/guest-init.sh" | cut -c1-12) $MODULES"
if [ -f "$CACHE/vmlinuz" ] && [ -f "$CACHE/initrd.gz" ] && [ "$(cat "$CACHE/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "build-vm: cached ($kver)"
  exit 0
fi

echo "build-vm: fetching $kpkg"
rm -rf "$CACHE/kdeb" "$CACHE/kpkg" "$CACHE/initramfs"
mkdir -p "$CACHE/kdeb"
chmod 777 "$CACHE/kdeb"  # apt's _apt user downloads into it
(cd "$CACHE/kdeb" && apt-get download -q "$kpkg" >/dev/null 2>&1) || { echo "build-vm: download of $kpkg failed" >&2; exit 3; }
dpkg -x "$CACHE"/kdeb/*.deb "$CACHE/kpkg"
cp "$CACHE/kpkg/boot/vmlinuz-$kver" "$CACHE/vmlinuz"
busybox depmod -b "$CACHE/kpkg" "$kver"

echo "build-vm: initramfs"
R="$CACHE/initramfs"
mkdir -p "$R"/{bin,dev,proc,sys,lower,rw,newroot,lib/modules/"$kver"}
cp /bin/busybox "$R/bin/busybox"
cp "$HERE/guest-init.sh" "$R/init"
chmod +x "$R/init"
MD="$CACHE/kpkg/lib/modules/$kver"
files=()
for m in $MODULES; do
  dep="$(grep -E "/${m//_/[_-]}\.ko(\.xz)?:" "$MD/modules.dep" | head -1)"
  [ -n "$dep" ] || { echo "build-vm: module $m not in $kver" >&2; exit 3; }
  files+=(${dep//:/})
done
for f in $(printf '%s\n' "${files[@]}" | sort -u); do
  mkdir -p "$R/lib/modules/$kver/$(dirname "$f")"
  cp "$MD/$f" "$R/lib/modules/$kver/$f"
done
cp "$MD"/modules.builtin* "$MD/modules.order" "$R/lib/modules/$kver/"
busybox depmod -b "$R" "$kver"
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1 >"$CACHE/initrd.gz")
[ "${KEEP_KPKG:-0}" = 1 ] || rm -rf "$CACHE/kdeb" "$CACHE/kpkg" "$R"
echo "$stamp" >"$CACHE/stamp"
echo "build-vm: ready ($kver)"
