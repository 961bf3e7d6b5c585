package io.msrconf.backend;

import io.msrconf.abi.Errno;
import java.util.List;
import java.util.stream.Collectors;

/** What one step of a case produced. One record per {@link io.msrconf.spec.Step} kind, in the same order. */
public sealed interface StepOutcome {

    /**
     * The outcome as a person reads it in a report and a comparison ("KVM_X86_SET_MSR_FILTER returned EINVAL
     * (22)"), not Java's record text; a guest run's accesses are described one per line by whoever lists them.
     */
    default String describe() {
        if (this instanceof ExitsEnabled e) {
            return "KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) returned " + returned(e.errno(), e.value());
        } else if (this instanceof FilterSet f) {
            return "KVM_X86_SET_MSR_FILTER returned " + returned(f.errno(), f.value());
        } else if (this instanceof NotRun n) {
            return "not run: " + n.why();
        } else if (this instanceof XenConfigured x) {
            return "KVM_XEN_HVM_CONFIG returned " + Errno.describe(x.errno());
        } else if (this instanceof ExtensionChecked x) {
            return "KVM_CHECK_EXTENSION returned " + x.value();
        } else if (this instanceof VcpuSetUp v) {
            return v.ioctl() + " returned " + Errno.describe(v.errno());
        } else if (this instanceof HostMsrsSet h) {
            return "KVM_SET_MSRS returned " + count(h.result());
        } else if (this instanceof HostMsrsGot h) {
            return "KVM_GET_MSRS returned " + count(h.result()) + h.values().stream().map(v -> "0x" + Long.toHexString(v))
                    .collect(Collectors.joining(", ", " [", "]"));
        }
        GuestRan r = (GuestRan) this;
        return "a guest run of " + r.accesses().size() + " accesses: " + r.end().describe();
    }

    /** "EINVAL (22)", "ok (0)", or the positive value an ioctl that documents 0 on success returned instead. */
    private static String returned(int errno, int value) {
        return errno != 0 || value == 0 ? Errno.describe(errno) : String.valueOf(value);
    }

    private static String count(int result) {
        return result < 0 ? Errno.describe(-result) : result + " (MSRs processed)";
    }

    /**
     * KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) returned this errno (0 = success), or, when it succeeded, this
     * non-negative value (api.rst: "Returns: 0 on success"; anything else is a finding).
     */
    record ExitsEnabled(int errno, int value) implements StepOutcome {
        public ExitsEnabled(int errno) {
            this(errno, 0);
        }
    }

    /**
     * The step could not be run at all: it acts on a vCPU that does not exist because KVM refused to create it (a
     * step before reported that). Whatever the step expects is then a mismatch; the case goes on, and so does the run.
     */
    record NotRun(String why) implements StepOutcome {
    }

    /** KVM_XEN_HVM_CONFIG returned 0 or this errno. */
    record XenConfigured(int errno) implements StepOutcome {
    }

    /**
     * KVM_X86_SET_MSR_FILTER returned this errno (0 = success), or, when it succeeded, this non-negative value
     * (api.rst: "Returns: 0 on success, < 0 on error"; anything else is a finding).
     */
    record FilterSet(int errno, int value) implements StepOutcome {
        public FilterSet(int errno) {
            this(errno, 0);
        }
    }

    /**
     * One run or continue step of the script payload: an outcome per access of the step, in script order,
     * and how the run ended. {@code resumed}: for a continue step that answered the MSR exit the guest was
     * paused in, what became of that access (its exits and result), else null.
     */
    record GuestRan(List<AccessOutcome> accesses, RunEnd end, AccessOutcome resumed) implements StepOutcome {
        public GuestRan {
            accesses = List.copyOf(accesses);
        }

        public GuestRan(List<AccessOutcome> accesses, RunEnd end) {
            this(accesses, end, null);
        }
    }

    /** KVM_CHECK_EXTENSION returned this value. */
    record ExtensionChecked(int value) implements StepOutcome {
    }

    /** A vCPU setup ioctl (KVM_CREATE_VCPU, KVM_SET_CPUID2 and the APIC mode) returned this errno (0 = success). */
    record VcpuSetUp(String ioctl, int errno) implements StepOutcome {
    }

    /** KVM_SET_MSRS returned this value (a count, or -errno). */
    record HostMsrsSet(int result) implements StepOutcome {
    }

    /** KVM_GET_MSRS returned this value (a count, or -errno) and these values, one per requested MSR. */
    record HostMsrsGot(int result, List<Long> values) implements StepOutcome {
        public HostMsrsGot {
            values = List.copyOf(values);
        }
    }
}
