package io.msrconf.kernelmutants;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits C source into tokens, enough of C for finding functions and mutation sites in kernel code: comments
 * and preprocessor lines (with their backslash continuations) are dropped, because a brace or an operator in
 * them is not code; string and character literals are single tokens, so their contents are never matched.
 * Punctuators are taken longest-first, so {@code <<} is never mistaken for {@code <}, nor {@code ->} for {@code >}.
 */
public final class CTokenizer {

    private static final String[] PUNCTUATORS = {
        "<<=", ">>=", "...",
        "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##",
    };

    private CTokenizer() {
    }

    public static List<CToken> tokenize(String text) {
        List<CToken> tokens = new ArrayList<>();
        int n = text.length();
        int i = 0;
        int line = 1;
        boolean lineStart = true;   // only whitespace since the last newline: a '#' here starts a directive
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
                lineStart = true;
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int close = text.indexOf("*/", i + 2);
                int stop = close < 0 ? n : close + 2;
                line += count(text, i, stop);
                i = stop;
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '#' && lineStart) {
                // a directive runs to the end of the line, continued by a trailing backslash; comments inside
                // it may span lines too
                while (i < n && text.charAt(i) != '\n') {
                    if (text.charAt(i) == '\\' && i + 1 < n && text.charAt(i + 1) == '\n') {
                        i += 2;
                        line++;
                    } else if (text.startsWith("/*", i)) {
                        int close = text.indexOf("*/", i + 2);
                        int stop = close < 0 ? n : close + 2;
                        line += count(text, i, stop);
                        i = stop;
                    } else {
                        i++;
                    }
                }
                continue;
            }
            lineStart = false;
            int start = i;
            if (c == '"' || c == '\'') {
                i++;
                while (i < n && text.charAt(i) != c && text.charAt(i) != '\n') {
                    i += text.charAt(i) == '\\' ? 2 : 1;
                }
                i = Math.min(n, i + 1);
                tokens.add(new CToken(CToken.Kind.LITERAL, text.substring(start, i), start, i, line));
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                tokens.add(new CToken(CToken.Kind.IDENTIFIER, text.substring(start, i), start, i, line));
                continue;
            }
            if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(text.charAt(i + 1)))) {
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '.' || text.charAt(i) == '_')) {
                    i++;
                }
                tokens.add(new CToken(CToken.Kind.NUMBER, text.substring(start, i), start, i, line));
                continue;
            }
            String punct = String.valueOf(c);
            for (String p : PUNCTUATORS) {
                if (text.startsWith(p, i)) {
                    punct = p;
                    break;
                }
            }
            i += punct.length();
            tokens.add(new CToken(CToken.Kind.PUNCTUATOR, punct, start, i, line));
        }
        return tokens;
    }

    private static int count(String text, int from, int to) {
        int lines = 0;
        for (int k = from; k < to; k++) {
            if (text.charAt(k) == '\n') {
                lines++;
            }
        }
        return lines;
    }
}
