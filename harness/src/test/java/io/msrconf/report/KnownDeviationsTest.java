package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.pipeline.KnownDeviation;
import io.msrconf.pipeline.KnownDeviations;
import io.msrconf.spec.KernelRange;
import io.msrconf.spec.KernelVersion;
import io.msrconf.spec.SpecError;
import io.msrconf.pipeline.TargetInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownDeviationsTest {

    @TempDir
    Path dir;

    @Test
    void parsesEveryKeyWithDefaults() {
        Path file = SummaryJsonTest.resource("deviations-valid.yaml");
        KnownDeviations.Loaded loaded = KnownDeviations.load(file);
        assertThat(loaded.errors()).isEmpty();
        assertThat(loaded.deviations()).hasSize(2);

        KnownDeviation first = loaded.deviations().get(0);
        assertThat(first.caseId()).isEqualTo("x2apic.tpr-reads-back");
        assertThat(first.backend()).isEqualTo("kvm");
        assertThat(first.kernels()).isEqualTo(new KernelRange(new KernelVersion(6, 1, 0), new KernelVersion(6, 3, 0)));
        assertThat(first.kvmModule().pattern()).isEqualTo("^kvm_(intel|amd)$");
        assertThat(first.evidence()).isEqualTo("TPR read back 0 after a write of 0x20 on 6.2.1 with kvm_intel");
        assertThat(first.fix()).isEqualTo("commit 1234abcd (KVM: x86: example)");
        assertThat(first.source().toString()).isEqualTo(file + ":3");

        KnownDeviation second = loaded.deviations().get(1);
        assertThat(second.backend()).isEqualTo("emulator");
        assertThat(second.kernels()).isEqualTo(KernelRange.DEFAULT);
        assertThat(second.kvmModule()).isNull();
        assertThat(second.evidence()).isEqualTo("The model denied the write as well.");
        assertThat(second.fix()).isNull();
        assertThat(second.describe()).isEqualTo("The model denied the write as well. [" + file + ":8]");
    }

    @Test
    void reportsEveryErrorWithItsLineAndKeepsTheValidEntries() {
        Path file = SummaryJsonTest.resource("deviations-errors.yaml");
        KnownDeviations.Loaded loaded = KnownDeviations.load(file);
        assertThat(loaded.errors()).extracting(SpecError::toString).containsExactly(
                file + ":4: deviations[0].reason: unknown key; allowed: case, backend, kernels, kvm-module, evidence, fix",
                file + ":5: deviations[1].evidence: required key is missing",
                file + ":7: deviations[2].kernels.since: expected a kernel version string \"X.Y\" or \"X.Y.Z\", got 6.10 (a float):"
                        + " quote it, \"6.10\", or YAML reads it as the number 6.1",
                file + ":10: deviations[3].kernels: empty range: since 6.3 is not before 6.1",
                file + ":13: deviations[4].kvm-module: not a valid regex: Unclosed group near index 10",
                file + ":16: deviations[5].backend: expected a backend (one of emulator, kvm), got \"qemu\"");
        assertThat(loaded.deviations()).extracting(KnownDeviation::caseId).containsExactly("a.valid");
    }

    @Test
    void fileLevelProblems() throws Exception {
        Path notAList = Files.writeString(dir.resolve("a.yaml"), "deviations:\n  case: x\n");
        assertThat(KnownDeviations.load(notAList).errors()).extracting(SpecError::toString)
                .containsExactly(notAList + ":2: deviations: expected a list, got a map");
        Path syntax = Files.writeString(dir.resolve("b.yaml"), "deviations: [\n  - case: x\n");
        assertThat(KnownDeviations.load(syntax).errors()).singleElement().asString()
                .startsWith(syntax + ":2: YAML syntax error: ");
        Path tagged = Files.writeString(dir.resolve("c.yaml"), "deviations: !!set {}\n");
        assertThat(KnownDeviations.load(tagged).errors()).extracting(SpecError::toString)
                .containsExactly(tagged + ":1: deviations: unsupported tag !!set: spec files are plain YAML without tags");
        Path empty = Files.writeString(dir.resolve("d.yaml"), "# nothing\n");
        assertThat(KnownDeviations.load(empty).errors()).extracting(SpecError::toString)
                .containsExactly(empty + ":1: empty file: write \"deviations: []\" for none");
    }

    @Test
    void aMissingFileIsNoDeviationsAndNoError() {
        KnownDeviations.Loaded loaded = KnownDeviations.load(dir.resolve("absent.yaml"));
        assertThat(loaded.deviations()).isEmpty();
        assertThat(loaded.errors()).isEmpty();
    }

    @Test
    void theRepositoryFileIsValid() {
        KnownDeviations.Loaded loaded = KnownDeviations.load(KnownDeviations.in(Path.of("../specs")));
        assertThat(loaded.errors()).isEmpty();
    }

    @Test
    void matchesByCaseBackendKernelRangeAndModuleRegex() {
        List<KnownDeviation> all = KnownDeviations.load(SummaryJsonTest.resource("deviations-valid.yaml")).deviations();
        TargetInfo intel62 = new TargetInfo("6.2.1-generic", List.of("kvm_intel"), "cpu");
        String id = "x2apic.tpr-reads-back";

        assertThat(KnownDeviations.match(all, id, "kvm", intel62)).contains(all.get(0));
        assertThat(KnownDeviations.match(all, id, "emulator", intel62)).isEmpty();
        assertThat(KnownDeviations.match(all, "x2apic.other", "kvm", intel62)).isEmpty();
        // since is inclusive, before exclusive
        assertThat(KnownDeviations.match(all, id, "kvm", new TargetInfo("6.1", List.of("kvm_amd"), "cpu"))).isPresent();
        assertThat(KnownDeviations.match(all, id, "kvm", new TargetInfo("6.3.0", List.of("kvm_intel"), "cpu"))).isEmpty();
        assertThat(KnownDeviations.match(all, id, "kvm", new TargetInfo("6.0.9", List.of("kvm_intel"), "cpu"))).isEmpty();
        // the regex is anchored here, so kvm_pvm does not match, and neither does "no module"
        assertThat(KnownDeviations.match(all, id, "kvm", new TargetInfo("6.2", List.of("kvm_pvm"), "cpu"))).isEmpty();
        assertThat(KnownDeviations.match(all, id, "kvm", new TargetInfo("6.2", List.of(), "cpu"))).isEmpty();
        // no kvm-module and no kernels: any host
        assertThat(KnownDeviations.match(all, "ranges.read-only-range-denies-reads-only", "emulator",
                new TargetInfo("5.10", List.of(), "cpu"))).contains(all.get(1));
    }
}
