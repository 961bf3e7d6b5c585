package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.spec.TestSpecs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** msrconf rules prints every rule with its cases and status, and fails when a rule is unaccounted for. */
class RulesCommandTest {

    private record Ran(int status, String out) {
    }

    private static Ran rules(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Stream.concat(Stream.of("rules"), Stream.of(args)).toArray(String[]::new);
        int status = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Ran(status, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyRuleOfTheProjectsTableIsAccountedFor() {
        Ran r = rules("--specs", TestSpecs.DIR.toString());
        assertThat(r.status()).as(r.out()).isZero();
        assertThat(r.out()).contains("24  covered", "exits.ignore-msrs-completes-unknown-accesses-without-an-exit",
                "37  untestable here", "of 38 rules have cases").doesNotContain("PROBLEM");
    }

    @Test
    void withApiRstItChecksTheQuotesAgainstEachCachedKernelsDocumentation() {
        io.msrconf.target.KvmTarget.CachedApiRst cached = io.msrconf.target.KvmTarget.cachedApiRst(
                io.msrconf.target.KvmTarget.defaultCache());
        if (!cached.missing().isEmpty() && System.getenv("CI") == null) {
            org.junit.jupiter.api.Assumptions.abort("the api.rst of " + cached.missing() + " is not cached (fetch-debian-kernel.sh --docs)");
        }
        Ran r = rules("--specs", TestSpecs.DIR.toString(), "--api-rst");
        assertThat(r.status()).as(r.out()).isZero();
        assertThat(r.out()).contains("quotes of api.rst checked against [5.10.223, 6.1.176, 6.12.117]; drifted: ")
                .doesNotContain("PROBLEM");
    }

    @Test
    void aRuleWithoutACaseOrAReasonFailsTheCommand(@TempDir Path specs) throws Exception {
        try (Stream<Path> files = Files.list(TestSpecs.DIR)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, specs.resolve(f.getFileName()));
            }
        }
        Path table = specs.resolve("rules.yaml");
        String untestable = "    untestable: \"SMM: msrconf's guest never enters SMM (no SMI is injected on any target)\"\n";
        assertThat(Files.readString(table)).contains(untestable);
        Files.writeString(table, Files.readString(table).replace(untestable, ""));
        Ran r = rules("--specs", specs.toString());
        assertThat(r.status()).isEqualTo(ExitStatus.FAILED);
        assertThat(r.out()).contains("PROBLEM rule 37 (SMM: no special case; RSM's EFER restore unfiltered since 5.18) has no case");
    }
}
