package io.msrconf.kernelmutants;

import java.nio.file.Path;

/** Builds KVM's modules from a source copy: in a campaign, matrix/build-kvm-modules.sh; in tests, a fake. */
public interface ModuleBuilder {

    enum Result { BUILT, DOES_NOT_COMPILE }

    /** What a build gave, with the compiler's messages when it did not compile. */
    record Build(Result result, String messages) {
    }

    /** An environment problem (not the mutant's fault): the campaign stops. */
    final class EnvironmentProblem extends RuntimeException {
        public EnvironmentProblem(String message) {
            super(message);
        }
    }

    /**
     * @param sources  a directory holding arch/x86/kvm and virt/kvm
     * @param outTree  the lib/modules/RELEASE tree to write
     * @param slot     0 or 1: two builds may run at once, each in its own slot
     */
    Build build(Path sources, Path outTree, int slot) throws InterruptedException;
}
