package io.msrconf.report;

import io.msrconf.backend.StepOutcome;
import io.msrconf.guest.Payload;
import io.msrconf.abi.Errno;
import io.msrconf.backend.Observation;
import io.msrconf.pipeline.TestResult;
import io.msrconf.pipeline.Differential;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.Step;
import io.msrconf.verdict.Mismatch;
import io.msrconf.verdict.Verdict;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;

/**
 * What a kernel developer needs beside the verdict, attached to each case's Allure result: the filter as passed to the
 * ioctl (decoded, then as bytes), expected vs actual side by side (its right column is the observation), KVM against
 * the model, and, for a failure, the payload listing. The guest access script is the test's description
 * ({@link #guestAccessScript}), shown without a click.
 *
 * <p>Few attachments, each a whole story: Allure probes every attachment file's media type with Apache Tika's magic
 * detector, about 2 ms a file, which made attachments most of a report's generation time (952 files for the default
 * suite; now 348 attachments, in 138 files as {@link AllureResults} names each by its content).
 */
final class Attachments {

    private Attachments() {
    }

    /** The attachments of one result, by name, in the order a reader wants them. */
    static Map<String, String> of(TestResult r, Payload payload) {
        Map<String, String> out = new LinkedHashMap<>();
        Case c = r.spec();
        StringBuilder decoded = new StringBuilder();
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < c.steps().size(); i++) {
            if (c.steps().get(i) instanceof Step.SetFilter s) {
                decoded.append("step ").append(i + 1).append(" (").append(s.source()).append("), expecting ")
                        .append(Errno.describe(s.expectedErrno())).append(":\n")
                        .append(s.filter() == null ? "a NULL argument" : s.filter().describe()).append("\n\n");
                hex.append("step ").append(i + 1).append(":\n").append(s.filter() == null ? "(NULL)\n" : FilterDump.hex(s.filter())).append('\n');
            }
        }
        if (decoded.length() > 0) {
            out.put("filter (decoded, then the bytes passed to KVM_X86_SET_MSR_FILTER)",
                    decoded + "the bytes passed to KVM_X86_SET_MSR_FILTER:\n\n" + hex);
        }
        if (r.observation() != null) {
            out.put("expected vs actual", sideBySide(c, Differential.normalForm(c, r.observation()), r.verdict())
                    + crashDetails(r.observation()));
        }
        if (r.kind() == TestResult.Kind.DIFFERENTIAL && !r.message().isEmpty()) {
            out.put("KVM vs model", r.message());
        }
        if (r.status().isFailure()) {
            out.put("payload listing (" + payload.name() + ")", payload.listing());
        }
        return out;
    }

    /**
     * What the case has the harness and the guest do, step by step, and what it expects of each: an ioctl's step as its
     * expected row, a guest run with each access and its expectation.
     */
    static String guestAccessScript(Case c) {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < c.steps().size(); i++) {
            Step step = c.steps().get(i);
            if (step instanceof Step.RunGuest run) {
                script.append("step ").append(i + 1).append(": ").append(run.resume() == null
                        ? "guest run (" + c.vcpu().describe() + ")" : "the guest continues from pause '" + run.resume().from() + "'")
                        .append(run.vcpu() == 0 ? "" : " on vCPU " + run.vcpu())
                        .append("\n");
                if (run.resume() != null && run.resume().inExit() != null) {
                    Access a = run.resume().inExit();
                    script.append("  (answers the exit of ").append(a.describe()).append(")  expect: ").append(a.guest().describe()).append('\n');
                }
                for (Access a : run.accesses()) {
                    script.append("  ").append(a.describe()).append("  expect: ").append(expectation(a)).append('\n');
                }
                if (run.pause() != null) {
                    script.append("  then pauses at '").append(run.pause()).append("'\n");
                }
            } else {
                List<String> rows = new ArrayList<>();
                expectedRows(c, i, rows, new ArrayList<>());
                rows.forEach(row -> script.append(row).append('\n'));
            }
        }
        return script.toString();
    }

    static String expectation(Access a) {
        if (a.exit() == null) {
            return a.guest().describe() + ", no exit";
        }
        return a.exit().reason() + " exit (data " + a.exit().data().describe() + "), "
                + (a.exit().pause() == null ? "" : "paused at '" + a.exit().pause() + "', ") + a.exit().answer().describe()
                + ", then " + a.guest().describe();
    }

    private static String crashDetails(Observation observation) {
        StringBuilder sb = new StringBuilder();
        for (StepOutcome o : observation.steps()) {
            if (o instanceof StepOutcome.GuestRan ran && !(ran.end() instanceof io.msrconf.backend.RunEnd.Reported)) {
                sb.append('\n').append(ran.end().describe()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Where a mismatch was found: "step N (...)", then " access M (...)" or " answering the exit ...". */
    private static final Pattern WHERE = Pattern.compile("^step (\\d+) \\([^)]*\\)(?: (access (\\d+)|answering))?");

    /**
     * One row per step and access: what the case expects | what happened; rows where the verdict found a
     * mismatch are marked "!", as the KVM-versus-model comparison marks its differences.
     */
    static String sideBySide(Case c, List<String> observed, Verdict verdict) {
        List<String> expected = new ArrayList<>();
        List<String> keys = new ArrayList<>();   // per expected row: "N" (the step), "N/M" (access M), "N/answered"
        Set<String> wrong = new HashSet<>();
        if (verdict != null) {
            for (Mismatch m : verdict.mismatches()) {
                Matcher w = WHERE.matcher(m.step());
                if (w.find()) {
                    wrong.add(w.group(1) + (w.group(3) != null ? "/" + w.group(3) : w.group(2) != null ? "/answered" : ""));
                }
            }
        }
        for (int i = 0; i < c.steps().size(); i++) {
            expectedRows(c, i, expected, keys);
        }
        int width = Math.max(8, expected.stream().mapToInt(String::length).max().orElse(8));
        StringBuilder sb = new StringBuilder(String.format("  %-" + width + "s | %s%n", "expected", "actual"));
        for (int i = 0; i < Math.max(expected.size(), observed.size()); i++) {
            String mark = i < keys.size() && wrong.contains(keys.get(i)) ? "! " : "  ";
            sb.append(mark).append(String.format("%-" + width + "s | %s%n", i < expected.size() ? expected.get(i) : "",
                    i < observed.size() ? observed.get(i) : ""));
        }
        return sb.toString();
    }

    /**
     * The rows step {@code i} adds to the expected column, and per row its key: "N" (the step), "N/M" (access M),
     * "N/answered".
     */
    private static void expectedRows(Case c, int i, List<String> expected, List<String> keys) {
        String step = "step " + (i + 1) + ": ";
        int stepNumber = i + 1;
        int rowsBefore = expected.size();
        c.steps().get(i).accept(new Step.Visitor<Void>() {
            @Override
            public Void setFilter(Step.SetFilter s) {
                expected.add(step + "KVM_X86_SET_MSR_FILTER returns " + Errno.describe(s.expectedErrno()));
                return null;
            }

            @Override
            public Void runGuest(Step.RunGuest run) {
                Access inExit = run.pausedInExit();
                expected.add(step + (run.resume() == null ? "run " : "continue ")
                        + (inExit != null ? "stops in the exit at pause '" + inExit.exit().pause() + "'"
                                : run.endsInKvmRunFailure() ? "ends with KVM_RUN failing"
                                : run.endsInEmulationFailure() ? "ends with KVM's emulation failing" : "reports completion"));
                keys.add(String.valueOf(stepNumber));
                if (run.resume() != null && run.resume().inExit() != null) {
                    Access a = run.resume().inExit();
                    expected.add("  " + a.describe() + " (answered): " + a.guest().describe());
                    keys.add(stepNumber + "/answered");
                }
                for (int a = 0; a < run.accesses().size(); a++) {
                    expected.add("  " + run.accesses().get(a).describe() + ": " + expectation(run.accesses().get(a)));
                    keys.add(stepNumber + "/" + (a + 1));
                }
                return null;
            }

            @Override
            public Void hostSetMsrs(Step.HostSetMsrs h) {
                expected.add(step + "KVM_SET_MSRS sets " + h.expectedCount());
                return null;
            }

            @Override
            public Void hostGetMsrs(Step.HostGetMsrs h) {
                expected.add(step + "KVM_GET_MSRS reads " + h.expectedCount() + ": " + h.msrs().stream()
                        .map(m -> String.format("MSR 0x%x: %s", m.index(), m.expected().describe())).collect(java.util.stream.Collectors.joining(", ")));
                return null;
            }

            @Override
            public Void xenHvmConfig(Step.XenHvmConfig x) {
                expected.add(step + String.format("KVM_XEN_HVM_CONFIG(msr 0x%x, %d blob pages) returns ", x.msr(), x.blobPages())
                        + io.msrconf.abi.Errno.describe(x.expectedErrno()));
                return null;
            }

            @Override
            public Void checkExtension(Step.CheckExtension e) {
                expected.add(step + "KVM_CHECK_EXTENSION(KVM_CAP_" + e.capName() + ") returns " + e.expectedValue());
                return null;
            }

            @Override
            public Void createVcpu(Step.CreateVcpu v) {
                expected.add(step + "KVM_CREATE_VCPU(" + v.id() + ")" + (v.cpuidLater() ? "" : " and KVM_SET_CPUID2") + " succeed");
                return null;
            }

            @Override
            public Void setCpuid(Step.SetCpuid v) {
                expected.add(step + "KVM_SET_CPUID2 on vCPU " + v.id() + " succeeds");
                return null;
            }

            @Override
            public Void enableExits(Step.EnableExits e) {
                expected.add(step + String.format("KVM_ENABLE_CAP(USER_SPACE_MSR, 0x%x) returns ", e.mask())
                        + io.msrconf.abi.Errno.describe(e.expectedErrno()));
                return null;
            }
        });
        if (keys.size() < expected.size() && expected.size() == rowsBefore + 1) {
            keys.add(String.valueOf(stepNumber));   // every other kind of step is one row
        }
    }
}
