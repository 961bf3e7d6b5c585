package io.msrconf.emu.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of the decoder against GNU objdump (the tool that writes the payload listings) on
 * random instructions: random prefixes, every one-byte opcode and the two-byte opcodes the decoder
 * knows, random ModRM/SIB/displacement/immediate bytes. Wherever the decoder claims to know an
 * instruction, its length and objdump-style mnemonic must equal objdump's. Skipped without objdump
 * (the build needs binutils for the payloads anyway).
 */
class DecoderObjdumpTest {

    /** Each instruction gets a slot: up to 15 bytes, then NOPs, so objdump is back in step at every slot. */
    private static final int SLOT = 32;
    private static final int[] SEGMENT_PREFIXES = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};
    private static final int[] TWO_BYTE_OPCODES = {0x01, 0x05, 0x06, 0x08, 0x09, 0x0b, 0x1f, 0x20, 0x22, 0x30, 0x31, 0x32,
        0x33, 0x40, 0x44, 0x4f, 0x80, 0x84, 0x8f, 0x90, 0x95, 0x9f, 0xa2, 0xaf, 0xb6, 0xb7, 0xbe, 0xbf};

    @TempDir
    Path dir;

    /** Prefixes as assemblers emit them: at most one of each group, REX last. */
    @Test
    void decoderAgreesWithObjdumpOnRandomInstructions() throws Exception {
        compareWithObjdump(new Random(0x6d7372L), false);
    }

    /** Up to four prefixes of any kind in any order: repeats, REX in the middle, F2 with F3, ... */
    @Test
    void decoderAgreesWithObjdumpOnRandomPrefixSoup() throws Exception {
        compareWithObjdump(new Random(0x736f7570L), true);
    }

    private void compareWithObjdump(Random random, boolean anyPrefixes) throws Exception {
        assumeTrue(objdumpAvailable(), "objdump (GNU binutils) is not installed");
        int count = 20_000;
        byte[] image = new byte[count * SLOT];
        java.util.Arrays.fill(image, (byte) 0x90);
        for (int i = 0; i < count; i++) {
            byte[] insn = randomInstruction(random, anyPrefixes);
            System.arraycopy(insn, 0, image, i * SLOT, insn.length);
        }
        Map<Long, ObjdumpListing.Line> objdump = disassemble(image);

        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (int i = 0; i < count; i++) {
            long at = (long) i * SLOT;
            DecodedInstruction d = Decoder.decode(image, (int) at, at);
            ObjdumpListing.Line line = objdump.get(at);
            if (!d.isKnown() || line == null) {
                continue;
            }
            compared++;
            String theirs = line.mnemonic();
            // objdump's lengths for undefined encodings follow its own table walk; the CPU raises #UD
            // (or #GP when over 15 bytes) before the length matters. The names must still agree.
            boolean agree = d.mnemonic().equals("(bad)") ? theirs.endsWith("(bad)")
                    : d.mnemonic().equals(theirs) && (theirs.endsWith("(bad)") || d.length() == line.length());
            if (!agree) {
                mismatches.add(String.format("%s: objdump says '%s' (%d bytes), decoder says '%s' (%d bytes)",
                        java.util.HexFormat.ofDelimiter(" ").formatHex(java.util.Arrays.copyOfRange(image, (int) at, (int) at + Math.max(line.length(), d.length()))),
                        line.text(), line.length(), d.mnemonic(), d.length()));
            }
        }
        assertThat(compared).as("instructions compared").isGreaterThan(count / 2);
        assertThat(mismatches).as("%d mismatches of %d instructions", mismatches.size(), compared).isEmpty();
    }

    private static byte[] randomInstruction(Random random, boolean anyPrefixes) {
        byte[] out = new byte[Decoder.MAX_LENGTH];
        int n = 0;
        List<Integer> legacy = new ArrayList<>();
        if (random.nextInt(5) == 0) {
            legacy.add(0x66);
        }
        if (random.nextInt(12) == 0) {
            legacy.add(0x67);
        }
        if (random.nextInt(10) == 0) {
            legacy.add(SEGMENT_PREFIXES[random.nextInt(SEGMENT_PREFIXES.length)]);
        }
        boolean lock = random.nextInt(30) == 0;
        if (lock) {
            legacy.add(0xf0);
        } else if (random.nextInt(20) == 0) {
            legacy.add(random.nextBoolean() ? 0xf2 : 0xf3);
        }
        if (anyPrefixes) {
            legacy.clear();
            int[] all = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x40, 0x48, 0x41, 0x44, 0x4f};
            for (int i = random.nextInt(5); i > 0; i--) {
                legacy.add(all[random.nextInt(all.length)]);
            }
        }
        java.util.Collections.shuffle(legacy, random);
        for (int b : legacy) {
            out[n++] = (byte) b;
        }
        if (random.nextInt(5) < 2) {
            out[n++] = (byte) (0x40 + random.nextInt(16));
        }
        if (random.nextInt(4) == 0) {
            out[n++] = 0x0f;
            out[n++] = (byte) TWO_BYTE_OPCODES[random.nextInt(TWO_BYTE_OPCODES.length)];
        } else {
            out[n++] = (byte) random.nextInt(256);
        }
        while (n < out.length) {
            out[n++] = (byte) random.nextInt(256);
        }
        return out;
    }

    private Map<Long, ObjdumpListing.Line> disassemble(byte[] image) throws IOException, InterruptedException {
        Path bin = dir.resolve("random.bin");
        Files.write(bin, image);
        Path out = dir.resolve("random.lst");
        Process process = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "-M", "att", bin.toString())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("objdump finished").isTrue();
        assertThat(process.exitValue()).as("objdump exit status").isZero();
        Map<Long, ObjdumpListing.Line> byAddress = new HashMap<>();
        for (ObjdumpListing.Line line : ObjdumpListing.parse(Files.readString(out, StandardCharsets.UTF_8))) {
            byAddress.put(line.address(), line);
        }
        return byAddress;
    }

    private static boolean objdumpAvailable() {
        try {
            Process p = new ProcessBuilder("objdump", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
