package io.msrconf.kvm;

import com.sun.jna.Memory;
import io.msrconf.kvm.sys.KvmIoctls;
import io.msrconf.kvm.sys.KvmLayouts;
import java.util.Optional;

/**
 * A {@code struct kvm_cpuid2} with its entries, in native memory, as KVM_GET_SUPPORTED_CPUID
 * returned it and KVM_SET_CPUID2 takes it. {@link #memory()} is the raw struct, for callers that
 * edit entries before handing them to a vCPU.
 */
public final class CpuidEntries {

    /** One {@code struct kvm_cpuid_entry2}. */
    public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    }

    private final Memory memory;

    CpuidEntries(Memory memory) {
        this.memory = memory;
    }

    /** A {@code struct kvm_cpuid2} holding exactly these entries (for tests, and for edited CPUID tables). */
    public static CpuidEntries of(java.util.List<CpuidEntry> entries) {
        Memory m = new Memory(KvmLayouts.Cpuid2.ENTRIES + (long) Math.max(1, entries.size()) * KvmLayouts.CpuidEntry2.SIZE);
        m.clear();
        m.setInt(KvmLayouts.Cpuid2.NENT, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry e = entries.get(i);
            long at = KvmLayouts.Cpuid2.ENTRIES + (long) i * KvmLayouts.CpuidEntry2.SIZE;
            m.setInt(at + KvmLayouts.CpuidEntry2.FUNCTION, e.function());
            m.setInt(at + KvmLayouts.CpuidEntry2.INDEX, e.index());
            m.setInt(at + KvmLayouts.CpuidEntry2.FLAGS, e.flags());
            m.setInt(at + KvmLayouts.CpuidEntry2.EAX, e.eax());
            m.setInt(at + KvmLayouts.CpuidEntry2.EBX, e.ebx());
            m.setInt(at + KvmLayouts.CpuidEntry2.ECX, e.ecx());
            m.setInt(at + KvmLayouts.CpuidEntry2.EDX, e.edx());
        }
        return new CpuidEntries(m);
    }

    public Memory memory() {
        return memory;
    }

    public int count() {
        return memory.getInt(KvmLayouts.Cpuid2.NENT);
    }

    /**
     * The entry the CPU would use for CPUID(function, index): the index only counts for entries
     * flagged as having a significant index.
     */
    public Optional<CpuidEntry> entry(int function, int index) {
        for (int i = 0; i < count(); i++) {
            CpuidEntry e = read(i);
            boolean indexMatters = (e.flags() & KvmIoctls.KVM_CPUID_FLAG_SIGNIFCANT_INDEX) != 0;
            if (e.function() == function && (!indexMatters || e.index() == index)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private CpuidEntry read(int i) {
        long at = KvmLayouts.Cpuid2.ENTRIES + (long) i * KvmLayouts.CpuidEntry2.SIZE;
        return new CpuidEntry(
                memory.getInt(at + KvmLayouts.CpuidEntry2.FUNCTION),
                memory.getInt(at + KvmLayouts.CpuidEntry2.INDEX),
                memory.getInt(at + KvmLayouts.CpuidEntry2.FLAGS),
                memory.getInt(at + KvmLayouts.CpuidEntry2.EAX),
                memory.getInt(at + KvmLayouts.CpuidEntry2.EBX),
                memory.getInt(at + KvmLayouts.CpuidEntry2.ECX),
                memory.getInt(at + KvmLayouts.CpuidEntry2.EDX));
    }
}
