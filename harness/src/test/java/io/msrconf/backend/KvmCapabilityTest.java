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

    private static final KvmCapabilities.Extensions ALL = new KvmCapabilities.Extensions(true, true, true);

    @Test
    void eachMissingCapabilityIsTheSkipReason() {
        assertThat(KvmCapabilities.missingExtension(FILTER_AND_EXITS, ALL)).isEmpty();
        assertThat(KvmCapabilities.missingExtension(FILTER_AND_EXITS, new KvmCapabilities.Extensions(true, false, true)))
                .contains("KVM lacks KVM_CAP_X86_MSR_FILTER");
        assertThat(KvmCapabilities.missingExtension(FILTER_AND_EXITS, new KvmCapabilities.Extensions(true, true, false)))
                .contains("KVM lacks KVM_CAP_X86_USER_SPACE_MSR");
        assertThat(KvmCapabilities.missingExtension(FILTER_AND_EXITS, new KvmCapabilities.Extensions(false, true, true)))
                .hasValueSatisfying(r -> assertThat(r).startsWith("KVM lacks KVM_CAP_IRQCHIP"));
    }

    @Test
    void aCaseThatDoesNotUseTheCapabilityStillRuns() {
        KvmCapabilities.Extensions noFilterNoExits = new KvmCapabilities.Extensions(true, false, false);
        assertThat(KvmCapabilities.missingExtension(SelfTestCases.ONE_READ, noFilterNoExits)).isEmpty();
    }
}
