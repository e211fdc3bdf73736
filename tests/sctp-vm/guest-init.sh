#!/bin/busybox sh
# /init of the test VM: load modules (sctp among them), mount the host's "/" read-only
# under a tmpfs overlay, mount /vmrun (per-run folder) and the writable share at its
# host path, chroot, run /vmrun/cmd.sh, store its exit code in /vmrun/rc, power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
log() { echo "[vm-init] $*" >/dev/ttyS0; }
die() { log "FATAL: $*"; echo 99 >/newroot/vmrun/rc 2>/dev/null; sync; poweroff -f; }

for m in virtio_pci virtio_rng 9pnet_virtio 9p overlay crc32c_generic sctp; do
  modprobe "$m" || log "modprobe $m failed"
done
share=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in vm_share=*) share="${arg#vm_share=}" ;; esac
done
opts="trans=virtio,version=9p2000.L,msize=512000"
mount -t 9p -o "$opts,ro,cache=loose" hostroot /lower || die "mount hostroot"
mount -t tmpfs -o size=2g tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || die "overlay"
mkdir -p /newroot/vmrun
mount -t 9p -o "$opts" vmrun /newroot/vmrun || die "mount vmrun"
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
mount -t tmpfs tmpfs /newroot/tmp
mount -t tmpfs tmpfs /newroot/run
if [ -n "$share" ]; then
  mkdir -p "/newroot$share"
  mount -t 9p -o "$opts" share "/newroot$share" || die "mount share $share"
fi
ip link set lo up
hostname isupgw-vm
log "up after $(cut -d' ' -f1 /proc/uptime)s"
chroot /newroot /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/sh /vmrun/cmd.sh </dev/null >/dev/ttyS0 2>&1
echo $? >/newroot/vmrun/rc
sync
umount /newroot/vmrun 2>/dev/null
[ -n "$share" ] && umount "/newroot$share" 2>/dev/null
poweroff -f
