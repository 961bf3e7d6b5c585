package io.msrconf.report;

/**
 * Text made safe to place in HTML: spec files are input like any other, and a title or citation holding
 * markup must show as that markup, never run in the report (the single-file report travels to bug
 * trackers). The five characters HTML gives a meaning in text and in quoted attributes are replaced
 * by their entities.
 */
public final class HtmlText {

    private HtmlText() {
    }

    public static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
