package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code msrconf kernel-mutants --list} on the hand-written fixture, and its usage errors, before anything is built. */
class KernelMutantsCommandTest {

    @TempDir
    Path tmp;

    private static String fixture(String name) {
        try {
            return Path.of(KernelMutantsCommandTest.class.getClassLoader().getResource("kernelmutants/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BisectRunCommandTest.Run list(String... more) {
        String[] base = {"kernel-mutants", "--list", "--source", fixture("src"), "--sites", fixture("sites.yaml"), "--historical", fixture("historical")};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return BisectRunCommandTest.run(args);
    }

    @Test
    void listPrintsEveryMutantAndTheCountsWithoutBuilding() {
        BisectRunCommandTest.Run r = list();
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(
                "x86.c:kvm_msr_allowed:constant-off-by-one:3  arch/x86/kvm/x86.c:23  constant-off-by-one  0x8ff → 0x900\n",
                "x86.c:kvm_add_msr_filter:errno:3  arch/x86/kvm/x86.c:70  errno  -ENOMEM → -EINVAL\n",
                "historical:x2apic-exemption-gone  arch/x86/kvm/x86.c:19  historical  The x2APIC exemption removed",
                "\nper operator:\n", "  historical                1\n", "\nper function:\n", "  x86.c:kvm_msr_allowed ");
        assertThat(r.out()).containsPattern("\n\\d+ mutants\n");
    }

    @Test
    void onlyLimitAndHistoricalOnlySelect() {
        assertThat(list("--only", ":errno:").out()).contains("\n4 mutants\n");
        assertThat(list("--only", ":errno:", "--limit", "2").out()).contains("\n2 mutants\n");
        assertThat(list("--historical-only").out()).contains("\n1 mutants\n", "historical:x2apic-exemption-gone");
        BisectRunCommandTest.Run none = list("--only", "^nothing$");
        assertThat(none.code()).isEqualTo(ExitStatus.NOTHING_SELECTED);
        assertThat(none.err()).startsWith("msrconf kernel-mutants: no mutant selected (--only '^nothing$')");
    }

    @Test
    void usageErrorsSayWhatIsWrong() throws IOException {
        assertThat(list("--parallel", "0").err()).startsWith("msrconf kernel-mutants: --parallel, --timeout and --limit take a positive whole number");
        assertThat(list("--only", "(").err()).startsWith("msrconf kernel-mutants: --only is not a valid regex");
        BisectRunCommandTest.Run noSource = BisectRunCommandTest.run("kernel-mutants", "--list", "--source", tmp.toString());
        assertThat(noSource.code()).isEqualTo(ExitStatus.USAGE);
        assertThat(noSource.err()).contains("no arch/x86/kvm/x86.c and virt/kvm under it");
        Path sites = tmp.resolve("sites.yaml");
        Files.writeString(sites, "files:\n  arch/x86/kvm/x86.c:\n    - kvm_msr_allowed\n    - kvm_gone_away\n");
        BisectRunCommandTest.Run missing = BisectRunCommandTest.run("kernel-mutants", "--list", "--source", fixture("src"), "--sites", sites.toString());
        assertThat(missing.code()).isEqualTo(ExitStatus.USAGE);
        assertThat(missing.err()).contains("arch/x86/kvm/x86.c: no definition of function kvm_gone_away");
    }
}
