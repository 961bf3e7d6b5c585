#!/bin/sh
# /init of an msrconf test guest (the guest kernel runs it from the initramfs msrconf builds; busybox
# provides every command). It loads the modules listed in /modules/order (virtio-serial, then KVM),
# finds the virtio-serial port the host named msrconf.agent, and runs the agent on it: from then on the
# host drives this kernel's /dev/kvm through the agent. When the agent ends, the guest powers off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

say() { echo "msrconf-guest: $*"; }

for m in $(cat /modules/order); do
  insmod "/modules/$m.ko" $(cat "/modules/$m.params" 2>/dev/null) || say "insmod $m failed"
done

# Without udev there is no /dev/virtio-ports/NAME: the port's name is in sysfs, its device node is /dev/vportNpM.
port=
tries=0
while [ -z "$port" ] && [ $tries -lt 100 ]; do
  for d in /sys/class/virtio-ports/*; do
    [ -f "$d/name" ] && [ "$(cat "$d/name")" = msrconf.agent ] && port=/dev/${d##*/}
  done
  [ -n "$port" ] || { sleep 0.05; tries=$((tries + 1)); }
done
if [ -z "$port" ]; then
  say "FATAL: no virtio-serial port named msrconf.agent (modules loaded: $(cat /modules/order))"
else
  kvm=absent
  [ -c /dev/kvm ] && kvm=present
  say "kernel $(uname -r); KVM modules: $(ls /sys/module | grep '^kvm' | tr '\n' ' '); /dev/kvm $kvm; agent on $port"
  /bin/msrconf-agent "$port"
  say "the agent ended with status $?"
fi
poweroff -f
sleep 10
