#!/usr/bin/env bash
# Assembles every guest-payloads/src/main/asm/*.S into a flat binary (NAME.bin) and its
# disassembly listing (NAME.lst, `objdump -d` of the linked image) in the harness's resources.
# Only GNU binutils are needed: no C preprocessor, no compiler.
set -euo pipefail
src=$1 out=$2 work=$3

for tool in as ld objcopy objdump nm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "msrconf: '$tool' (GNU binutils) is missing, and the guest payloads cannot be assembled." >&2
    echo "msrconf: install it with: apt-get install binutils" >&2
    exit 1
  fi
done

mkdir -p "$out" "$work"
shopt -s nullglob
sources=("$src"/*.S)
if [ ${#sources[@]} -eq 0 ]; then
  echo "msrconf: no payload sources (*.S) in $src" >&2
  exit 1
fi
names=()
for s in "${sources[@]}"; do
  name=$(basename "$s" .S)
  as --64 --fatal-warnings -I "$src" -o "$work/$name.o" "$s"
  ld --fatal-warnings -T "$src/payload.ld" -o "$work/$name.elf" "$work/$name.o"
  objcopy -O binary "$work/$name.elf" "$out/$name.bin"
  # The listing is what the decoder check compares against; keep it free of the file path.
  objdump -d -M att "$work/$name.elf" | sed -e '1,/^$/d' > "$out/$name.lst"
  nm -n "$work/$name.elf" > "$out/$name.sym"
  names+=("$name")
done
printf '%s\n' "${names[@]}" > "$out/index.txt"
echo "msrconf: assembled ${#names[@]} payload(s): ${names[*]}"
