package io.msrconf.pipeline;

import io.msrconf.abi.KvmCap;
import io.msrconf.kvm.Kvm;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a KVM says about itself, for the report's environment: API version and the capabilities the suite uses. */
final class KvmFacts {

    private KvmFacts() {
    }

    static Map<String, String> of(Kvm kvm) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("kvm.available", "yes");
        facts.put("kvm.where", kvm.where());
        facts.put("kvm.api.version", String.valueOf(kvm.apiVersion()));
        facts.put("kvm.cap.X86_MSR_FILTER", String.valueOf(kvm.checkExtension(KvmCap.KVM_CAP_X86_MSR_FILTER)));
        facts.put("kvm.cap.X86_USER_SPACE_MSR", String.valueOf(kvm.checkExtension(KvmCap.KVM_CAP_X86_USER_SPACE_MSR)));
        facts.put("kvm.cap.IRQCHIP", String.valueOf(kvm.checkExtension(KvmCap.KVM_CAP_IRQCHIP)));
        facts.put("kvm.cap.IMMEDIATE_EXIT", String.valueOf(kvm.checkExtension(KvmCap.KVM_CAP_IMMEDIATE_EXIT)));
        return facts;
    }

    static Map<String, String> unavailable(String reason) {
        return Map.of("kvm.available", "no: " + reason);
    }
}
