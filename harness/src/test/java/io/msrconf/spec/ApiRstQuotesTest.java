package io.msrconf.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.target.KvmTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Every passage a case quotes from api.rst is verbatim in the api.rst of a Debian kernel (each series'
 * linux-doc, which .ci/run fetches into the kernel cache; locally the check is skipped without them, under CI
 * it fails). A passage that the api.rst of a kernel the case applies to does not have (reworded since, or not
 * yet written) is drift: listed per kernel in the output, a triage signal rather than a failure.
 */
class ApiRstQuotesTest {

    private static final Map<String, KernelVersion> SERIES = new LinkedHashMap<>();

    static {
        SERIES.put("5.10", KernelVersion.parse("5.10.223"));
        SERIES.put("6.1", KernelVersion.parse("6.1.176"));
        SERIES.put("6.12", KernelVersion.parse("6.12.117"));
    }

    private static Map<KernelVersion, String> documents() throws IOException {
        Map<KernelVersion, String> docs = new LinkedHashMap<>();
        for (Map.Entry<String, KernelVersion> s : SERIES.entrySet()) {
            Path api = KvmTarget.defaultCache().resolve("docs-" + s.getKey() + "/Documentation/virt/kvm/api.rst");
            if (!Files.isRegularFile(api)) {
                String why = "the api.rst of " + s.getKey() + " is not in " + api.getParent()
                        + " (fetch it: bash matrix/fetch-debian-kernel.sh --docs " + s.getKey() + " " + KvmTarget.defaultCache() + ")";
                if (System.getenv("CI") != null) {
                    Assertions.fail("CI must check the cases' api.rst quotes, but " + why + " (.ci/run fetches it)");
                }
                org.junit.jupiter.api.Assumptions.abort(why);
            }
            docs.put(s.getValue(), ApiRstQuotes.normalize(Files.readString(api)));
        }
        return docs;
    }

    @Test
    void everyQuoteOfApiRstIsVerbatimAndItsDriftPerKernelIsListed() throws IOException {
        Map<KernelVersion, String> docs = documents();
        List<String> drifted = new ArrayList<>();
        List<String> misquoted = new ArrayList<>();
        int quotes = 0;
        for (Case c : TestSpecs.load().cases()) {
            for (ApiRstQuotes.Quote q : ApiRstQuotes.of(c)) {
                quotes++;
                List<KernelVersion> without = new ArrayList<>();
                for (Map.Entry<KernelVersion, String> d : docs.entrySet()) {
                    if (c.kernels().contains(d.getKey()) && !ApiRstQuotes.saidIn(d.getValue(), q)) {
                        without.add(d.getKey());
                    }
                }
                if (!without.isEmpty() && docs.values().stream().noneMatch(d -> ApiRstQuotes.saidIn(d, q))) {
                    misquoted.add(c.id() + " (" + c.source() + "): no kernel's api.rst says \"" + q.text() + "\"");
                } else if (!without.isEmpty()) {
                    drifted.add(c.id() + ": the api.rst of " + without + " does not say \"" + q.text() + "\"");
                }
            }
        }
        // Drift is what the documentation of an older or newer kernel says differently: a triage signal, listed.
        System.out.println("ApiRstQuotesTest: " + quotes + " quotes of api.rst checked against " + docs.keySet() + "; "
                + drifted.size() + " drifted:\n  " + String.join("\n  ", drifted));
        assertThat(quotes).as("the cases quote api.rst").isGreaterThan(20);
        assertThat(misquoted).as("quotes no kernel's api.rst has: quote it verbatim").isEmpty();
    }

    @Test
    void quotesBelongToTheSourceNamedBeforeThemAndMayElideWords() {
        Case c = new Case("t.c", "t", "t", "api.rst, X: \"one two three four\"; x86.c foo(): \"if (x) return 1;\"; api.rst:"
                + " \"five six seven ... nine ten eleven\"", KernelRange.DEFAULT, VcpuSetup.DEFAULT, List.of(),
                new SourceRef(Path.of("t.yaml"), 1));
        List<ApiRstQuotes.Quote> quotes = ApiRstQuotes.of(c);
        assertThat(quotes).extracting(ApiRstQuotes.Quote::text).containsExactly("one two three four", "five six seven ... nine ten eleven");
        String doc = ApiRstQuotes.normalize("one  two\n three four. five six seven eight nine ten eleven");
        assertThat(ApiRstQuotes.saidIn(doc, quotes.get(0))).isTrue();
        assertThat(ApiRstQuotes.saidIn(doc, quotes.get(1))).isTrue();
        assertThat(ApiRstQuotes.saidIn(ApiRstQuotes.normalize("five six seven eight"), quotes.get(1))).isFalse();
    }
}
