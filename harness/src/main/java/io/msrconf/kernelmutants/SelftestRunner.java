package io.msrconf.kernelmutants;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the kernel's own MSR-filter selftest (tools/testing/selftests/kvm/x86_64/userspace_msr_exit_test) on the kernel
 * with a module tree, so that each mutant gets two verdicts side by side: msrconf's and the selftest's. In a campaign
 * the kernel is booted under QEMU; in tests, a fake.
 */
public interface SelftestRunner {

    /** The selftest's executable name, as the build environment keeps it in ENV/selftests/. */
    String SELFTEST = "userspace_msr_exit_test";

    /**
     * The selftest's outcome on one kernel.
     *
     * @param ran    whether it ran to its end (false: the kernel did not boot, the test crashed the guest or timed out)
     * @param failed its failed subtests (or "exit status N" when it failed without naming one)
     * @param passed how many subtests passed
     * @param detail why it did not run, or the end of its output when it failed
     */
    record Outcome(boolean ran, List<String> failed, int passed, String detail) {
        public Outcome {
            failed = List.copyOf(failed);
        }

        /** Whether the selftest notices the mutant: it failed, or did not get to its end. */
        public boolean killed() {
            return !ran || !failed.isEmpty();
        }
    }

    Outcome run(String name, Path modules) throws InterruptedException;

    /** KTAP result lines of a kselftest: "ok 1 name", "not ok 2 name", "ok 3 name # SKIP why". */
    Pattern RESULT = Pattern.compile("(?m)^(not ok|ok) \\d+ (.*?)(\\s+#\\s*(SKIP|skip).*)?$");

    /** The outcome its output and exit status say: each "not ok" a failed subtest; a non-zero status without one fails too. */
    static Outcome parse(String output, int status) {
        List<String> failed = new ArrayList<>();
        int passed = 0;
        Matcher m = RESULT.matcher(output);
        while (m.find()) {
            if (m.group(3) != null) {
                continue;   // skipped: neither passed nor failed
            }
            if (m.group(1).equals("ok")) {
                passed++;
            } else {
                failed.add(m.group(2).strip());
            }
        }
        if (status != 0 && failed.isEmpty()) {
            failed.add("exit status " + status);
        }
        String tail = output.lines().skip(Math.max(0, output.lines().count() - 15)).reduce("", (a, b) -> a + b + "\n");
        return new Outcome(true, failed, passed, failed.isEmpty() ? "" : tail.strip());
    }
}
