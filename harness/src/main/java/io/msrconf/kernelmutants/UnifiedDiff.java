package io.msrconf.kernelmutants;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The unified diff (git's a/ b/ form, three lines of context) of one edit to a file, so a survivor in the report
 * reads like a kernel patch and can be applied with {@code patch -p1} to reproduce it.
 */
public final class UnifiedDiff {

    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    public static String of(String path, String text, SourceEdit edit) {
        List<String> lines = Arrays.asList(text.split("\n", -1));
        int first = lineIndex(text, edit.start());
        int last = edit.end() > edit.start() ? lineIndex(text, edit.end() - 1) : first;
        int firstStart = text.lastIndexOf('\n', edit.start() - 1) + 1;
        int lastEnd = text.indexOf('\n', Math.max(edit.end(), firstStart));
        if (edit.end() > edit.start() && text.charAt(edit.end() - 1) == '\n') {
            lastEnd = edit.end() - 1;
        }
        lastEnd = lastEnd < 0 ? text.length() : lastEnd;
        String changed = text.substring(firstStart, edit.start()) + edit.replacement() + text.substring(edit.end(), lastEnd);
        List<String> newLines = Arrays.asList(changed.split("\n", -1));
        int from = Math.max(0, first - CONTEXT);
        // a file ending in a newline splits into a last empty string, which is not a line
        int lineCount = text.endsWith("\n") ? lines.size() - 1 : lines.size();
        int to = Math.min(lineCount - 1, last + CONTEXT);
        List<String> body = new ArrayList<>();
        for (int i = from; i < first; i++) {
            body.add(" " + lines.get(i));
        }
        for (int i = first; i <= last; i++) {
            body.add("-" + lines.get(i));
        }
        newLines.forEach(l -> body.add("+" + l));
        for (int i = last + 1; i <= to; i++) {
            body.add(" " + lines.get(i));
        }
        int oldCount = to - from + 1;
        int newCount = oldCount - (last - first + 1) + newLines.size();
        return "--- a/" + path + "\n+++ b/" + path + "\n@@ -" + (from + 1) + "," + oldCount + " +" + (from + 1) + "," + newCount + " @@\n"
                + String.join("\n", body) + "\n";
    }

    /** The 0-based line of a character offset. */
    static int lineIndex(String text, int offset) {
        int line = 0;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
