#!/usr/bin/env bash
# Builds the guest agent (src/main/c/msrconf-agent.c) into a static binary among this module's
# resources: the initramfs of a QEMU-booted test kernel holds it and no C library.
set -euo pipefail
src=$1 out=$2
command -v gcc >/dev/null 2>&1 || { echo "msrconf: gcc is missing; the guest agent cannot be built (apt-get install gcc libc6-dev)" >&2; exit 1; }
mkdir -p "$out"
if ! gcc -static -O2 -Wall -Wextra -Werror -o "$out/msrconf-agent" "$src/msrconf-agent.c"; then
  echo "msrconf: building the static guest agent failed (a static C library is needed: apt-get install libc6-dev)" >&2
  exit 1
fi
strip "$out/msrconf-agent"
echo "msrconf: built the guest agent ($(stat -c %s "$out/msrconf-agent") bytes)"
