#!/usr/bin/env bash
# Prepares, once, an environment in which KVM's modules (kvm.ko, kvm-amd.ko) of the Debian kernel that msrconf
# boots under QEMU can be rebuilt from source with small modifications (kernel mutation testing), fast, and
# prints its directory. build-kvm-modules.sh builds in it.
#
# Why a chroot: the kernel's Debian build tools (linux-kbuild of trixie) need a newer C library than the
# host may have, and its headers expect the compiler the kernel was built with (gcc-14), so the build runs
# in a minimal chroot of the kernel's own Debian suite. Only KVM's sources (arch/x86/kvm, virt/kvm) are
# compiled, as an external module against the kernel's linux-headers packages: its vermagic and symbol CRCs
# are the booted kernel's, so the rebuilt modules load into the stock kernel. The environment holds:
#   chroot/             trixie minbase with gcc-14, the kernel's headers and kbuild installed in it
#   chroot/build/stock  a build of the pristine sources, done once (each build slot starts as a copy of it,
#                       so that a mutant's build only recompiles what differs from the pristine sources)
#   stock-tree/         that build as a module tree (as build-kvm-modules.sh writes one), for a control run
#   pristine/           the pristine arch/x86/kvm and virt/kvm (copy them to make a mutant's SOURCES_DIR)
#   stock-modules       a symlink to the booted kernel's lib/modules/RELEASE (the base of every output tree)
#   release, version    the kernel release (6.12.117+deb13-amd64) and Debian version (6.12.117-1)
#   selftests/          the kernel's own KVM selftest userspace_msr_exit_test (tools/testing/selftests/kvm)
#                       from the same source, statically linked so that it runs in a busybox initramfs
#
# The environment goes to CACHE_DIR/kvm-build-SERIES-VERSION, with a kvm-build-SERIES symlink to it; it is
# reused without touching the network once complete (.complete marks it whole). It is made in a
# .partial directory that is renamed when whole, and each long step marks itself done in it, so an
# interrupted run resumes at the step it was in and a half-made environment is never taken for a complete
# one. The booted kernel is fetched (or found in the cache) with fetch-debian-kernel.sh; packages come from
# the same private apt configuration (debian-apt.sh), so nothing on the system changes.
#
# Needs root (debootstrap, chroot) and debootstrap. Only the 6.12 series is supported for now.
#
# usage: prepare-kvm-build.sh SERIES CACHE_DIR
set -euo pipefail

prog=prepare-kvm-build
usage="usage: prepare-kvm-build.sh SERIES CACHE_DIR"
series=${1:?$usage (SERIES is missing, e.g. 6.12)}
cache=${2:?$usage (CACHE_DIR is missing: the kernel cache fetch-debian-kernel.sh uses)}
case "$series" in
  6.12) suite=trixie ;;
  *) echo "$prog: series '$series' is not supported (only 6.12: its KVM is the one the mutation tests target)" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
start=$SECONDS
# Progress on stderr, with the seconds since the start: the long steps take minutes.
say() { echo "$prog: [$((SECONDS - start)) s] $*" >&2; }

# The booted kernel: its module tree gives the release, its directory name (linux-image-RELEASE-unsigned-
# VERSION, as fetch-debian-kernel.sh names it) the Debian version of the packages to build against.
image=$(bash "$here/fetch-debian-kernel.sh" "$series" "$cache")
modules_dirs=("$image"/usr/lib/modules/* "$image"/lib/modules/*)
modules=""
for d in "${modules_dirs[@]}"; do
  [ -d "$d/kernel" ] || continue
  [ -z "$modules" ] || { echo "$prog: more than one module tree in $image" >&2; exit 3; }
  modules=$d
done
[ -n "$modules" ] || { echo "$prog: no lib/modules/RELEASE tree in $image" >&2; exit 3; }
release=$(basename "$modules")
image_name=$(basename "$image")
version=${image_name#"linux-image-$release-unsigned-"}
[ "$version" != "$image_name" ] || { echo "$prog: cannot read the Debian version from $image_name (expected linux-image-$release-unsigned-VERSION)" >&2; exit 3; }
stock_kvm=$(find "$modules/kernel/arch/x86/kvm" -name 'kvm.ko*' | head -1)
[ -n "$stock_kvm" ] || { echo "$prog: no kvm.ko* under $modules/kernel/arch/x86/kvm" >&2; exit 3; }
# 6.12.117+deb13-amd64 is ABI 6.12.117+deb13, flavour amd64: the package names are made of those.
abi=${release%-amd64}
[ "$abi" != "$release" ] || { echo "$prog: release $release is not an amd64 flavour" >&2; exit 3; }

env="$cache/kvm-build-$series-$version"
link="$cache/kvm-build-$series"
if [ -f "$env/.complete" ]; then
  ln -sfn "$(basename "$env")" "$link"
  echo "$env"
  exit 0
fi

[ "$(id -u)" = 0 ] || { echo "$prog: must run as root (debootstrap and chroot)" >&2; exit 3; }
command -v debootstrap >/dev/null || { echo "$prog: debootstrap is missing (install the package debootstrap)" >&2; exit 3; }
for tool in unshare flock cmp; do
  command -v "$tool" >/dev/null || { echo "$prog: $tool is missing (packages util-linux, diffutils)" >&2; exit 3; }
done

work="$env.partial"
mkdir -p "$cache"
# Only one preparation at a time per environment; a second one waits for the first, then finds it whole.
exec 9>"$work.lock"
flock 9
if [ -f "$env/.complete" ]; then ln -sfn "$(basename "$env")" "$link"; echo "$env"; exit 0; fi
mkdir -p "$work"
done_step() { [ -f "$work/.done-$1" ]; }
mark_step() { touch "$work/.done-$1"; }

# shellcheck source=matrix/debian-apt.sh
. "$here/debian-apt.sh"
debian_apt_setup "$prog" "$suite" "$cache"

# The packages to build against, at the booted kernel's exact version.
pkgs=("linux-source-$series" "linux-headers-$release" "linux-headers-$abi-common" "linux-kbuild-$abi")
if ! done_step download; then
  debian_apt_update "$prog" "$suite"
  rm -rf "$work/debs" && mkdir -p "$work/debs"
  say "downloading ${pkgs[*]} at $version"
  (cd "$work/debs" && apt-get "${apt_opts[@]}" -qq download "${pkgs[@]/%/=$version}" >&2)
  mark_step download
  say "downloaded ($(du -sh "$work/debs" | cut -f1))"
fi
deb() { ls "$work/debs/${1}_"*.deb; }

root="$work/chroot"
if ! done_step debootstrap; then
  # gcc-14, make, bc, bison, flex, libelf-dev, libssl-dev, pahole/dwarves: what kbuild and the module build
  # run; kmod: modinfo for the vermagic check; libc6-dev: the static C library for the selftest.
  say "debootstrap $suite into $root (about 2-3 minutes)"
  rm -rf "$root"
  debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    --include=gcc-14,make,bc,bison,flex,libelf-dev,libssl-dev,xz-utils,kmod,pahole,dwarves,libc6-dev,cpio,binutils \
    "$suite" "$root" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; echo "$prog: debootstrap failed (log: $work/debootstrap.log)" >&2; exit 3; }
  mark_step debootstrap
  say "debootstrap done ($(du -sh "$root" | cut -f1))"
fi

if ! done_step headers; then
  say "installing linux-headers-$release, linux-headers-$abi-common, linux-kbuild-$abi in the chroot"
  rm -rf "$root/usr/src/linux-headers-$release" "$root/usr/src/linux-headers-$abi-common" "$root/usr/lib/linux-kbuild-$abi"
  for p in "linux-headers-$release" "linux-headers-$abi-common" "linux-kbuild-$abi"; do
    dpkg-deb -x "$(deb "$p")" "$root"
  done
  # The headers package has no KVM sources, but kbuild looks for some in the kernel's tree ($(srctree)):
  # arch/x86/kvm/Makefile includes $(srctree)/virt/kvm/Makefile.kvm and adds -I $(srctree)/arch/x86/kvm,
  # which is where the trace headers (TRACE_INCLUDE_PATH) and the headers the subdirectories include are
  # found. These links point at /build/src, where each build bind-mounts its own sources (in a private mount
  # namespace), so a mutated header is the one compiled, in every slot.
  common="$root/usr/src/linux-headers-$abi-common"
  mkdir -p "$common/virt" "$root/build/src"
  ln -sfn /build/src/arch/x86/kvm "$common/arch/x86/kvm"
  ln -sfn /build/src/virt/kvm "$common/virt/kvm"
  mark_step headers
fi

src="$root/build/linux-source"
if ! done_step extract; then
  # Only what is built is taken from the tarball (a few seconds instead of the whole tree): KVM's sources,
  # and for the selftest the selftests, tools' headers and build rules, and scripts/subarch.include.
  say "extracting KVM's and the selftests' sources from linux-source-$series"
  rm -rf "$src" "$work/pristine" && mkdir -p "$src"
  dpkg-deb --fsys-tarfile "$(deb "linux-source-$series")" | tar -x --wildcards -O '*.tar.xz' \
    | tar -xJ -C "$src" --strip-components=1 --wildcards \
        '*/arch/x86/kvm/*' '*/virt/kvm/*' '*/tools/testing/selftests/*' '*/tools/include/*' \
        '*/tools/arch/x86/*' '*/tools/build/*' '*/tools/scripts/*' '*/tools/lib/*' '*/scripts/subarch.include'
  if [ ! -f "$src/arch/x86/kvm/x86.c" ] || [ ! -f "$src/virt/kvm/kvm_main.c" ]; then
    echo "$prog: no arch/x86/kvm/x86.c or virt/kvm/kvm_main.c in linux-source-$series" >&2; exit 3
  fi
  mkdir -p "$work/pristine/arch/x86" "$work/pristine/virt"
  cp -a "$src/arch/x86/kvm" "$work/pristine/arch/x86/kvm"
  cp -a "$src/virt/kvm" "$work/pristine/virt/kvm"
  mark_step extract
  say "extracted ($(du -sh "$src" | cut -f1))"
fi

echo "$release" > "$work/release"
echo "$version" > "$work/version"
ln -sfn "$modules" "$work/stock-modules"

if ! done_step stock; then
  say "building kvm.ko and kvm-amd.ko from the pristine sources (a few minutes)"
  rm -rf "$root/build/stock" "$work/stock-tree"
  bash "$here/build-kvm-modules.sh" --stock "$work" "$work/pristine" "$work/stock-tree" >/dev/null
  # The proof that modules built here load into the booted kernel: the same vermagic as its own kvm.ko, and
  # the same symbol versions (modversion CRCs) in kvm.ko and kvm-amd.ko: those kvm-amd.ko imports from
  # kvm.ko are the CRCs kvm.ko's build exports, so this also shows the sources are the ones Debian built.
  for m in kvm kvm-amd; do
    stock_ko=$(find "$modules/kernel/arch/x86/kvm" -name "$m.ko*" | head -1)
    cp "$stock_ko" "$root/tmp/stock-$(basename "$stock_ko")"
    stock_ko=/tmp/stock-$(basename "$stock_ko")
    built_ko=/build/stock/arch/x86/kvm/$m.ko
    if [ $m = kvm ]; then
      stock_magic=$(chroot "$root" modinfo -F vermagic "$stock_ko")
      built_magic=$(chroot "$root" modinfo -F vermagic "$built_ko")
      [ "$stock_magic" = "$built_magic" ] \
        || { echo "$prog: vermagic differs: built kvm.ko '$built_magic', the booted kernel's '$stock_magic'" >&2; exit 3; }
      say "check: the built kvm.ko's vermagic equals the booted kernel's: $built_magic"
    fi
    if chroot "$root" modprobe --dump-modversions "$stock_ko" | cmp -s - <(chroot "$root" modprobe --dump-modversions "$built_ko"); then
      say "check: the built $m.ko's $(chroot "$root" modprobe --dump-modversions "$built_ko" | wc -l) symbol versions equal the booted kernel's"
    else
      echo "$prog: the symbol versions (modprobe --dump-modversions) of the built $m.ko differ from the booted kernel's" >&2; exit 3
    fi
    rm -f "$root$stock_ko"
  done
  mark_step stock
fi

if ! done_step selftests; then
  # The kernel's own test of the MSR filter API, statically linked (it runs in a busybox initramfs, which has
  # no C library), built with the chroot's compiler against the chroot's kernel UAPI headers (linux-libc-dev
  # of the same suite: the source tree has no `make headers` output).
  say "building the selftest userspace_msr_exit_test"
  sel=/build/linux-source/tools/testing/selftests/kvm
  tests=(x86_64/userspace_msr_exit_test)
  selftest_started=$SECONDS
  chroot "$root" make -C "$sel" -j"$(nproc)" ARCH=x86 CC=gcc-14 EXTRA_CFLAGS=-static \
    KHDR_INCLUDES="-isystem /usr/include" LINUX_HDR_PATH=/usr/include/ "${tests[@]/#/$sel/}" \
    > "$work/selftests.log" 2>&1 \
    || { tail -20 "$work/selftests.log" >&2; echo "$prog: the selftest build failed (log: $work/selftests.log)" >&2; exit 3; }
  rm -rf "$work/selftests" && mkdir -p "$work/selftests"
  for t in "${tests[@]}"; do
    if LC_ALL=C readelf -l "$root$sel/$t" | grep -q INTERP; then
      echo "$prog: $t is not statically linked" >&2; exit 3
    fi
    cp "$root$sel/$t" "$work/selftests/"
  done
  mark_step selftests
  say "selftests built in $((SECONDS - selftest_started)) s: $(cd "$work/selftests" && echo *)"
fi

# The downloads are not needed any more (the packages are unpacked in the chroot).
rm -rf "$work/debs"
touch "$work/.complete"
rm -rf "$env" && mv "$work" "$env"
rm -f "$work.lock"
ln -sfn "$(basename "$env")" "$link"
say "ready: $env"
echo "$env"
