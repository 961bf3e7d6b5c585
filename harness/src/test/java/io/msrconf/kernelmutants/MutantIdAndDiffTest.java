package io.msrconf.kernelmutants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutant ids survive edits elsewhere in the file; each diff is a patch -p1 can apply. */
class MutantIdAndDiffTest {

    @TempDir
    Path tmp;

    private static List<Mutant> generate(Path root) {
        return MutantGenerator.generate(root, SiteList.load(Fixture.SITES));
    }

    @Test
    void idsNameFileFunctionOperatorAndOrdinal() {
        List<String> ids = generate(Fixture.ROOT).stream().map(Mutant::id).toList();
        assertThat(ids).contains("x86.c:kvm_msr_allowed:relational:1", "x86.c:kvm_msr_allowed:constant-off-by-one:4",
                "x86.c:kvm_add_msr_filter:errno:3", "x86.c:kvm_vm_ioctl_enable_cap/KVM_CAP_X86_USER_SPACE_MSR:errno:1");
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void idsAreStableWhenCodeAboveTheFunctionMoves() throws IOException {
        Path moved = copyFixture();
        Path x86 = moved.resolve(Fixture.FILE);
        Files.writeString(x86, "/* a new comment\n * of three lines */\nstatic int unrelated(void) { return 1 < 2; }\n" + Files.readString(x86));
        Map<String, Mutant> before = generate(Fixture.ROOT).stream().collect(Collectors.toMap(Mutant::id, Function.identity()));
        List<Mutant> after = generate(moved);
        assertThat(after).hasSize(before.size());
        for (Mutant m : after) {
            Mutant old = before.get(m.id());
            assertThat(old).as(m.id()).isNotNull();
            assertThat(m.line()).isEqualTo(old.line() + 3);
            assertThat(m.original()).isEqualTo(old.original());
            assertThat(m.replacement()).isEqualTo(old.replacement());
        }
    }

    @Test
    void theDiffIsAUnifiedDiffWithThreeLinesOfContext() {
        Mutant m = generate(Fixture.ROOT).stream().filter(x -> x.id().equals("x86.c:kvm_msr_allowed:constant-off-by-one:3")).findFirst().orElseThrow();
        assertThat(m.line()).isEqualTo(23);
        assertThat(m.diff()).isEqualTo("""
                --- a/arch/x86/kvm/x86.c
                +++ b/arch/x86/kvm/x86.c
                @@ -20,7 +20,7 @@
                 \tu32 i;
                \s
                 \t/* x2APIC MSRs do not support filtering. { */
                -\tif (index >= 0x800 && index <= 0x8ff)
                +\tif (index >= 0x800 && index <= 0x900)
                 \t\treturn true;
                \s
                 \tmsr_filter = srcu_dereference(kvm->arch.msr_filter, &kvm->srcu);
                """);
    }

    @Test
    void everyDiffAppliesWithPatchAndGivesTheMutatedFile() throws Exception {
        assumeTrue(new ProcessBuilder("patch", "--version").start().waitFor() == 0, "GNU patch is not installed");
        for (Mutant m : generate(Fixture.ROOT)) {
            Path copy = copyFixture();
            Path diff = tmp.resolve("m.diff");
            Files.writeString(diff, m.diff());
            Process p = new ProcessBuilder("patch", "-p1", "--batch", "-s", "-d", copy.toString(), "-i", diff.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("%s: %s", m.id(), out).isZero();
            assertThat(Files.readString(copy.resolve(Fixture.FILE))).as(m.id()).isEqualTo(MutantGenerator.mutatedText(m, Fixture.ROOT));
        }
    }

    private Path copyFixture() throws IOException {
        Path root = Files.createTempDirectory(tmp, "src");
        Files.createDirectories(root.resolve("arch/x86/kvm"));
        Files.createDirectories(root.resolve("virt/kvm"));
        Files.copy(Fixture.ROOT.resolve(Fixture.FILE), root.resolve(Fixture.FILE));
        Files.copy(Fixture.ROOT.resolve("virt/kvm/kvm_main.c"), root.resolve("virt/kvm/kvm_main.c"));
        return root;
    }
}
