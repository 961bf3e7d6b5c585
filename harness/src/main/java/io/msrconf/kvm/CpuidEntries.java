package io.msrconf.kvm;

import io.msrconf.kvm.uapi.KvmIoctls;
import io.msrconf.kvm.uapi.KvmLayouts;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * The entries of a {@code struct kvm_cpuid2}, as KVM_GET_SUPPORTED_CPUID returns them and
 * KVM_SET_CPUID2 takes them; a value, encoded to the struct where a transport needs it.
 */
public record CpuidEntries(List<CpuidEntry> entries) {

    /** One {@code struct kvm_cpuid_entry2}. */
    public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    }

    public CpuidEntries {
        entries = List.copyOf(entries);
    }

    public static CpuidEntries of(List<CpuidEntry> entries) {
        return new CpuidEntries(entries);
    }

    public int count() {
        return entries.size();
    }

    /**
     * The entry the CPU would use for CPUID(function, index): the index only counts for entries
     * flagged as having a significant index.
     */
    public Optional<CpuidEntry> entry(int function, int index) {
        for (CpuidEntry e : entries) {
            boolean indexMatters = (e.flags() & KvmIoctls.KVM_CPUID_FLAG_SIGNIFCANT_INDEX) != 0;
            if (e.function() == function && (!indexMatters || e.index() == index)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The {@code struct kvm_cpuid2} with these entries, little-endian. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(KvmLayouts.Cpuid2.ENTRIES + entries.size() * KvmLayouts.CpuidEntry2.SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(KvmLayouts.Cpuid2.NENT, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry e = entries.get(i);
            int at = KvmLayouts.Cpuid2.ENTRIES + i * KvmLayouts.CpuidEntry2.SIZE;
            b.putInt(at + KvmLayouts.CpuidEntry2.FUNCTION, e.function());
            b.putInt(at + KvmLayouts.CpuidEntry2.INDEX, e.index());
            b.putInt(at + KvmLayouts.CpuidEntry2.FLAGS, e.flags());
            b.putInt(at + KvmLayouts.CpuidEntry2.EAX, e.eax());
            b.putInt(at + KvmLayouts.CpuidEntry2.EBX, e.ebx());
            b.putInt(at + KvmLayouts.CpuidEntry2.ECX, e.ecx());
            b.putInt(at + KvmLayouts.CpuidEntry2.EDX, e.edx());
        }
        return b.array();
    }

    /** From a {@code struct kvm_cpuid2} as KVM filled it (its nent entries; at most what the buffer holds). */
    public static CpuidEntries decode(ByteBuffer struct) {
        int nent = struct.getInt(KvmLayouts.Cpuid2.NENT);
        int room = (struct.capacity() - KvmLayouts.Cpuid2.ENTRIES) / KvmLayouts.CpuidEntry2.SIZE;
        int n = Math.max(0, Math.min(nent, room));
        CpuidEntry[] out = new CpuidEntry[n];
        for (int i = 0; i < n; i++) {
            int at = KvmLayouts.Cpuid2.ENTRIES + i * KvmLayouts.CpuidEntry2.SIZE;
            out[i] = new CpuidEntry(
                    struct.getInt(at + KvmLayouts.CpuidEntry2.FUNCTION),
                    struct.getInt(at + KvmLayouts.CpuidEntry2.INDEX),
                    struct.getInt(at + KvmLayouts.CpuidEntry2.FLAGS),
                    struct.getInt(at + KvmLayouts.CpuidEntry2.EAX),
                    struct.getInt(at + KvmLayouts.CpuidEntry2.EBX),
                    struct.getInt(at + KvmLayouts.CpuidEntry2.ECX),
                    struct.getInt(at + KvmLayouts.CpuidEntry2.EDX));
        }
        return new CpuidEntries(List.of(out));
    }
}
