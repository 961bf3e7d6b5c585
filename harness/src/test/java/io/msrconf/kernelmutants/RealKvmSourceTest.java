package io.msrconf.kernelmutants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.msrconf.target.KvmTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * msrconf's own site list and historical patches against the real 6.12 KVM sources, as the prepared build
 * environment holds them (matrix/prepare-kvm-build.sh 6.12 CACHE). Skipped, with the reason, where that
 * environment has not been prepared.
 */
class RealKvmSourceTest {

    private static final Path SITES = Path.of("../kernel-mutants/sites.yaml");
    private static final Path HISTORICAL = Path.of("../kernel-mutants/historical");
    private static final Path SURVIVORS = Path.of("../kernel-mutants/survivors.yaml");

    private static Path sources() {
        Path env = KvmTarget.defaultCache().resolve("kvm-build-6.12");
        Optional<Path> pristine = KvmBuildScripts.pristineSources(env);
        assumeTrue(pristine.isPresent(), "no prepared kernel build environment with pristine KVM sources at " + env
                + " (bash matrix/prepare-kvm-build.sh 6.12 " + KvmTarget.defaultCache() + ")");
        return pristine.get();
    }

    @Test
    void theSiteListResolvesAndYieldsEnoughMutantsOfEveryKind() {
        List<Mutant> ms = MutantGenerator.generate(sources(), SiteList.load(SITES));
        assertThat(ms).hasSizeGreaterThanOrEqualTo(40);
        Set<String> operators = ms.stream().map(Mutant::operator).collect(Collectors.toSet());
        for (MutationOperator op : MutationOperator.values()) {
            assertThat(operators).as("operator %s has a site in the real source", op.id()).contains(op.id());
        }
        // the mutants the suite exists for
        assertThat(ms).extracting(Mutant::id).contains("x86.c:kvm_msr_allowed:return-value:1", "x86.c:kvm_msr_allowed:delete-early-return:1");
        assertThat(ms).filteredOn(m -> m.id().startsWith("x86.c:kvm_msr_allowed:constant-off-by-one:"))
                .extracting(Mutant::replacement).containsExactly("0x801", "0x7ff", "0x900", "0x8fe");
    }

    @Test
    void theHistoricalPatchesApply() {
        List<Mutant> ms = HistoricalMutants.load(HISTORICAL, sources());
        assertThat(ms).extracting(Mutant::id).contains("historical:x2apic-msrs-filtered", "historical:refused-filter-installs-half-built");
        assertThat(ms).extracting(Mutant::function).contains("kvm_msr_allowed", "kvm_vm_ioctl_set_msr_filter");
    }

    @Test
    void everyClassifiedSurvivorIsAMutantOfTheRealSource() {
        List<Mutant> ms = MutantGenerator.generate(sources(), SiteList.load(SITES));
        ms = new java.util.ArrayList<>(ms);
        ms.addAll(HistoricalMutants.load(HISTORICAL, sources()));
        Set<String> ids = ms.stream().map(Mutant::id).collect(Collectors.toSet());
        assertThat(SurvivorClassification.load(SURVIVORS).entries().keySet()).as("ids in survivors.yaml that name no mutant")
                .allMatch(ids::contains);
    }

    @Test
    void everyGapNamesACaseOfTheSuite() {
        // No build environment needed: the classification and the specs are in the repository.
        SurvivorClassification c = SurvivorClassification.load(SURVIVORS);
        assertThat(c.entries()).isNotEmpty();
        Set<String> caseIds = io.msrconf.spec.SpecLoader.load(Path.of("../specs")).cases().stream().map(io.msrconf.spec.Case::id)
                .collect(Collectors.toSet());
        assertThat(c.entries().values()).filteredOn(e -> e.kind() == SurvivorClassification.Kind.GAP)
                .allSatisfy(e -> assertThat(caseIds).as("the case that kills " + e.id()).contains(e.caseId()));
    }
}
