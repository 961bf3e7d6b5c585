package io.msrconf.emu.model;

import io.msrconf.abi.Msr;
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

    private final int vcpuId;
    private final Set<Mutation> mutations;
    private final ModelProfile profile;
    private long apicBase;
    private int tpr;

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
            // ICR, one 64-bit register in x2APIC mode (kvm_x2apic_icr_read(); 5.10: ICR | ICR2 << 32), is 0 until a
            // write sends an IPI, which the model does not do (writes of 0x830 are outside it)
            case 0x830 -> MsrFileModel.Access.ok(0);
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
            default:
                throw new ModelLimitation(String.format("the model does not emulate writes of x2APIC register MSR 0x%x", msr));
        }
    }
}
