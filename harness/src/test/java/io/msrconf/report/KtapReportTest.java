package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.cli.MainAccess;
import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import io.msrconf.spec.TestSpecs;
import io.msrconf.target.KvmTarget;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KTAP output, checked by the kernel's own parser (tools/testing/kunit/kunit.py parse, from Debian's
 * linux-source-6.12, which .ci/run fetches into the kernel cache; locally the check is skipped without it,
 * under CI it fails): the parser must count what msrconf counts and name every case.
 */
class KtapReportTest {

    private static CaseEntry entry(String id, String backend, Status status, String message) {
        return new CaseEntry(id, backend, status, "title", "cites", message, List.of(), List.of());
    }

    @Test
    void oneSubtestPerBackendOneTestPerCase() {
        RunSummary s = new RunSummary(Map.of("kernel.release", "6.12.117", "kvm.module", "kvm_amd"), List.of(
                entry("a.pass", "kvm", Status.PASSED, ""),
                entry("b.fail", "kvm", Status.FAILED, "b.fail [kvm] title\nExpected #GP on RDMSR(0x174), got no exit\n"),
                entry("c.skip", "emulator", Status.SKIPPED, "the case applies to kernels >= 5.12; this is 5.10\nmore")));
        assertThat(KtapReport.of(s)).isEqualTo("""
                KTAP version 1
                # kernel.release: 6.12.117
                # kvm.module: kvm_amd
                1..2
                    KTAP version 1
                    # Subtest: kvm
                    1..2
                    ok 1 a.pass
                    not ok 2 b.fail
                    # b.fail [kvm] title
                    # Expected #GP on RDMSR(0x174), got no exit
                not ok 1 kvm
                    KTAP version 1
                    # Subtest: emulator
                    1..1
                    ok 1 c.skip # SKIP the case applies to kernels >= 5.12; this is 5.10
                ok 2 emulator # SKIP every case was skipped
                """);
    }

    @Test
    void theKernelsOwnParserCountsAndNamesWhatMsrconfDoes(@TempDir Path dir) throws Exception {
        Path kunit = KvmTarget.defaultCache().resolve("kunit-6.12/tools/testing/kunit/kunit.py");
        if (!Files.isRegularFile(kunit)) {
            String why = "the kernel's KTAP parser is not in " + kunit.getParent()
                    + " (fetch it: bash matrix/fetch-debian-kernel.sh --kunit 6.12 " + KvmTarget.defaultCache() + ")";
            if (System.getenv("CI") != null) {
                Assertions.fail("CI must check KTAP with the kernel's parser, but " + why + " (.ci/run fetches it)");
            }
            Assumptions.abort(why);
        }
        Path ktap = dir.resolve("run.ktap");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int status = MainAccess.run(new String[] {"run", "--kvm", "off", "--no-html", "--specs", TestSpecs.DIR.toString(),
                "--out", dir.resolve("out").toString(), "--ktap", ktap.toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(console, true, StandardCharsets.UTF_8));
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isZero();
        Matcher mine = Pattern.compile("(\\d+) passed, (\\d+) failed, (\\d+) skipped -- (\\d+) tests").matcher(printed);
        assertThat(mine.find()).as(printed).isTrue();

        Process p = new ProcessBuilder("python3", kunit.toString(), "parse", ktap.toAbsolutePath().toString()).redirectErrorStream(true).start();
        String parsed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(parsed).as(parsed).contains(String.format("Ran %s tests: passed: %s, skipped: %s", mine.group(4), mine.group(1), mine.group(3)));
        RunSummary summary = SummaryJson.read(dir.resolve("out/summary.json"));
        for (CaseEntry c : summary.cases()) {
            assertThat(parsed).contains((c.status() == Status.PASSED ? "[PASSED] " : "[SKIPPED] ") + c.id());
        }
    }
}
