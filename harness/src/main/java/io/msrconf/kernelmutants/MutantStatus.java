package io.msrconf.kernelmutants;

import java.util.List;

/**
 * What is known of one mutant in a campaign, as its state file holds it: written atomically after each step,
 * so a campaign stopped at any moment resumes from the last finished step.
 *
 * @param killedBy the cases (id [backend]) that failed on the mutant and passed on the unmutated kernel
 * @param detail   the compiler's errors, or the crash or timeout that ended the suite
 * @param selftest the kernel selftest's verdict on the same kernel (null in state files written before it was run)
 */
public record MutantStatus(String id, Outcome outcome, List<String> killedBy, String detail, double buildSeconds, double runSeconds,
                           Selftest selftest) {

    /** What the kernel's own userspace_msr_exit_test made of the mutant. */
    public enum Selftest {
        KILLED, SURVIVED, NOT_RUN;

        static Selftest of(SelftestRunner.Outcome o) {
            return o == null ? NOT_RUN : o.killed() ? KILLED : SURVIVED;
        }
    }

    public MutantStatus(String id, Outcome outcome, List<String> killedBy, String detail, double buildSeconds, double runSeconds) {
        this(id, outcome, killedBy, detail, buildSeconds, runSeconds, Selftest.NOT_RUN);
    }

    public enum Outcome {
        /** Compiled; its module tree is waiting for the suite (a resumed campaign runs it without rebuilding). */
        BUILT(false),
        /** The compiler refused it: discarded, counted apart. */
        DOES_NOT_COMPILE(true),
        /** A case failed on it. */
        KILLED(true),
        /** Its kernel did not boot, crashed, or the suite did not finish: killed, but shown apart. */
        KILLED_BY_CRASH(true),
        /** Every case passed: the suite does not notice this change. */
        SURVIVED(true);

        private final boolean finished;

        Outcome(boolean finished) {
            this.finished = finished;
        }

        public boolean finished() {
            return finished;
        }

        public boolean killed() {
            return this == KILLED || this == KILLED_BY_CRASH;
        }
    }

    public MutantStatus {
        killedBy = List.copyOf(killedBy);
        selftest = selftest == null ? Selftest.NOT_RUN : selftest;
    }
}
