package io.msrconf.kernelmutants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Historical patches: their header names them, they apply with patch -p1, and one that does not is named. */
class HistoricalMutantsTest {

    @TempDir
    Path tmp;

    @Test
    void aPatchIsAMutantNamedByItsFileAndDescribedByItsHeader() throws Exception {
        List<Mutant> ms = HistoricalMutants.load(Fixture.resource("kernelmutants/historical"), Fixture.ROOT);
        assertThat(ms).hasSize(1);
        Mutant m = ms.get(0);
        assertThat(m.id()).isEqualTo("historical:x2apic-exemption-gone");
        assertThat(m.description()).isEqualTo("The x2APIC exemption removed (a fixture: the real patches are in kernel-mutants/historical)");
        assertThat(m.function()).isEqualTo("kvm_msr_allowed");
        assertThat(m.line()).isEqualTo(19);
        assertThat(m.files()).containsExactly("arch/x86/kvm/x86.c");
        assertThat(m.diff()).startsWith("--- a/arch/x86/kvm/x86.c\n");

        HistoricalMutants.apply(m, Fixture.ROOT, tmp);
        String patched = Files.readString(tmp.resolve("arch/x86/kvm/x86.c"));
        assertThat(patched).doesNotContain("0x8ff").contains("msr_filter = srcu_dereference");
        assertThat(Files.readString(Fixture.ROOT.resolve(Fixture.FILE))).contains("0x8ff");   // the pristine file is untouched
    }

    @Test
    void aPatchThatDoesNotApplyIsAnErrorNamingIt() {
        assertThatThrownBy(() -> HistoricalMutants.load(Fixture.resource("kernelmutants/historical-bad"), Fixture.ROOT))
                .isInstanceOf(HistoricalMutants.BadPatch.class)
                .hasMessageContaining("does-not-apply.patch does not apply to");
    }
}
