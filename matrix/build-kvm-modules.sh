#!/usr/bin/env bash
# Builds KVM's modules (kvm.ko, kvm-amd.ko) from a possibly modified copy of KVM's sources (a mutant) in an
# environment prepared by prepare-kvm-build.sh, and writes a kernel module tree that the harness boots with
# `--kernel VMLINUZ,modules=OUT_TREE`: the booted kernel's own tree (hard-linked, so it costs no space) with
# its kvm and kvm-amd replaced by the ones built here (stripped of debug information: 24 MB to 3 MB each
# time the guest loads them). OUT_TREE is printed on stdout, the build time on stderr.
#
# SOURCES_DIR holds arch/x86/kvm and virt/kvm (start from ENV_DIR/pristine). The build happens in a
# persistent slot of the chroot (SLOT, default 0): two builds can run at once in different slots, and a
# rebuild in the same slot only recompiles what changed, because only the files whose content differs from
# the slot's are copied in (make decides by mtime, so an unchanged file must keep its old one). A new slot
# starts as a copy of the environment's build of the pristine sources, so even its first build only
# compiles the files that differ from them. Only kvm and kvm-amd are built (CONFIG_KVM_INTEL= drops
# kvm-intel, which the harness never loads: QEMU's TCG emulates SVM, not VMX).
#
# Exit status: 0 built; 2 the sources do not compile (the compiler's last error lines are on stderr);
# anything else: a problem of the environment or the arguments.
#
# usage: build-kvm-modules.sh ENV_DIR SOURCES_DIR OUT_TREE [SLOT]
#        (prepare-kvm-build.sh itself runs it with --stock first, to build the pristine sources once)
set -euo pipefail

prog=build-kvm-modules
usage="usage: build-kvm-modules.sh ENV_DIR SOURCES_DIR OUT_TREE [SLOT]"
stock=0
if [ "${1:-}" = --stock ]; then stock=1; shift; fi
env=${1:?$usage (ENV_DIR is missing: the directory prepare-kvm-build.sh printed)}
sources=${2:?$usage (SOURCES_DIR is missing: a directory holding arch/x86/kvm and virt/kvm)}
out=${3:?$usage (OUT_TREE is missing: the module tree to write)}
slot=${4:-0}
[[ "$slot" =~ ^[A-Za-z0-9_-]+$ ]] || { echo "$prog: SLOT '$slot' must be a name of letters, digits, _ or -" >&2; exit 3; }
if [ $stock = 0 ] && [ ! -f "$env/.complete" ]; then
  echo "$prog: ENV_DIR $env is not a complete environment (run prepare-kvm-build.sh)" >&2; exit 3
fi
for d in arch/x86/kvm virt/kvm; do
  [ -d "$sources/$d" ] || { echo "$prog: SOURCES_DIR $sources has no $d directory" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "$prog: must run as root (chroot, mount)" >&2; exit 3; }
env=$(cd "$env" && pwd)
sources=$(cd "$sources" && pwd)
root="$env/chroot"
release=$(cat "$env/release")
stock_modules=$(readlink -f "$env/stock-modules")
[ -d "$stock_modules/kernel" ] || { echo "$prog: $env/stock-modules is not a module tree" >&2; exit 3; }
# OUT_TREE is replaced whole; never replace something this script did not write.
if [ -e "$out" ] && [ ! -f "$out/.kvm-build" ]; then
  echo "$prog: OUT_TREE $out exists and was not written by $prog; not replacing it" >&2; exit 3
fi

# A failed build leaves no OUT_TREE, so a stale one is never booted as this mutant's.
rm -rf "$out" "$out.tmp"

if [ $stock = 1 ]; then name=stock; else name=slot-$slot; fi
slot_dir="$root/build/$name"
# One build at a time per slot (two would compile into the same objects).
exec 9>"$root/build/$name.lock"
flock 9

# A new slot is a copy of the pristine build, objects and all, with mtimes kept (cp -a): make then
# recompiles only what the sync below changes. The copy is made aside and renamed, so an interrupted copy
# is never used.
if [ $stock = 0 ] && [ ! -d "$slot_dir" ]; then
  rm -rf "$slot_dir.tmp"
  cp -a "$root/build/stock" "$slot_dir.tmp"
  mv "$slot_dir.tmp" "$slot_dir"
fi
mkdir -p "$slot_dir"

# Copies the source files whose content differs into the slot (cp gives them a new mtime) and removes the
# ones that are no longer in SOURCES_DIR. .sources lists the slot's source files, so that the build's own
# outputs are never taken for removed sources.
sync_sources() {
  local f list="$slot_dir/.sources"
  (cd "$sources" && find arch/x86/kvm virt/kvm -type f | LC_ALL=C sort) > "$list.new"
  if [ -f "$list" ]; then
    LC_ALL=C comm -23 "$list" "$list.new" | while IFS= read -r f; do rm -f "$slot_dir/$f"; done
  fi
  while IFS= read -r f; do
    if ! cmp -s "$sources/$f" "$slot_dir/$f"; then
      mkdir -p "$(dirname "$slot_dir/$f")"
      cp "$sources/$f" "$slot_dir/$f"
      echo "$f"
    fi
  done < "$list.new"
  mv "$list.new" "$list"
}
changed=$(sync_sources)
if [ -n "$changed" ] && [ $stock = 0 ]; then
  echo "$prog: slot $slot: changed $(echo "$changed" | wc -l) file(s): $(echo "$changed" | head -5 | tr '\n' ' ')" >&2
fi

# The headers' arch/x86/kvm and virt/kvm point at /build/src (see prepare-kvm-build.sh); in a private mount
# namespace, /build/src is this slot, so concurrent builds in other slots see theirs.
# Without debug information (KCFLAGS=-g0; GCC promises that -g never changes the generated code) and so without module
# BTF, which pahole makes from it: the tree gets stripped modules anyway, and a rebuild after a change to x86.c
# takes about 11 s instead of 17. kbuild recompiles everything once when these flags differ from a slot's last build.
log="$slot_dir/build.log"
started=$SECONDS
set +e
# shellcheck disable=SC2016 # the inner shell expands its own arguments
unshare --mount --propagation private sh -c '
  mount --bind "$1" "$2/build/src" || exit 90
  exec chroot "$2" make -C "/usr/src/linux-headers-$3" M=/build/src/arch/x86/kvm CONFIG_KVM_INTEL= \
    KCFLAGS=-g0 CONFIG_DEBUG_INFO_BTF_MODULES= -j"$4" modules
' sh "$slot_dir" "$root" "$release" "$(nproc)" > "$log" 2>&1
status=$?
set -e
elapsed=$((SECONDS - started))
if [ $status != 0 ]; then
  # A compiler's or linker's diagnostic is the sources' fault; anything else (no chroot, mount refused) the
  # environment's.
  if [ $status != 90 ] && grep -qE '(: error:|: fatal error:|: undefined reference|ERROR: modpost:)' "$log"; then
    # The paths as the caller knows them: /build/src is SOURCES_DIR in the chroot.
    grep -E '(error|Error|ERROR|undefined reference)' "$log" | tail -20 | sed "s|/build/src/|$sources/|g" >&2
    echo "$prog: the sources in $sources do not compile (slot $slot, $elapsed s; log: $log)" >&2
    exit 2
  fi
  tail -20 "$log" >&2
  echo "$prog: the build failed for a reason other than the sources (status $status; log: $log)" >&2
  exit 3
fi
for m in kvm kvm-amd; do
  [ -f "$slot_dir/arch/x86/kvm/$m.ko" ] || { echo "$prog: no $m.ko was built (log: $log)" >&2; exit 3; }
done
[ ! -f "$slot_dir/arch/x86/kvm/kvm-intel.ko" ] || echo "$prog: note: kvm-intel.ko was built too" >&2
echo "$prog: built kvm.ko and kvm-amd.ko in $name in $elapsed s" >&2

# The output tree: hard links to the booted kernel's tree (a copy when OUT_TREE is on another file system),
# without its kvm and kvm-amd files (whatever their compression: the harness must find exactly one of
# each), plus the stripped modules built here. Made aside and renamed.
rm -rf "$out.tmp"
mkdir -p "$(dirname "$out")"
cp -al "$stock_modules" "$out.tmp" 2>/dev/null || { rm -rf "$out.tmp"; cp -a "$stock_modules" "$out.tmp"; }
find "$out.tmp/kernel" \( -name 'kvm.ko*' -o -name 'kvm-amd.ko*' \) -delete
for m in kvm kvm-amd; do
  chroot "$root" strip --strip-debug -o "/build/$name/arch/x86/kvm/$m.stripped.ko" "/build/$name/arch/x86/kvm/$m.ko"
  mv "$slot_dir/arch/x86/kvm/$m.stripped.ko" "$out.tmp/kernel/arch/x86/kvm/$m.ko"
done
echo "$name built from $sources" > "$out.tmp/.kvm-build"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
