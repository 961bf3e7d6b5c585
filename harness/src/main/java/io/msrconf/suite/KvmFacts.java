package io.msrconf.suite;

import io.msrconf.abi.KvmCap;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.sys.KvmIoctls;
import java.util.LinkedHashMap;
import java.util.Map;

/** What /dev/kvm says about itself, for the report's environment: API version and the capabilities the suite uses. */
final class KvmFacts {

    private KvmFacts() {
    }

    static Map<String, String> read() {
        Map<String, String> facts = new LinkedHashMap<>();
        var unavailable = Kvm.unavailableReason();
        if (unavailable.isPresent()) {
            facts.put("kvm.available", "no: " + unavailable.get());
            return facts;
        }
        try (Kvm kvm = Kvm.open()) {
            facts.put("kvm.available", "yes");
            facts.put("kvm.api.version", String.valueOf(kvm.apiVersion()));
            facts.put("kvm.cap.X86_MSR_FILTER", String.valueOf(kvm.checkExtension(KvmCap.KVM_CAP_X86_MSR_FILTER)));
            facts.put("kvm.cap.X86_USER_SPACE_MSR", String.valueOf(kvm.checkExtension(KvmCap.KVM_CAP_X86_USER_SPACE_MSR)));
            facts.put("kvm.cap.IRQCHIP", String.valueOf(kvm.checkExtension(KvmCap.KVM_CAP_IRQCHIP)));
            facts.put("kvm.cap.IMMEDIATE_EXIT", String.valueOf(kvm.checkExtension(KvmCap.KVM_CAP_IMMEDIATE_EXIT)));
        }
        return facts;
    }
}
