package io.msrconf.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering of the product's packages, as README "How it is built" draws it, and no package cycle.
 * Each layer may use the layers below it only:
 * <pre>
 *   front ends   cli
 *   tools        matrix, bench, kernelmutants        (commands made of the layers below)
 *   outputs      report, fuzz                        (listeners on the pipeline, generated cases)
 *   pipeline     pipeline, verdict                   (load, run, judge, results)
 *   backends     backend                             (a case on KVM or the emulator: one step dispatcher, one run loop)
 *   engines      kvm (typed API, transports), target (where a KVM runs: this machine, a kernel under QEMU), emu (the model)
 *   cases        spec, guest                         (the case model and the guest program)
 *   vocabulary   abi, filter, vcpu, util             (numbers, names and value types everyone shares)
 * </pre>
 */
class ArchitectureTest {

    private static final JavaClasses PRODUCT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.msrconf");

    @Test
    void layersUseOnlyTheLayersBelowThem() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("front ends").definedBy("io.msrconf.cli..")
                .layer("tools").definedBy("io.msrconf.matrix..", "io.msrconf.bench..", "io.msrconf.kernelmutants..")
                .layer("outputs").definedBy("io.msrconf.report..", "io.msrconf.fuzz..")
                .layer("pipeline").definedBy("io.msrconf.pipeline..", "io.msrconf.verdict..")
                .layer("backends").definedBy("io.msrconf.backend..")
                .layer("engines").definedBy("io.msrconf.kvm..", "io.msrconf.emu..", "io.msrconf.target..")
                .layer("cases").definedBy("io.msrconf.spec..", "io.msrconf.guest..")
                .layer("vocabulary").definedBy("io.msrconf.abi..", "io.msrconf.filter..", "io.msrconf.vcpu..", "io.msrconf.util..")
                .whereLayer("front ends").mayNotBeAccessedByAnyLayer()
                .whereLayer("tools").mayOnlyBeAccessedByLayers("front ends")
                .whereLayer("outputs").mayOnlyBeAccessedByLayers("front ends", "tools")
                .whereLayer("pipeline").mayOnlyBeAccessedByLayers("front ends", "tools", "outputs")
                .whereLayer("backends").mayOnlyBeAccessedByLayers("front ends", "tools", "outputs", "pipeline")
                .whereLayer("engines").mayOnlyBeAccessedByLayers("front ends", "tools", "outputs", "pipeline", "backends")
                .whereLayer("cases").mayOnlyBeAccessedByLayers("front ends", "tools", "outputs", "pipeline", "backends", "engines")
                .check(PRODUCT);
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        slices().matching("io.msrconf.(**)").should().beFreeOfCycles().check(PRODUCT);
    }

    @Test
    void theKvmApiKnowsNothingOfItsTransports() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses().that().resideInAPackage("io.msrconf.kvm")
                .should().dependOnClassesThat().resideInAnyPackage("io.msrconf.kvm.local..", "com.sun.jna..")
                .check(PRODUCT);
    }
}
