package io.msrconf.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.spec.Case;
import org.junit.jupiter.api.Test;

/** A KVM without a capability a case needs skips that case with the reason, and only that case. */
class KvmCapabilityTest {

    private static final Case FILTER_AND_EXITS = SelfTestCases.parse("""
            area: self-test
            cases:
              - id: self.filter-and-exits
                title: sets a filter and takes FILTER exits
                cites: harness self-test
                vcpu: { exits: [FILTER] }
                steps:
                  - set-filter: { default: allow }
                    expect: ok
                  - run:
                      - { rdmsr: 0x174, expect: ok }
            """);

    private static final Case XEN_HYPERCALL_MSR = SelfTestCases.parse("""
            area: self-test
            cases:
              - id: self.xen
                title: t
                cites: c
                vcpu: { x2apic: false, exits: [] }
                steps:
                  - xen-hvm-config: { msr: 0x40000200, blob-pages: 1 }
                    expect: ok
                  - run:
                      - { wrmsr: 0x40000200, value: 0x5000, expect: { kvm-run-fails: EFAULT } }
            """);

    private static final KvmCapabilities.Extensions ALL = new KvmCapabilities.Extensions(true, true, true, true);

    @Test
    void eachMissingCapabilityIsTheSkipReason() {
        assertThat(KvmCapabilities.missingExtension(FILTER_AND_EXITS, ALL)).isEmpty();
        assertThat(KvmCapabilities.missingExtension(FILTER_AND_EXITS, new KvmCapabilities.Extensions(true, false, true, true)))
                .contains("KVM lacks KVM_CAP_X86_MSR_FILTER");
        assertThat(KvmCapabilities.missingExtension(FILTER_AND_EXITS, new KvmCapabilities.Extensions(true, true, false, true)))
                .contains("KVM lacks KVM_CAP_X86_USER_SPACE_MSR");
        assertThat(KvmCapabilities.missingExtension(FILTER_AND_EXITS, new KvmCapabilities.Extensions(false, true, true, true)))
                .hasValueSatisfying(r -> assertThat(r).startsWith("KVM lacks KVM_CAP_IRQCHIP"));
        assertThat(KvmCapabilities.missingExtension(XEN_HYPERCALL_MSR, ALL)).isEmpty();
        assertThat(KvmCapabilities.missingExtension(XEN_HYPERCALL_MSR, new KvmCapabilities.Extensions(true, true, true, false)))
                .hasValueSatisfying(r -> assertThat(r).startsWith("KVM lacks KVM_CAP_XEN_HVM"));
    }

    @Test
    void aCaseThatDoesNotUseTheCapabilityStillRuns() {
        KvmCapabilities.Extensions noFilterNoExits = new KvmCapabilities.Extensions(true, false, false, false);
        assertThat(KvmCapabilities.missingExtension(SelfTestCases.ONE_READ, noFilterNoExits)).isEmpty();
    }
}
