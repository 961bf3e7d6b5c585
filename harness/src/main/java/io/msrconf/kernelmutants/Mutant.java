package io.msrconf.kernelmutants;

import java.nio.file.Path;
import java.util.List;

/**
 * One change to KVM's source: either a generated mutant (one operator at one site of one function) or a
 * historical one (a patch file that brings back a behaviour KVM once had). The id is stable across kernel
 * updates that do not touch the function itself: FILE:FUNCTION:OPERATOR:ORDINAL, the ordinal counting that
 * operator's mutants within the function (never a line number, which an edit elsewhere in the file shifts).
 *
 * @param file     the path under the source root, e.g. arch/x86/kvm/x86.c (the first file a patch touches)
 * @param edit     the generated mutant's change (null for a historical one)
 * @param patch    the historical mutant's patch file (null for a generated one)
 * @param files    every file the mutant changes, relative to the source root
 */
public record Mutant(String id, String file, String function, String operator, int ordinal, int line,
                     String original, String replacement, String diff, SourceEdit edit, Path patch, List<String> files,
                     String description) {

    public static final String HISTORICAL = "historical";

    public Mutant {
        files = List.copyOf(files);
    }

    public boolean historical() {
        return patch != null;
    }

    /** A name for the mutant's state file and work directories (ids contain ':' and '/'). */
    public String fileName() {
        return id.replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    /** The line --list prints: id, file:line, operator, what changes. */
    public String summaryLine() {
        String change = historical() ? description : oneLine(original) + " → " + oneLine(replacement);
        return id + "  " + file + ":" + line + "  " + operator + "  " + change;
    }

    private static String oneLine(String s) {
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() > 70 ? flat.substring(0, 67) + "..." : flat;
    }
}
