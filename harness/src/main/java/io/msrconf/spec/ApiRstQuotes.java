package io.msrconf.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quotes a case's {@code cites} takes from Documentation/virt/kvm/api.rst, and whether a kernel's api.rst
 * still says them. A cite names its sources in prose: a double-quoted passage belongs to the source named
 * last before it, api.rst or a piece of code (a file such as x86.c, or a function such as kvm_msr_allowed()).
 * A passage may leave words out with "..."; each part must then appear, in order, with whitespace and RST
 * markup (``literal``, *emphasis*) not counting.
 */
public final class ApiRstQuotes {

    /** A quote of api.rst in a case's cites. */
    public record Quote(Case source, String text) {
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

    /** A source name in a cite: api.rst, a C file, a function call, or a 12-digit commit. */
    private static final Pattern SOURCE = Pattern.compile("api\\.rst|\\b[\\w/-]+\\.[ch]\\b|\\b\\w+\\(\\)|\\b[0-9a-f]{12}\\b|\"");

    private ApiRstQuotes() {
    }

    /** The api.rst quotes of {@code c}'s cites, in order. */
    public static List<Quote> of(Case c) {
        List<Quote> quotes = new ArrayList<>();
        String cites = c.citation();
        Matcher m = SOURCE.matcher(cites);
        boolean apiRst = false;
        int at = 0;
        while (m.find(at)) {
            if (m.group().equals("\"")) {
                int end = cites.indexOf('"', m.end());
                if (end < 0) {
                    break;
                }
                if (apiRst) {
                    quotes.add(new Quote(c, cites.substring(m.end(), end)));
                }
                at = end + 1;
            } else {
                apiRst = m.group().equals("api.rst");
                at = m.end();
            }
        }
        return quotes;
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
     * A quote no kernel's api.rst has is misquoted; one the api.rst of a kernel its case applies to does not
     * have (reworded since, or not yet written) has drifted there, a triage signal.
     */
    public static Check check(List<Case> cases, java.util.Map<KernelVersion, String> apiRstByKernel) {
        java.util.Map<KernelVersion, String> docs = new java.util.LinkedHashMap<>();
        apiRstByKernel.forEach((k, v) -> docs.put(k, normalize(v)));
        List<String> misquoted = new ArrayList<>();
        List<String> drifted = new ArrayList<>();
        int quotes = 0;
        for (Case c : cases) {
            for (Quote q : of(c)) {
                quotes++;
                List<KernelVersion> without = docs.entrySet().stream()
                        .filter(d -> c.kernels().contains(d.getKey()) && !saidIn(d.getValue(), q)).map(java.util.Map.Entry::getKey).toList();
                if (!without.isEmpty() && docs.values().stream().noneMatch(d -> saidIn(d, q))) {
                    misquoted.add(c.id() + " (" + c.source() + "): no kernel's api.rst says \"" + q.text() + "\"");
                } else if (!without.isEmpty()) {
                    drifted.add(c.id() + ": the api.rst of " + without + " does not say \"" + q.text() + "\"");
                }
            }
        }
        return new Check(quotes, misquoted, drifted);
    }

    /** Whitespace collapsed, RST inline markup and quotes dropped: how a quote and the document are compared. */
    public static String normalize(String text) {
        return text.replace("``", "").replace("*", "").replace("\"", "").replaceAll("\\s+", " ").strip();
    }
}
