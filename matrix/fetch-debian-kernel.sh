#!/usr/bin/env bash
# Fetches the newest Debian kernel of one series (5.10 = bullseye, 6.1 = bookworm, 6.12 = trixie) into a
# cache and prints the directory it was extracted into (it holds boot/vmlinuz-* and lib/modules/<release>
# or usr/lib/modules/<release>). A series already in the cache is reused without touching the network,
# unless MSRCONF_REFRESH_KERNELS=1.
#
# apt runs with a private configuration (its own sources list, lists, cache, and an empty dpkg status),
# so nothing on the system changes. The mirror is read from the system's own apt sources: this script
# names no host.
#
# With --kunit it fetches the series' linux-source package instead and keeps only the kernel's KTAP
# parser (tools/testing/kunit, at that path: kunit.py finds the tree by it), printing the directory that
# holds tools/: msrconf's KTAP output is checked with the kernel's own parser. With --docs it fetches the
# series' linux-doc package and keeps only Documentation/virt/kvm/api.rst: the quotes the cases cite from it
# are checked against each kernel's own text.
#
# usage: fetch-debian-kernel.sh [--kunit | --docs] SERIES CACHE_DIR
set -euo pipefail

kunit=0
docs=0
if [ "${1:-}" = --kunit ]; then kunit=1; shift; fi
if [ "${1:-}" = --docs ]; then docs=1; shift; fi
series=${1:?usage: fetch-debian-kernel.sh [--kunit | --docs] SERIES CACHE_DIR}
cache=${2:?usage: fetch-debian-kernel.sh [--kunit | --docs] SERIES CACHE_DIR}
case "$series" in
  5.10) suite=bullseye ;;
  6.1) suite=bookworm ;;
  6.12) suite=trixie ;;
  *) echo "fetch-debian-kernel: no Debian suite is known for series '$series' (known: 5.10, 6.1, 6.12)" >&2; exit 2 ;;
esac

mkdir -p "$cache"
current="$cache/debian-$series"
[ $kunit = 1 ] && current="$cache/kunit-$series"
[ $docs = 1 ] && current="$cache/docs-$series"
if [ -L "$current" ] && [ -d "$current/" ] && [ "${MSRCONF_REFRESH_KERNELS:-0}" != 1 ]; then
  readlink -f "$current"
  exit 0
fi

# The private apt configuration and the mirror (shared with prepare-kvm-build.sh).
# shellcheck source=matrix/debian-apt.sh
. "$(dirname "$0")/debian-apt.sh"
debian_apt_setup fetch-debian-kernel "$suite" "$cache"
mkdir -p "$cache/debs"
debian_apt_update fetch-debian-kernel "$suite"

# Downloads package $1 at version $2 into directory $3 once ($3/.complete marks it whole), unpacking it with
# the function named $4 (DEB DIR), points $current at it and prints where it is.
install_once() {
  local pkg=$1 version=$2 dest=$3 unpack=$4 deb
  if [ ! -f "$dest/.complete" ]; then
    echo "fetch-debian-kernel: downloading $pkg $version" >&2
    (cd "$cache/debs" && apt-get "${apt_opts[@]}" -qq download "$pkg=$version" >&2)
    deb=$(ls -t "$cache/debs/${pkg}_"*.deb | head -1)
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
    "$unpack" "$deb" "$dest.tmp"
    touch "$dest.tmp/.complete"
    rm -rf "$dest" && mv "$dest.tmp" "$dest"
    rm -f "$deb"
  fi
  ln -sfn "$(basename "$dest")" "$current"
  readlink -f "$current"
}

unpack_image() { dpkg-deb -x "$1" "$2"; }

# linux-source holds the source as one tarball; only the KTAP parser is kept, at its path in the tree.
unpack_kunit() {
  dpkg-deb --fsys-tarfile "$1" | tar -x --wildcards -O '*.tar.xz' | tar -xJ -C "$2" --strip-components=1 --wildcards '*/tools/testing/kunit/*'
  [ -f "$2/tools/testing/kunit/kunit.py" ] || { echo "fetch-debian-kernel: no tools/testing/kunit/kunit.py in $1" >&2; exit 4; }
}

# linux-doc holds the documentation sources, gzipped; only KVM's API document is kept, at its path in the tree.
unpack_docs() {
  dpkg-deb --fsys-tarfile "$1" | tar -x --wildcards -O '*/Documentation/virt/kvm/api.rst.gz' | gunzip > "$2/api.rst"
  mkdir -p "$2/Documentation/virt/kvm" && mv "$2/api.rst" "$2/Documentation/virt/kvm/api.rst"
  [ -s "$2/Documentation/virt/kvm/api.rst" ] || { echo "fetch-debian-kernel: no Documentation/virt/kvm/api.rst in $1" >&2; exit 4; }
}

if [ $docs = 1 ]; then
  pkg=linux-doc-$series
  version=$(apt-cache "${apt_opts[@]}" show "$pkg" | awk '/^Version:/ { print $2; exit }')
  [ -n "$version" ] || { echo "fetch-debian-kernel: no $pkg package in $suite" >&2; exit 4; }
  install_once "$pkg" "$version" "$cache/docs-$series-$version" unpack_docs
  exit 0
fi

if [ $kunit = 1 ]; then
  pkg=linux-source-$series
  version=$(apt-cache "${apt_opts[@]}" show "$pkg" | awk '/^Version:/ { print $2; exit }')
  [ -n "$version" ] || { echo "fetch-debian-kernel: no $pkg package in $suite" >&2; exit 4; }
  install_once "$pkg" "$version" "$cache/kunit-$series-$version" unpack_kunit
  exit 0
fi

# Plain amd64 flavour only (not cloud, rt or dbg), newest ABI first: linux-image-6.1.0-50-amd64-unsigned,
# linux-image-6.12.117+deb13-amd64-unsigned.
series_re=${series//./\\.}
pkg=$(apt-cache "${apt_opts[@]}" pkgnames "linux-image-$series." \
      | grep -E "^linux-image-$series_re\.[0-9]+(-[0-9]+|\+deb[0-9]+)-amd64-unsigned\$" | sort -V | tail -1 || true)
[ -n "$pkg" ] || { echo "fetch-debian-kernel: no linux-image-$series.*-amd64-unsigned package in $suite" >&2; exit 4; }

version=$(apt-cache "${apt_opts[@]}" show "$pkg" | awk '/^Version:/ { print $2; exit }')
install_once "$pkg" "$version" "$cache/$pkg-$version" unpack_image
