package io.msrconf.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The quotes a case's citation takes from Documentation/virt/kvm/api.rst ({@link Citation.ApiRst}), and whether
 * a kernel's api.rst still has their section and says them there. A passage may leave words out with "...";
 * each part must then appear, in order, with whitespace and RST markup (``literal``, *emphasis*) not counting.
 */
public final class ApiRstQuotes {

    /** A quote of api.rst in a case's cites, from the section titled {@code section} (without its number). */
    public record Quote(Case source, String section, String text) {
        /** The parts between "..." elisions, as they must appear in api.rst. */
        public List<String> parts() {
            List<String> parts = new ArrayList<>();
            for (String p : text.split("\\.\\.\\.|…")) {
                String n = normalize(p);
                if (n.length() >= 8) {   // a word or two between elisions says nothing on its own
                    parts.add(n);
                }
            }
            return parts;
        }
    }

    private ApiRstQuotes() {
    }

    /** The api.rst quotes of {@code c}'s citation, in order. */
    public static List<Quote> of(Case c) {
        return c.citation().apiRst().stream().map(a -> new Quote(c, a.section(), a.quote())).toList();
    }

    /** Whether the document says {@code quote}: each part, in order, after normalizing both. */
    public static boolean saidIn(String normalizedDocument, Quote quote) {
        int from = 0;
        for (String part : quote.parts()) {
            int i = normalizedDocument.indexOf(part, from);
            if (i < 0) {
                return false;
            }
            from = i + part.length();
        }
        return true;
    }

    /** The checks of every api.rst quote of {@code cases} against each kernel's api.rst, by kernel version. */
    public record Check(int quotes, List<String> misquoted, List<String> drifted) {
    }

    /**
     * A quote no kernel's api.rst has in its section is misquoted; one the api.rst of a kernel its case applies to
     * does not have there (reworded or moved since, or not yet written) has drifted there, a triage signal.
     */
    public static Check check(List<Case> cases, java.util.Map<KernelVersion, String> apiRstByKernel) {
        java.util.Map<KernelVersion, java.util.Map<String, String>> docs = new java.util.LinkedHashMap<>();
        apiRstByKernel.forEach((k, v) -> docs.put(k, sections(v)));
        List<String> misquoted = new ArrayList<>();
        List<String> drifted = new ArrayList<>();
        int quotes = 0;
        for (Case c : cases) {
            for (Quote q : of(c)) {
                quotes++;
                List<KernelVersion> without = docs.entrySet().stream()
                        .filter(d -> c.kernels().contains(d.getKey()) && !saidIn(d.getValue(), q)).map(java.util.Map.Entry::getKey).toList();
                if (!without.isEmpty() && docs.values().stream().noneMatch(d -> saidIn(d, q))) {
                    misquoted.add(c.id() + " (" + c.source() + "): no kernel's api.rst says in section " + q.section() + " \"" + q.text() + "\"");
                } else if (!without.isEmpty()) {
                    drifted.add(c.id() + ": the api.rst of " + without + " does not say in section " + q.section() + " \"" + q.text() + "\"");
                }
            }
        }
        return new Check(quotes, misquoted, drifted);
    }

    private static boolean saidIn(java.util.Map<String, String> sections, Quote q) {
        String text = sections.get(q.section());
        return text != null && saidIn(text, q);
    }

    /** An RST heading's title: its text, then a line of one punctuation character at least as long. */
    private static final Pattern UNDERLINE = Pattern.compile("([=\\-~^\"'`#*+.:_])\\1*");
    /** The number api.rst gives a section ("4.97 ", "5. "), which changes between kernels. */
    private static final Pattern SECTION_NUMBER = Pattern.compile("^[0-9]+(\\.[0-9]+)*\\.?\\s+");

    /**
     * api.rst by numbered section ("4.97 KVM_X86_SET_MSR_FILTER", "5. The kvm_run structure"): each title without
     * its number to the normalized text from it to the next numbered title of the same or a higher level (RST levels
     * go by underline character, in the order they first appear). Unnumbered headings belong to the section around
     * them: 6.12 puts the x86 exits of kvm_run under a "For arm/arm64:" heading. A title that appears twice
     * (KVM_CAP_X86_USER_SPACE_MSR in chapters 7 and 8) has both texts.
     */
    static java.util.Map<String, String> sections(String apiRst) {
        String[] lines = apiRst.split("\n", -1);
        List<Integer> headings = new ArrayList<>();
        List<Character> levels = new ArrayList<>();
        List<Integer> levelOf = new ArrayList<>();
        for (int i = 0; i + 1 < lines.length; i++) {
            String title = lines[i].strip();
            String under = lines[i + 1].strip();
            if (!title.isEmpty() && under.length() >= 3 && under.length() >= title.length() && UNDERLINE.matcher(under).matches()
                    && !UNDERLINE.matcher(title).matches()) {
                char c = under.charAt(0);
                if (!levels.contains(c)) {
                    levels.add(c);
                }
                if (SECTION_NUMBER.matcher(title).find()) {
                    headings.add(i);
                    levelOf.add(levels.indexOf(c));
                }
            }
        }
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (int h = 0; h < headings.size(); h++) {
            int end = lines.length;
            for (int n = h + 1; n < headings.size(); n++) {
                if (levelOf.get(n) <= levelOf.get(h)) {
                    end = headings.get(n);
                    break;
                }
            }
            String title = SECTION_NUMBER.matcher(lines[headings.get(h)].strip()).replaceFirst("");
            String body = normalize(String.join("\n", java.util.Arrays.copyOfRange(lines, headings.get(h) + 2, end)));
            out.merge(title, body, (a, b) -> a + " " + b);
        }
        return out;
    }

    /** Whitespace collapsed, RST inline markup and quotes dropped: how a quote and the document are compared. */
    public static String normalize(String text) {
        return text.replace("``", "").replace("*", "").replace("\"", "").replaceAll("\\s+", " ").strip();
    }
}
