package io.msrconf.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.target.KvmTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static Map<KernelVersion, String> documents() throws IOException {
        KvmTarget.CachedApiRst cached = KvmTarget.cachedApiRst(KvmTarget.defaultCache());
        if (!cached.missing().isEmpty()) {
            String why = "the api.rst of " + cached.missing() + " is not in " + KvmTarget.defaultCache()
                    + " (fetch it: bash matrix/fetch-debian-kernel.sh --docs SERIES " + KvmTarget.defaultCache() + ")";
            if (System.getenv("CI") != null) {
                Assertions.fail("CI must check the cases' api.rst quotes, but " + why + " (.ci/run fetches it)");
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        Map<KernelVersion, String> docs = new LinkedHashMap<>();
        for (Map.Entry<KernelVersion, Path> d : cached.documents().entrySet()) {
            docs.put(d.getKey(), Files.readString(d.getValue()));
        }
        return docs;
    }

    @Test
    void everyQuoteOfApiRstIsVerbatimAndItsDriftPerKernelIsListed() throws IOException {
        ApiRstQuotes.Check check = ApiRstQuotes.check(TestSpecs.load().cases(), documents());
        // Drift is what the documentation of an older or newer kernel says differently: a triage signal, listed.
        System.out.println("ApiRstQuotesTest: " + check.quotes() + " quotes of api.rst checked; " + check.drifted().size()
                + " drifted:\n  " + String.join("\n  ", check.drifted()));
        assertThat(check.quotes()).as("the cases quote api.rst").isGreaterThan(20);
        assertThat(check.misquoted()).as("quotes no kernel's api.rst has: quote it verbatim").isEmpty();
    }

    @Test
    void everyCaseOfTheSuiteNamesASourceNotOnlyNotes() {
        assertThat(TestSpecs.load().cases()).as("cases whose cites are only notes: name the api.rst section, code or commit")
                .filteredOn(c -> !c.citation().structured()).extracting(Case::id).isEmpty();
    }

    @Test
    void aQuoteMayElideWordsAndMustBeSaidInItsOwnSection() {
        Case c = new Case("t.c", "t", "t", new Citation(List.of(new Citation.ApiRst("X", "one two three four"),
                new Citation.Code("foo()", "", "if (x) return 1;"), new Citation.ApiRst("Y Z", "five six seven ... nine ten eleven"))),
                KernelRange.DEFAULT, VcpuSetup.DEFAULT, List.of(), new SourceRef(Path.of("t.yaml"), 1));
        List<ApiRstQuotes.Quote> quotes = ApiRstQuotes.of(c);
        assertThat(quotes).extracting(ApiRstQuotes.Quote::text).containsExactly("one two three four", "five six seven ... nine ten eleven");
        String doc = ApiRstQuotes.normalize("one  two\n three four. five six seven eight nine ten eleven");
        assertThat(ApiRstQuotes.saidIn(doc, quotes.get(0))).isTrue();
        assertThat(ApiRstQuotes.saidIn(doc, quotes.get(1))).isTrue();
        assertThat(ApiRstQuotes.saidIn(ApiRstQuotes.normalize("five six seven eight"), quotes.get(1))).isFalse();

        String apiRst = """
                4. API
                ======

                4.2 X
                -----

                one two three
                four.

                4.3 Y Z
                -------

                For arm/arm64:
                ^^^^^^^^^^^^^^

                five six seven eight nine ten eleven

                5. Next
                =======
                """;
        Map<String, String> sections = ApiRstQuotes.sections(apiRst);
        assertThat(sections).containsOnlyKeys("API", "X", "Y Z", "Next");
        assertThat(sections.get("X")).isEqualTo("one two three four.");
        KernelVersion k = new KernelVersion(6, 12, 0);
        assertThat(ApiRstQuotes.check(List.of(c), Map.of(k, apiRst)).misquoted()).isEmpty();
        // The quote of section X is in the document, but under Y Z: misquoted.
        Case moved = new Case("t.m", "t", "t", new Citation(List.of(new Citation.ApiRst("Y Z", "one two three four"))),
                KernelRange.DEFAULT, VcpuSetup.DEFAULT, List.of(), new SourceRef(Path.of("t.yaml"), 1));
        assertThat(ApiRstQuotes.check(List.of(moved), Map.of(k, apiRst)).misquoted()).singleElement().asString()
                .contains("no kernel's api.rst says in section Y Z \"one two three four\"");
    }
}
