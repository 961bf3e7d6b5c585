package io.msrconf.emu.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code objdump -d} output: one {@link Line} per instruction, with its address, all its bytes
 * (objdump continues long instructions on a second line without text) and objdump's mnemonic.
 */
final class ObjdumpListing {

    /** Words objdump prints before the mnemonic for prefixes it does not fold into the operands. */
    private static final Set<String> PREFIX_WORDS = Set.of("data16", "addr32", "lock", "rep", "repz", "repnz", "bnd",
            "notrack", "xacquire", "xrelease", "cs", "ds", "es", "ss", "fs", "gs");
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f]{2}(?: [0-9a-f]{2})*)\\s*(?:\\t(.*))?$");

    record Line(long address, byte[] bytes, String text) {
        int length() {
            return bytes.length;
        }

        /** The prefix words and the mnemonic: "rex.W nop", "data16 cs nopw", "je,pn", "rex.W". */
        String mnemonic() {
            return ObjdumpListing.mnemonic(text);
        }
    }

    private ObjdumpListing() {
    }

    static List<Line> parse(String listing) {
        List<Line> lines = new ArrayList<>();
        for (String raw : listing.split("\n")) {
            Matcher m = LINE.matcher(raw);
            if (!m.matches()) {
                continue;
            }
            long address = Long.parseLong(m.group(1), 16);
            byte[] bytes = bytes(m.group(2));
            if (m.group(3) == null && !lines.isEmpty()) {
                Line previous = lines.remove(lines.size() - 1);
                byte[] joined = new byte[previous.bytes.length + bytes.length];
                System.arraycopy(previous.bytes, 0, joined, 0, previous.bytes.length);
                System.arraycopy(bytes, 0, joined, previous.bytes.length, bytes.length);
                lines.add(new Line(previous.address, joined, previous.text));
            } else {
                lines.add(new Line(address, bytes, m.group(3) == null ? "" : m.group(3).trim()));
            }
        }
        return lines;
    }

    static String mnemonic(String text) {
        String[] tokens = text.trim().split("\\s+");
        StringBuilder sb = new StringBuilder();
        for (String token : tokens) {
            sb.append(sb.length() == 0 ? "" : " ").append(token);
            if (!PREFIX_WORDS.contains(token) && !token.equals("rex") && !token.startsWith("rex.")) {
                break;
            }
        }
        return sb.toString();
    }

    private static byte[] bytes(String hex) {
        String[] parts = hex.split(" ");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
