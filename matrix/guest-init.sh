#!/bin/sh
# /init of an msrconf test guest (run by the guest kernel from the initramfs msrconf builds).
# It loads the modules listed in /modules/order (9p over virtio, then KVM), mounts the host's root
# read-only over 9p and the run's output directory read-write on top of it, then runs the msrconf
# command given in /msrconf.conf inside the host root, so the guest runs the host's own Java and the
# same harness code. It writes the command's exit status beside the results and powers off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
. /msrconf.conf

say() { echo "msrconf-guest: $*"; }
halt() { poweroff -f; sleep 10; }

for m in $(cat /modules/order); do
  insmod "/modules/$m.ko" $(cat "/modules/$m.params" 2>/dev/null) || say "insmod $m failed"
done

root=/mnt/root
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot "$root" \
  || { say "FATAL: cannot mount the host's root over 9p"; halt; }
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out "$root$MSRCONF_OUT" \
  || { say "FATAL: cannot mount the output directory $MSRCONF_OUT over 9p"; halt; }
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount -t devtmpfs dev "$root/dev"

kvm=absent
[ -c /dev/kvm ] && kvm=present
say "kernel $(uname -r); KVM modules: $(ls /sys/module | grep '^kvm' | tr '\n' ' '); /dev/kvm $kvm"
say "running: $MSRCONF_COMMAND"
chroot "$root" /bin/sh -c "$MSRCONF_COMMAND"
status=$?
echo "$status" > "$root$MSRCONF_OUT/guest-exit-status"
say "exit status $status"
sync
halt
