package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.pipeline.RunSummary;
import io.msrconf.pipeline.RunSummary.CaseEntry;
import io.msrconf.pipeline.RunSummary.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The exit-code decision of {@code bisect-run}, without KVM; and the paths that never launch the suite. */
class BisectRunCommandTest {

    private static final Optional<String> KVM_OK = Optional.empty();

    @Test
    void goodWhenNothingFailed() {
        RunSummary s = summary(Status.PASSED, Status.SKIPPED, Status.KNOWN_DEVIATION);
        assertThat(BisectRunCommand.exitCode(s, KVM_OK, false)).isEqualTo(0);
        assertThat(BisectRunCommand.decide(s, KVM_OK, false).line())
                .isEqualTo("bisect-run: good: 1 passed, 1 skipped, 1 known deviation");
    }

    @Test
    void badWhenAnyCaseFailed() {
        assertThat(BisectRunCommand.exitCode(summary(Status.PASSED, Status.FAILED), KVM_OK, false)).isEqualTo(1);
        // A known deviation that no longer reproduces is a failure too: the kernel's behaviour changed.
        assertThat(BisectRunCommand.exitCode(summary(Status.SKIPPED, Status.DEVIATION_NOT_REPRODUCED), KVM_OK, false))
                .isEqualTo(1);
        assertThat(BisectRunCommand.decide(summary(Status.PASSED, Status.FAILED, Status.FAILED), KVM_OK, false).line())
                .isEqualTo("bisect-run: bad: 2 of 3 cases failed (listed above)");
    }

    @Test
    void skipWhenKvmIsUnavailableWhateverTheSummary() {
        BisectRunCommand.Outcome o = BisectRunCommand.decide(summary(Status.FAILED), Optional.of("/dev/kvm does not exist"), false);
        assertThat(o.exitCode()).isEqualTo(125);
        assertThat(o.line()).isEqualTo("bisect-run: skip (125): KVM unavailable: /dev/kvm does not exist");
    }

    @Test
    void skipWhenTheSpecsHaveErrors() {
        assertThat(BisectRunCommand.exitCode(summary(Status.FAILED), KVM_OK, true)).isEqualTo(125);
        assertThat(BisectRunCommand.exitCode(summary(Status.PASSED), KVM_OK, true)).isEqualTo(125);
    }

    @Test
    void skipWhenEverySelectedCaseWasSkippedOrNoneRan() {
        RunSummary allSkipped = new RunSummary(Map.of(), List.of(
                entry("a", Status.SKIPPED, "KVM lacks KVM_CAP_X86_MSR_FILTER"),
                entry("b", Status.SKIPPED, "KVM lacks KVM_CAP_X86_MSR_FILTER"),
                entry("c", Status.SKIPPED, "the case applies to kernels >= 5.13; this is 5.12")));
        assertThat(BisectRunCommand.decide(allSkipped, KVM_OK, false).line()).isEqualTo(
                "bisect-run: skip (125): every selected case was skipped: KVM lacks KVM_CAP_X86_MSR_FILTER (and 1 other reason)");
        assertThat(BisectRunCommand.exitCode(new RunSummary(Map.of(), List.of()), KVM_OK, false)).isEqualTo(125);
    }

    @Test
    void kvmSwitchedOffIsSkipWithoutRunningAnything() {
        String previous = System.setProperty("msrconf.kvm", "off");
        try {
            Run r = run("bisect-run", "--specs", "../specs", "--only", "^ranges\\.");
            assertThat(r.code).isEqualTo(125);
            assertThat(r.out).isEqualTo(
                    "bisect-run: skip (125): KVM unavailable: KVM switched off with msrconf.kvm=off / MSRCONF_KVM=off\n");
        } finally {
            if (previous == null) {
                System.clearProperty("msrconf.kvm");
            } else {
                System.setProperty("msrconf.kvm", previous);
            }
        }
    }

    @Test
    void usageErrorsAbortTheBisection() {
        Run unknown = run("bisect-run", "--backend", "kvm");
        assertThat(unknown.code).isEqualTo(128);
        assertThat(unknown.err).startsWith("msrconf bisect-run: Unknown options: '--backend', 'kvm'\n");
        assertThat(run("bisect-run", "--specs", "no/such/dir").err)
                .startsWith("msrconf bisect-run: spec directory " + Path.of("no/such/dir").toAbsolutePath() + " does not exist\n");
        assertThat(run("bisect-run", "--specs", "../specs", "--only", "(").code).isEqualTo(128);
        Run none = run("bisect-run", "--specs", "../specs", "--only", "^no-such-case$");
        assertThat(none.code).isEqualTo(128);
        assertThat(none.err).startsWith("msrconf bisect-run: --only '^no-such-case$' selects none of the ");
    }

    @Test
    void mainListsTheCommandsInItsHelp() {
        Run r = run("--help");
        assertThat(r.code).isZero();
        assertThat(r.out).contains("\n  compare ", "\n  matrix ", "\n  bisect-run ", "\n  run ", "Exit status:");
    }

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static RunSummary summary(Status... statuses) {
        return new RunSummary(Map.of(), Arrays.stream(statuses).map(s -> entry("case-" + s, s, "")).toList());
    }

    private static CaseEntry entry(String id, Status status, String message) {
        return new CaseEntry(id, "kvm", status, "title", "cites", message, List.of(), List.of());
    }
}
