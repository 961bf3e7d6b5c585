package io.msrconf.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsTest {

    /** One entry read back from a newc archive. */
    private record Entry(String name, int mode, byte[] data) {
    }

    /** Reads a newc archive as the kernel does (buffer-format.rst): header, name, pad to 4, data, pad to 4. */
    private static List<Entry> read(byte[] cpio) {
        List<Entry> entries = new ArrayList<>();
        int pos = 0;
        while (true) {
            String header = new String(cpio, pos, 110, StandardCharsets.US_ASCII);
            assertThat(header).startsWith("070701");
            int mode = Integer.parseUnsignedInt(header.substring(14, 22), 16);
            int size = Integer.parseUnsignedInt(header.substring(54, 62), 16);
            int nameSize = Integer.parseUnsignedInt(header.substring(94, 102), 16);
            String name = new String(cpio, pos + 110, nameSize - 1, StandardCharsets.UTF_8);
            assertThat(cpio[pos + 110 + nameSize - 1]).as("name is NUL-terminated").isZero();
            pos = align(pos + 110 + nameSize);
            byte[] data = java.util.Arrays.copyOfRange(cpio, pos, pos + size);
            pos = align(pos + size);
            if (name.equals("TRAILER!!!")) {
                assertThat(pos).isEqualTo(cpio.length);
                return entries;
            }
            entries.add(new Entry(name, mode, data));
        }
    }

    /** The names in a newc archive, in order (for the tests of what a guest's initramfs holds). */
    static List<String> names(byte[] cpio) {
        return read(cpio).stream().map(Entry::name).toList();
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    @Test
    void entriesReadBackWithTheirTypesModesAndContents(@TempDir Path dir) throws Exception {
        Initramfs fs = new Initramfs().dir("bin").file("bin/busybox", new byte[] {1, 2, 3, 4, 5}, 0755)
                .symlink("bin/sh", "busybox").file("init", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0755);

        List<Entry> entries = read(fs.toCpio());

        assertThat(entries).extracting(Entry::name).containsExactly("bin", "bin/busybox", "bin/sh", "init");
        assertThat(entries.get(0).mode()).isEqualTo(0040755);
        assertThat(entries.get(1).mode()).isEqualTo(0100755);
        assertThat(entries.get(1).data()).containsExactly(1, 2, 3, 4, 5);
        assertThat(entries.get(2).mode()).isEqualTo(0120777);
        assertThat(new String(entries.get(2).data(), StandardCharsets.UTF_8)).isEqualTo("busybox");

        Path gz = dir.resolve("initramfs.cpio.gz");
        fs.writeTo(gz);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(gz)))) {
            assertThat(in.readAllBytes()).isEqualTo(fs.toCpio());
        }
    }

    @Test
    void theRealToolReadsTheArchiveToo(@TempDir Path dir) throws Exception {
        // cpio(1), when installed, is an independent reader of the format.
        if (AgentGuest.findOnPath("cpio").isEmpty()) {
            org.junit.jupiter.api.Assumptions.abort("cpio is not installed");
        }
        Path archive = dir.resolve("a.cpio");
        Files.write(archive, new Initramfs().dir("d").file("d/f", "hello".getBytes(StandardCharsets.UTF_8), 0644).toCpio());
        Process p = new ProcessBuilder("cpio", "-it", "-F", archive.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(listing).isZero();
        assertThat(listing.lines().filter(l -> !l.contains("block")).toList()).containsExactly("d", "d/f");
    }
}
