package io.msrconf.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads an input file (a spec, the known-deviations file) as untrusted: it must be a regular file, not
 * a symbolic link (which could point anywhere, /etc/shadow included), a FIFO (which would hang the run)
 * or a device (/dev/zero would never end), and at most {@code cap} bytes. Anything else is refused with
 * an {@link IOException} whose message says what is wrong and that the file was not loaded, for the
 * caller's "file:line: message" error.
 */
public final class SafeFiles {

    private SafeFiles() {
    }

    public static byte[] readBytes(Path file, long cap) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "does not exist");
        }
        if (!attributes.isRegularFile()) {
            // a symbolic link could point anywhere, a FIFO would hang the read, a device never end
            throw new IOException("not a regular file (symlinks are not followed); not loaded");
        }
        if (attributes.size() > cap) {
            throw new IOException("file is larger than " + describe(cap) + " (" + attributes.size() + " bytes); not read");
        }
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) Math.min(cap + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > cap) {
                throw new IOException("file is larger than " + describe(cap) + " (it grew while it was read); not read");
            }
            return bytes;
        }
    }

    private static String describe(long bytes) {
        return bytes % (1 << 20) == 0 ? bytes / (1 << 20) + " MiB" : bytes + " bytes";
    }

    /** The file as strict UTF-8: malformed input is an error, not replacement characters. */
    public static String readUtf8(Path file, long cap) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(readBytes(file, cap)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not valid UTF-8; not loaded");
        }
    }
}
