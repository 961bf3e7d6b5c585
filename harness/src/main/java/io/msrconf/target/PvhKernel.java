package io.msrconf.target;

import io.msrconf.util.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The uncompressed ELF kernel inside a bzImage, for QEMU to boot through its PVH entry point: booted
 * that way a kernel skips the bzImage's real-mode setup and its own decompression, about a second of
 * TCG time at every boot. Extracted once per image (keyed by its SHA-256) into a cache directory.
 *
 * <p>Where the compressed kernel is and how long it is come from the boot protocol header
 * (Documentation/arch/x86/boot.rst: setup_sects at 0x1f1, payload_offset at 0x248, payload_length at
 * 0x24c, the offset counted from the protected-mode code after the setup sectors); the compressor is
 * recognised by its magic; the kernel build appends the uncompressed size as the payload's last four
 * bytes (arch/x86/boot/compressed/Makefile, "_with_size"; gzip's own ISIZE), which checks the result
 * besides the compressor's own integrity check.
 * Only an ELF with the PVH note (XEN_ELFNOTE_PHYS32_ENTRY, type 18, owner "Xen"; CONFIG_PVH) is used;
 * otherwise the bzImage is booted as it is.
 */
final class PvhKernel {

    private static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;

    private PvhKernel() {
    }

    /** The PVH-bootable ELF of {@code bzImage}, from {@code cacheDir} or extracted into it; empty when there is none. */
    static Optional<Path> of(Path bzImage, Path cacheDir) {
        try {
            byte[] image = Files.readAllBytes(bzImage);
            Path cached = cacheDir.resolve(sha256(image) + ".vmlinux");
            if (Files.isRegularFile(cached)) {
                return Optional.of(cached);
            }
            Optional<byte[]> elf = extract(image);
            if (elf.isEmpty()) {
                return Optional.empty();
            }
            Files.createDirectories(cacheDir);
            AtomicFiles.write(cached, elf.get());
            return Optional.of(cached);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();   // the bzImage still boots, a second slower
        }
    }

    /** The kernel ELF inside a bzImage, when it is one with a PVH entry; empty otherwise. */
    static Optional<byte[]> extract(byte[] image) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length < 0x250 || b.getInt(0x202) != 0x53726448) {   // "HdrS": not a bzImage
            return Optional.empty();
        }
        int setupSects = Byte.toUnsignedInt(image[0x1f1]);
        long start = (long) ((setupSects == 0 ? 4 : setupSects) + 1) * 512 + Integer.toUnsignedLong(b.getInt(0x248));
        long length = Integer.toUnsignedLong(b.getInt(0x24c));
        if (length < 4 || start + length > image.length) {
            return Optional.empty();
        }
        byte[] payload = java.util.Arrays.copyOfRange(image, (int) start, (int) (start + length));
        long expectedSize = Integer.toUnsignedLong(ByteBuffer.wrap(payload, payload.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        Optional<String> tool = decompressor(payload);
        if (tool.isEmpty()) {
            return Optional.empty();
        }
        // gzip stores the size itself (ISIZE); for the others the build appended it after the stream
        byte[] stream = tool.get().equals("gzip") ? payload : java.util.Arrays.copyOf(payload, payload.length - 4);
        Optional<byte[]> elf = decompress(tool.get(), stream);
        if (elf.isEmpty() || elf.get().length != expectedSize || !hasPvhNote(elf.get())) {
            return Optional.empty();
        }
        return elf;
    }

    private static Optional<String> decompressor(byte[] p) {
        if (p.length > 6 && (p[0] & 0xff) == 0xfd && p[1] == '7' && p[2] == 'z' && p[3] == 'X' && p[4] == 'Z' && p[5] == 0) {
            return Optional.of("xz");
        }
        if (p.length > 4 && (p[0] & 0xff) == 0x28 && (p[1] & 0xff) == 0xb5 && (p[2] & 0xff) == 0x2f && (p[3] & 0xff) == 0xfd) {
            return Optional.of("zstd");
        }
        if (p.length > 2 && (p[0] & 0xff) == 0x1f && (p[1] & 0xff) == 0x8b) {
            return Optional.of("gzip");
        }
        return Optional.empty();
    }

    /** Runs the compressor's own tool, which checks the stream's integrity; empty when it fails. */
    private static Optional<byte[]> decompress(String tool, byte[] payload) throws IOException {
        Process p = new ProcessBuilder(List.of(tool, "-dc")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(payload);
            } catch (IOException e) {
                // the tool stopped reading: it failed, which its exit status says
            }
        }, "msrconf-pvh-feeder");
        feeder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 20);
        try (InputStream o = p.getInputStream()) {
            o.transferTo(out);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(tool + " -dc did not finish");
            }
            feeder.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decompressing the kernel", e);
        }
        return p.exitValue() == 0 ? Optional.of(out.toByteArray()) : Optional.empty();
    }

    /** Whether a 64-bit ELF has a PT_NOTE holding the Xen PHYS32_ENTRY note, the PVH entry point. */
    static boolean hasPvhNote(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || b.getInt(0) != 0x464c457f || elf[4] != 2) {
            return false;
        }
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            long ph = phoff + (long) i * phentsize;
            if (ph + 56 > elf.length || b.getInt((int) ph) != 4) {   // PT_NOTE
                continue;
            }
            long off = b.getLong((int) ph + 8);
            long end = off + b.getLong((int) ph + 32);
            while (off + 12 <= end && end <= elf.length) {
                int namesz = b.getInt((int) off);
                int descsz = b.getInt((int) off + 4);
                int type = b.getInt((int) off + 8);
                if (namesz < 0 || descsz < 0) {
                    break;
                }
                String name = namesz >= 4 ? new String(elf, (int) off + 12, 3, java.nio.charset.StandardCharsets.US_ASCII) : "";
                if (type == XEN_ELFNOTE_PHYS32_ENTRY && name.equals("Xen")) {
                    return true;
                }
                off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
            }
        }
        return false;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
