package io.msrconf.kernelmutants;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds a function's definition in a tokenized C file by its name, and a {@code case} block inside it. A
 * definition is the name at file scope followed by its parameter list and a body; a prototype, a call, or the
 * name in {@code EXPORT_SYMBOL_GPL(name)} is not one. Comments, literals and preprocessor lines never get this
 * far ({@link CTokenizer}), so a brace in them cannot unbalance the matching.
 */
public final class FunctionLocator {

    /** A function or case block that is not in the file (or not once): the site list is out of date for it. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message);
        }
    }

    private FunctionLocator() {
    }

    public static SourceRegion function(String file, List<CToken> tokens, String name) {
        List<int[]> found = new ArrayList<>();
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            CToken t = tokens.get(i);
            if (t.is("{")) {
                depth++;
            } else if (t.is("}")) {
                depth--;
            } else if (depth == 0 && t.isIdentifier() && t.is(name) && i + 1 < tokens.size() && tokens.get(i + 1).is("(")) {
                int close = match(tokens, i + 1, "(", ")");
                if (close + 1 < tokens.size() && tokens.get(close + 1).is("{")) {
                    int end = match(tokens, close + 1, "{", "}");
                    found.add(new int[] {i + 1, close, close + 1, end});
                    i = end;
                }
            }
        }
        if (found.isEmpty()) {
            throw new NotFound(file + ": no definition of function " + name);
        }
        if (found.size() > 1) {
            // an #ifdef'd twin: which one the kernel builds depends on its configuration, so say so rather than guess
            throw new NotFound(file + ": function " + name + " is defined " + found.size() + " times (lines "
                    + tokens.get(found.get(0)[2]).line() + " and " + tokens.get(found.get(1)[2]).line() + ")");
        }
        int[] f = found.get(0);
        return new SourceRegion(file, name, "", tokens, f[2], f[3], f[2], f[3], f[0], f[1]);
    }

    /**
     * The statements under {@code case LABEL:} of a switch in the function: from the label's colon to the next
     * case or default label of the same switch, or the switch's closing brace. Labels stacked right after it
     * (fall-through into the same code) are skipped, so the block is the code that label runs.
     */
    public static SourceRegion caseBlock(String file, List<CToken> tokens, String function, String label) {
        SourceRegion f = function(file, tokens, function);
        int depth = 0;
        for (int i = f.open() + 1; i < f.close(); i++) {
            CToken t = tokens.get(i);
            if (t.is("{")) {
                depth++;
            } else if (t.is("}")) {
                depth--;
            } else if (t.is("case")) {
                int colon = colonOfLabel(tokens, i, f.close());
                String text = join(tokens, i + 1, colon);
                if (text.equals(label.replace(" ", ""))) {
                    int start = colon;
                    while (tokens.get(start + 1).is("case") || tokens.get(start + 1).is("default")) {
                        start = colonOfLabel(tokens, start + 1, f.close());
                    }
                    int end = endOfCase(tokens, start + 1, f.close());
                    return new SourceRegion(file, function, label, tokens, start, end, f.open(), f.close(), f.paramsOpen(), f.paramsClose());
                }
                i = colon;
            }
        }
        throw new NotFound(file + ": function " + function + " has no 'case " + label + ":'");
    }

    private static int endOfCase(List<CToken> tokens, int from, int limit) {
        int depth = 0;
        for (int i = from; i < limit; i++) {
            CToken t = tokens.get(i);
            if (t.is("{")) {
                depth++;
            } else if (t.is("}")) {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (depth == 0 && (t.is("case") || t.is("default"))) {
                return i;
            }
        }
        return limit;
    }

    /** The ':' ending the label that starts at {@code i} ({@code case X:}, or a ternary inside X). */
    private static int colonOfLabel(List<CToken> tokens, int i, int limit) {
        int questions = 0;
        for (int j = i + 1; j < limit; j++) {
            CToken t = tokens.get(j);
            if (t.is("?")) {
                questions++;
            } else if (t.is(":")) {
                if (questions == 0) {
                    return j;
                }
                questions--;
            }
        }
        throw new NotFound("a case label without its ':' at line " + tokens.get(i).line());
    }

    private static String join(List<CToken> tokens, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append(tokens.get(i).text());
        }
        return b.toString();
    }

    /** The index of the token closing the bracket opened at {@code open}. */
    static int match(List<CToken> tokens, int open, String opening, String closing) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            CToken t = tokens.get(i);
            if (t.is(opening)) {
                depth++;
            } else if (t.is(closing)) {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        throw new NotFound("unbalanced '" + opening + "' at line " + tokens.get(open).line());
    }
}
