package io.msrconf.emu.model;

import io.msrconf.abi.Msr;
import io.msrconf.guest.GuestLayout;
import java.util.Set;

/**
 * The in-kernel local APIC as far as the cases reach it (arch/x86/kvm/lapic.c): IA32_APIC_BASE with its
 * EN/EXTD mode bits, and the x2APIC MSR interface to the registers the specs use. Other registers
 * raise {@link ModelLimitation}.
 */
public final class LapicModel {

    /** lapic.c: "#define APIC_VERSION 0x14UL". */
    static final int APIC_VERSION = 0x14;
    /**
     * KVM_APIC_MAX_NR_LVT_ENTRIES (7) minus the CMCI LVT, which exists only when the guest's MCG_CAP
     * has MCG_CMCI_P; a new vCPU's mcg_cap is KVM_MAX_MCE_BANKS without it (kvm_arch_vcpu_create).
     */
    static final int NR_LVT_ENTRIES = 6;
    /** Physical-address bits above what KVM_GET_SUPPORTED_CPUID reports are reserved; 52 bits is the architectural maximum. */
    private static final long RESERVED_BITS = 0x2ffL | ~((1L << 52) - 1);
    /** lapic.c (6.1.176, 6.12.117): "#define X2APIC_ICR_RESERVED_BITS (GENMASK_ULL(31, 20) | GENMASK_ULL(17, 16) | BIT(13))". */
    private static final long X2APIC_ICR_RESERVED_BITS = 0xfff0_0000L | 0x3_0000L | 1L << 13;
    /** apicdef.h: "#define APIC_ICR_BUSY 0x01000", the delivery status bit, cleared by every ICR write. */
    private static final long APIC_ICR_BUSY = 0x1000;

    private final int vcpuId;
    private final Set<Mutation> mutations;
    private final ModelProfile profile;
    private long apicBase;
    private int tpr;
    private long icr;

    public LapicModel(int vcpuId, Set<Mutation> mutations, ModelProfile profile) {
        this.vcpuId = vcpuId;
        this.mutations = mutations;
        this.profile = profile;
        // kvm_lapic_reset(): kvm_apic_set_base(vcpu, APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE | BSP)
        this.apicBase = Msr.APIC_DEFAULT_BASE | Msr.APIC_BASE_ENABLE | (vcpuId == 0 ? Msr.APIC_BASE_BSP : 0);
    }

    public long apicBase() {
        return apicBase;
    }

    public boolean x2apicMode() {
        return (apicBase & (Msr.APIC_BASE_ENABLE | Msr.APIC_BASE_EXTD)) == (Msr.APIC_BASE_ENABLE | Msr.APIC_BASE_EXTD);
    }

    /** kvm_apic_set_base(): 0, or 1 for a refused value or mode transition (-> #GP / INVAL). */
    public int setApicBase(long value, boolean hostInitiated) {
        boolean en = (value & Msr.APIC_BASE_ENABLE) != 0;
        boolean extd = (value & Msr.APIC_BASE_EXTD) != 0;
        if ((value & RESERVED_BITS) != 0 || (!en && extd)) {
            return 1;   // reserved bits, or LAPIC_MODE_INVALID (EXTD without EN)
        }
        if (!hostInitiated) {
            boolean wasX2 = x2apicMode();
            boolean wasDisabled = (apicBase & Msr.APIC_BASE_ENABLE) == 0;
            if (wasX2 && en && !extd || wasDisabled && en && extd) {
                return 1;   // x2APIC -> xAPIC, or disabled -> x2APIC, are architecturally illegal
            }
        }
        apicBase = value;
        return 0;
    }

    /**
     * The guest left guest mode (any VM exit, before KVM handles it): under {@link ModelProfile#tprSyncedFromVtprAtExit}
     * the TPR becomes V_TPR << 4, and V_TPR was loaded with TPR >> 4 at the last entry.
     */
    public void vmExit() {
        if (profile.tprSyncedFromVtprAtExit()) {
            tpr &= 0xf0;
        }
    }

    /** kvm_x2apic_msr_read(): 0 with the value, or 1 (-> #GP / INVAL). */
    public MsrFileModel.Access x2apicRead(int msr) {
        if (!x2apicMode() && !mutations.contains(Mutation.X2APIC_MODE_IGNORED)) {
            return MsrFileModel.Access.failed(1);
        }
        if (msr == 0x800 || msr > 0x83f) {
            // kvm_lapic_reg_read(): "if (offset > 0x3f0 || !(kvm_lapic_readable_reg_mask(apic) & APIC_REG_MASK(offset)))
            // return 1;" -- offset (msr - 0x800) << 4; offset 0 holds no register (the mask starts at APIC_ID, 0x20).
            return MsrFileModel.Access.failed(1);
        }
        return switch (msr) {
            case 0x802 -> MsrFileModel.Access.ok(vcpuId);                                   // x2APIC ID = vcpu_id
            case 0x803 -> MsrFileModel.Access.ok(APIC_VERSION | (NR_LVT_ENTRIES - 1) << 16);   // kvm_apic_set_version()
            case 0x808 -> MsrFileModel.Access.ok(tpr);
            case 0x80b -> MsrFileModel.Access.failed(1);    // EOI is not in kvm_lapic_readable_reg_mask()
            case 0x80d -> MsrFileModel.Access.ok(((long) (vcpuId >> 4) << 16) | (1L << (vcpuId & 0xf)));   // x2APIC LDR
            // ICR, one 64-bit register in x2APIC mode (kvm_x2apic_icr_read(); 5.10: ICR | ICR2 << 32)
            case 0x830 -> MsrFileModel.Access.ok(icr);
            default -> throw new ModelLimitation(String.format("the model does not emulate reads of x2APIC register MSR 0x%x", msr));
        };
    }

    /** kvm_x2apic_msr_write(): 0, or 1 (-> #GP / INVAL). */
    public int x2apicWrite(int msr, long value) {
        if (!x2apicMode() && !mutations.contains(Mutation.X2APIC_MODE_IGNORED)) {
            return 1;
        }
        if (msr != 0x830 && value >>> 32 != 0) {
            if (profile.x2apicWriteHighBitsRefused()) {
                return 1;   // "Bits 63:32 are reserved in all other registers."
            }
            value &= 0xffff_ffffL;   // 5.10: kvm_lapic_reg_write(apic, reg, (u32)data)
        }
        switch (msr) {
            case 0x802, 0x803, 0x80d:
                return 1;   // ID, version and LDR are read-only in x2APIC mode (kvm_lapic_reg_write)
            case 0x808:
                tpr = (int) value & 0xff;
                return 0;
            case 0x80b:
                return 0;   // EOI with nothing in service: no state the cases can see
            case 0x830:
                return writeIcr(value);
            default:
                throw new ModelLimitation(String.format("the model does not emulate writes of x2APIC register MSR 0x%x", msr));
        }
    }

    /**
     * A WRMSR to ICR in x2APIC mode. 6.1.176 and 6.12.117 kvm_x2apic_icr_write(): "if (data &
     * X2APIC_ICR_RESERVED_BITS) return 1;", "data &= ~APIC_ICR_BUSY;", kvm_apic_send_ipi(), then the 64 bits
     * are kept. 5.10.223 kvm_x2apic_msr_write() writes ICR2 with "(u32)(data >> 32)" and then ICR, where
     * kvm_lapic_reg_write() clears bit 12 before sending: the same register value, reserved bits kept.
     * The model delivers no interrupt, so it takes only an IPI that reaches no vCPU: fixed delivery,
     * physical destination mode, no shorthand, to an x2APIC ID (= vcpu_id) that no vCPU of a case has.
     */
    private int writeIcr(long value) {
        if (profile.x2apicIcrReservedBitsRefused() && (value & X2APIC_ICR_RESERVED_BITS) != 0) {
            return 1;
        }
        long destination = value >>> 32;
        boolean fixedPhysicalNoShorthand = (value & 0x000c_0f00L) == 0;   // shorthand 19:18, dest mode 11, delivery 10:8
        if (!fixedPhysicalNoShorthand || destination < GuestLayout.MAX_VCPUS || destination == 0xffff_ffffL) {
            throw new ModelLimitation(String.format("the model delivers no interrupts: an x2APIC ICR write of 0x%x may reach"
                    + " a vCPU (it takes fixed IPIs to a physical destination no vCPU has, %d or above)", value, GuestLayout.MAX_VCPUS));
        }
        icr = value & ~APIC_ICR_BUSY;
        return 0;
    }
}
