package io.msrconf.pipeline;

import io.msrconf.spec.KernelRange;
import io.msrconf.spec.SourceRef;
import io.msrconf.pipeline.TargetInfo;
import java.util.regex.Pattern;

/**
 * A case known to fail on some kernels (and KVM modules) for a reason outside this suite: the
 * kernel deviates from its documentation. Such a failure is reported as a known deviation, not as
 * a CI failure; if the case passes there, the entry is flagged for review.
 *
 * @param kvmModule a regex the host's KVM module list must contain a match of; null for any module
 * @param evidence  what was observed, and where (a kernel developer reads this in the report)
 * @param fix       the fixing commit or patch, when known; null otherwise
 */
public record KnownDeviation(String caseId, String backend, KernelRange kernels, Pattern kvmModule, String evidence,
                             String fix, SourceRef source) {

    public boolean appliesTo(String id, String backendName, TargetInfo host) {
        return caseId.equals(id) && backend.equals(backendName) && kernels.contains(host.kernelVersion())
                && (kvmModule == null || kvmModule.matcher(host.kvmModule()).find());
    }

    public String describe() {
        return evidence + (fix != null ? " (fix: " + fix + ")" : "") + " [" + source + "]";
    }
}
