package io.msrconf.kernelmutants;

/**
 * One token of a C source file, with where it is: {@code start} and {@code end} are character offsets into
 * the file's text, so an edit of a token is an edit of exactly those characters and nothing else.
 */
public record CToken(Kind kind, String text, int start, int end, int line) {

    public enum Kind {
        IDENTIFIER,
        NUMBER,
        /** A string or character literal: kept as one token so nothing inside it is ever mutated. */
        LITERAL,
        PUNCTUATOR
    }

    public boolean is(String s) {
        return text.equals(s);
    }

    public boolean isIdentifier() {
        return kind == Kind.IDENTIFIER;
    }

    public boolean isNumber() {
        return kind == Kind.NUMBER;
    }
}
