package io.msrconf.target;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip-compressed cpio archive in the kernel's "newc" format (Documentation/driver-api/early-userspace/
 * buffer-format.rst): what {@code -initrd} hands the guest kernel. Written in Java so that building a
 * guest needs no cpio tool and the archive is the same on every host.
 */
public final class Initramfs {

    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    private final ByteArrayOutputStream cpio = new ByteArrayOutputStream();
    private int inode = 1;

    public Initramfs dir(String path) {
        return entry(path, S_IFDIR | 0755, new byte[0]);
    }

    public Initramfs file(String path, byte[] content, int permissions) {
        return entry(path, S_IFREG | permissions, content);
    }

    public Initramfs symlink(String path, String target) {
        return entry(path, S_IFLNK | 0777, target.getBytes(StandardCharsets.UTF_8));
    }

    private Initramfs entry(String path, int mode, byte[] data) {
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("070701");
        int nlink = (mode & 0170000) == S_IFDIR ? 2 : 1;
        for (long field : new long[] {inode++, mode, 0, 0, nlink, 0, data.length, 0, 0, 0, 0, name.length, 0}) {
            h.append(String.format("%08x", field));
        }
        cpio.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        cpio.writeBytes(name);
        pad();
        cpio.writeBytes(data);
        pad();
        return this;
    }

    private void pad() {
        while (cpio.size() % 4 != 0) {
            cpio.write(0);
        }
    }

    /** The archive with its trailer, uncompressed. */
    public byte[] toCpio() {
        Initramfs copy = new Initramfs();
        copy.cpio.writeBytes(cpio.toByteArray());
        copy.inode = inode;
        copy.entry("TRAILER!!!", 0, new byte[0]);
        return copy.cpio.toByteArray();
    }

    /** Writes the gzip-compressed archive (fastest level: the modules are most of it and it is built per run). */
    public void writeTo(Path file) {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            out.write(toCpio());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the initramfs " + file + ": " + e.getMessage(), e);
        }
    }
}
