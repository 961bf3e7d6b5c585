package io.msrconf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.cli.MainAccess;
import io.msrconf.pipeline.CaseRunner;
import io.msrconf.spec.Case;
import io.msrconf.spec.Step;
import io.msrconf.spec.TestSpecs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import io.msrconf.target.OpenedTarget;

/** The benchmark command runs end to end on a tiny workload and prints every section. Not a timing test. */
class BenchCommandTest {

    @Test
    void runsWithOneRoundAndPrintsTheHeadings() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MainAccess.run(new String[] {"bench", "--rounds", "1", "--warmup", "0", "--exits", "20", "--no-suite",
                "--kvm", "off", "--specs", TestSpecs.DIR.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);

        assertThat(status).as("exit status; output:%n%s%s", printed, err).isZero();
        assertThat(printed).contains("msrconf bench:", "machine:", "== Emulator backend", "guest instructions per second",
                "== Whole conformance run", "CaseRunner, emulator", "== KVM: not measured");
    }

    /** Every KVM figure on a target: the C floor only where the ioctls are this machine's. */
    // the targets are shared by the whole test JVM: JUnit must not close them after the test
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.msrconf.target.TestTargets#all")
    void measuresEveryKvmFigureOnATarget(OpenedTarget target) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Bench.run(new Bench.Options(1, 0, TestSpecs.DIR, 20, null, false, 1, target, false, false),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);

        assertThat(status).as(printed).isZero();
        assertThat(printed).contains("KVM target: " + target.name(), "== KVM, per case", "Java, fresh VM per case",
                "Java, reused VM (reset)", "== MSR exit round trip", "per exit", "ceiling for the fuzz campaign on " + target.name(),
                "== Differential fuzz campaign on " + target.name(), "fuzz accesses/s / exit round-trip ceiling", "0 disagreements",
                "CaseRunner, KVM reused VM", "== Ratios", "fresh / reused VM");
        if (target.target().booted()) {
            assertThat(printed).doesNotContain("C floor");
        } else {
            assertThat(printed).contains("C floor (bench/floor.c)", "Java fresh / C floor");
        }
    }

    @Test
    void rejectsABadOption() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MainAccess.run(new String[] {"bench", "--rounds", "zero"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rounds", "'zero'");
    }

    @Test
    void theExitCaseIsNRdmsrsAnsweredFromUserspace() {
        Case c = Bench.exitCase(5, true);
        assertThat(c.vcpu().exitReasonMask()).isNotZero();
        Step.RunGuest run = (Step.RunGuest) c.steps().get(1);
        assertThat(run.accesses()).hasSize(5).allSatisfy(a -> assertThat(a.exit().answer().error()).isZero());
        assertThat(Bench.exitCase(5, false).usesFilter()).isFalse();
    }

    @Test
    void medianOfRounds() {
        assertThat(Bench.median(new long[] {5, 1, 3})).isEqualTo(3);
        assertThat(Bench.median(new long[] {4, 1, 3, 2})).isEqualTo(3);
    }
}
