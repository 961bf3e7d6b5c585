package io.msrconf.kernelmutants;

/** One replacement of the characters {@code start}..{@code end} (exclusive) of a file's text. */
public record SourceEdit(int start, int end, String replacement) {

    public String original(String text) {
        return text.substring(start, end);
    }

    public String applyTo(String text) {
        return text.substring(0, start) + replacement + text.substring(end);
    }
}
