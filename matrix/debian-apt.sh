# shellcheck shell=bash
# Sourced (not run) by the matrix scripts that download Debian packages: sets up a private apt
# configuration for one suite, so that nothing on the system changes (its own sources list, lists and
# cache under the caller's cache directory, and an empty dpkg status).
#
# The mirror is read from the system's own apt sources: the scripts name no host.
#
# usage: debian_apt_setup PROG SUITE CACHE_DIR
#   PROG prefixes the error messages; on return $mirror is the mirror, $apt_dir the private apt directory
#   ($CACHE_DIR/apt-$SUITE) and the array apt_opts the options to pass to apt-get and apt-cache. Exits 3
#   when the host cannot do it (not Debian-based, no mirror, no archive keyring). Does not update the
#   package lists: call debian_apt_update when the network is to be used.

debian_apt_setup() {
  local prog=$1 suite=$2 cache=$3 f keyring=/usr/share/keyrings/debian-archive-keyring.gpg tool
  for tool in apt-get apt-cache dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "$prog: $tool is missing (a Debian-based host is needed to fetch Debian packages)" >&2; exit 3; }
  done

  # The first Debian archive in the system's sources (deb822 .sources files, then sources.list).
  mirror=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
    [ -n "$mirror" ] && break
  done
  if [ -z "$mirror" ]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }' "$f")
      [ -n "$mirror" ] && break
    done
  fi
  [ -n "$mirror" ] || { echo "$prog: no Debian mirror (a URI ending in /debian) in /etc/apt/sources.list*" >&2; exit 3; }
  [ -f "$keyring" ] || { echo "$prog: $keyring is missing (package debian-archive-keyring)" >&2; exit 3; }

  apt_dir="$cache/apt-$suite"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo "deb [signed-by=$keyring] $mirror $suite main" > "$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Dir::State::status=/dev/null
            -o APT::Architecture=amd64 -o APT::Sandbox::User=root)
}

# usage: debian_apt_update PROG SUITE (after debian_apt_setup)
debian_apt_update() {
  echo "$1: updating the $2 package list from $mirror" >&2
  apt-get "${apt_opts[@]}" -qq update >&2
}
