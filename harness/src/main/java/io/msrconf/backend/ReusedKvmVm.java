package io.msrconf.backend;

import io.msrconf.abi.KvmCap;
import io.msrconf.abi.Msr;
import io.msrconf.filter.MsrFilter;
import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.MsrScriptTable;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmResult;
import io.msrconf.kvm.KvmVcpu;
import io.msrconf.kvm.KvmVm;
import io.msrconf.kvm.SpecialRegisters;
import io.msrconf.spec.Case;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.Step;
import io.msrconf.vcpu.GuestMemory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One VM, vCPU and guest memory for all cases, put back before each case to what a fresh VM shows, at a
 * fraction of the cost (KvmReuseEquivalenceTest holds it to the fresh VMs' observations for every spec
 * case). What a case can change, and how it is put back:
 * <ul>
 *   <li>the MSR filter: replaced by "default allow, no ranges" after a case that set one (when the next
 *       case starts by setting a filter, only if KVM refuses that one). KVM then keeps a filter object
 *       where a fresh VM has none, but api.rst defines that filter as "filtering disabled" and
 *       kvm_msr_allowed() allows every access under it, as without a filter;</li>
 *   <li>KVM_CAP_X86_USER_SPACE_MSR: enabled with the case's mask, or with 0 when the case wants no
 *       exits (KVM accepts 0: it is within KVM_MSR_EXIT_REASON_VALID_MASK, and 0 is the mask of a VM
 *       that never enabled the capability);</li>
 *   <li>the special registers (control registers, EFER, CR2, CR8, segments, APIC base) and the
 *       general registers: KVM_SET_SREGS with the fresh vCPU's values, and every run starts from the
 *       layout's start state anyway;</li>
 *   <li>IA32_APIC_BASE and the local APIC: back to xAPIC mode (a host-initiated write may leave x2APIC
 *       mode), then KVM_SET_LAPIC with the register page of the fresh vCPU (TPR, LDR, timer, ...),
 *       then x2APIC mode when the case asks for it, as on a fresh VM;</li>
 *   <li>MSRs: SYSENTER_CS/ESP/EIP, STAR/LSTAR/CSTAR/SFMASK, TSC_ADJUST and every MSR the case writes
 *       (WRMSR accesses, host-set-msrs) that KVM lists in KVM_GET_MSR_INDEX_LIST, to the fresh vCPU's
 *       values. IA32_TSC is not restored: it counts time on a fresh VM too;</li>
 *   <li>guest memory: the system tables and the payload are rewritten, the part of the script table
 *       and of the stack a run may have written is zeroed.</li>
 * </ul>
 * A case whose run did not end with the guest's report (timeout, crash) discards the VM: it may be left
 * mid-instruction (a pending MSR exit completion, a kicked run), and no reset can be trusted after that.
 */
final class ReusedKvmVm implements CaseVmSource {

    /** No mask KVM accepts: the exit mask in force is not known (a case changed it). */
    private static final int UNKNOWN_MASK = -1;

    private static final int[] ALWAYS_RESET = {Msr.MSR_IA32_TSC_ADJUST, Msr.MSR_IA32_SYSENTER_CS, Msr.MSR_IA32_SYSENTER_ESP,
        Msr.MSR_IA32_SYSENTER_EIP, Msr.MSR_STAR, Msr.MSR_LSTAR, Msr.MSR_CSTAR, Msr.MSR_SYSCALL_MASK};
    /** The payload's stack use is a few hundred bytes (calls and exception frames); scrub well beyond. */
    private static final long STACK_SCRUB = 0x2000;

    private final Kvm kvm;
    private final KvmCapabilities capabilities;
    private final KvmGuestImage image;
    /** Created on the first case, and again after a case that left it unusable. */
    private Vm current;
    /** For a case that needs a fresh VM ({@link Case#needsFreshVm}). */
    private final FreshKvmVms fresh;

    ReusedKvmVm(Kvm kvm, KvmCapabilities capabilities, KvmGuestImage image) {
        this.kvm = kvm;
        this.capabilities = capabilities;
        this.image = image;
        this.fresh = new FreshKvmVms(kvm, capabilities, image);
    }

    @Override
    public CaseVm open(Case c) {
        if (c.needsFreshVm()) {
            return fresh.open(c);
        }
        if (current == null) {
            current = Vm.create(kvm, capabilities, image);
        }
        current.prepare(c);
        return current;
    }

    @Override
    public void release(CaseVm vm, boolean atRest) {
        if (!(vm instanceof Vm v)) {
            fresh.release(vm, atRest);
            return;
        }
        v.caseDone();
        if (!atRest) {
            current = null;
            v.vm.close();
        }
    }

    @Override
    public void close() {
        if (current != null) {
            Vm v = current;
            current = null;
            v.vm.close();
        }
    }

    /** The reused VM, and what it takes to make it look fresh again. */
    private static final class Vm extends KvmCaseVm {

        private final SpecialRegisters freshSregs;
        private final byte[] freshLapic;
        private final long freshApicBase;
        /** The fresh vCPU's value of every MSR KVM lists (except TSC, EFER, APIC base, x2APIC). */
        private final Map<Integer, Long> freshMsrs;
        private final KvmGuestImage image;
        private final KvmVcpu vcpu;
        private int exitMask;
        private boolean usedFilter;
        private boolean filterChanged;
        private boolean filterResetDeferred;
        private int scriptBytesUsed;

        private Vm(KvmVm vm, KvmVcpu vcpu, GuestMemory memory, KvmGuestImage image, Map<Integer, Long> freshMsrs,
                   long freshApicBase) {
            super(vm, vcpu, memory, image);
            this.image = image;
            this.vcpu = vcpu;
            this.freshSregs = vcpu.getSregs();
            this.freshLapic = vcpu.getLapic();
            this.freshMsrs = freshMsrs;
            this.freshApicBase = freshApicBase;
        }

        static Vm create(Kvm kvm, KvmCapabilities capabilities, KvmGuestImage image) {
            KvmVm vm = kvm.createVm();
            try {
                vm.createIrqchip();
                GuestMemory memory = vm.mapMemory(GuestLayout.MEMORY_SIZE);
                KvmVcpu vcpu = vm.createVcpu(0);
                vcpu.setCpuid(capabilities.cpuid());
                long[] apicBase = new long[1];
                KvmResult got = vcpu.getMsrs(new int[] {Msr.MSR_IA32_APICBASE}, apicBase);
                if (got.value() != 1) {
                    throw new KvmException("KVM_GET_MSRS(IA32_APIC_BASE)", got.errno());
                }
                return new Vm(vm, vcpu, memory, image, snapshotMsrs(kvm, vcpu), apicBase[0]);
            } catch (RuntimeException | Error e) {
                vm.close();
                throw e;
            }
        }

        /** KVM_GET_MSRS stops at the first MSR it refuses: read on past each refusal. */
        private static Map<Integer, Long> snapshotMsrs(Kvm kvm, KvmVcpu vcpu) {
            int[] all = Arrays.stream(kvm.msrIndexList())
                    .filter(i -> i != Msr.MSR_IA32_TSC && i != Msr.MSR_EFER && i != Msr.MSR_IA32_APICBASE && !Msr.isX2apic(i))
                    .toArray();
            Map<Integer, Long> values = new HashMap<>();
            long[] got = new long[all.length];
            for (int from = 0; from < all.length; ) {
                int[] rest = Arrays.copyOfRange(all, from, all.length);
                int n = vcpu.getMsrs(rest, got).value();
                for (int i = 0; i < n; i++) {
                    values.put(rest[i], got[i]);
                }
                from += n + 1;   // skip the refused one
            }
            return values;
        }

        /** After the case's first filter: a refused filter left the previous case's in force, so reset now. */
        @Override
        public KvmResult setMsrFilter(MsrFilter filter) {
            KvmResult result = super.setMsrFilter(filter);
            usedFilter = true;
            if (filterResetDeferred) {
                filterResetDeferred = false;
                if (!result.ok()) {
                    resetFilter();
                }
            }
            return result;
        }

        private void resetFilter() {
            vm.setMsrFilter(MsrFilter.allowAll()).orThrow("KVM_X86_SET_MSR_FILTER(default allow, no ranges)");
        }

        void caseDone() {
            filterChanged |= usedFilter;
            usedFilter = false;
        }

        /** Puts back everything the previous case may have changed, then applies the case's vCPU setup. */
        void prepare(Case c) {
            if (filterChanged) {
                filterChanged = false;
                // Each KVM_X86_SET_MSR_FILTER waits for an SRCU grace period, and a second one right after
                // the first is the slow kind: when the case starts by setting its own filter, that filter
                // replaces the old one, and only if KVM refuses it (leaving the old one in force) is the
                // reset done, then. Either way the case sees what a fresh VM shows: its filter, or none.
                if (!c.steps().isEmpty() && c.steps().get(0) instanceof Step.SetFilter) {
                    filterResetDeferred = true;
                } else {
                    resetFilter();
                }
            }
            int mask = c.vcpu().userspaceExits().isEmpty() ? 0 : c.vcpu().exitReasonMask();
            if (mask != exitMask) {
                vm.enableCap(KvmCap.KVM_CAP_X86_USER_SPACE_MSR, mask).orThrow("KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, " + mask + ")");
                exitMask = mask;
            }
            if (c.steps().stream().anyMatch(s -> s instanceof Step.EnableExits)) {
                exitMask = UNKNOWN_MASK;   // the case changes it: the next case sets its own again
            }
            vcpu.setSregs(freshSregs);
            resetMsrs(c);
            vcpu.setLapic(freshLapic);
            if (c.vcpu().x2apic()) {
                setApicBase(vcpu, Msr.APIC_BASE_X2APIC_BSP, "x2APIC mode");
            }
            image.load(memory);
            if (scriptBytesUsed > 0) {
                memory.fill(GuestLayout.SCRIPT_TABLE, scriptBytesUsed, (byte) 0);
            }
            scriptBytesUsed = scriptTableBytes(c);   // vCPU 0's table: a case with more vCPUs is not reused
            memory.fill(GuestLayout.STACK_TOP - STACK_SCRUB, STACK_SCRUB, (byte) 0);
        }

        /** How much of the script table the case's runs write, to be zeroed before the next case. */
        private static int scriptTableBytes(Case c) {
            // A continue step appends to its guest's table: count from the guest's start.
            return c.steps().stream().filter(s -> s instanceof Step.RunGuest).map(s -> (Step.RunGuest) s)
                    .mapToInt(r -> MsrScriptTable.size((r.resume() == null ? 0 : r.resume().total()) + r.accesses().size()))
                    .max().orElse(0);
        }

        /** IA32_APIC_BASE first (xAPIC, as fresh), then the MSRs that are always reset and those the case writes. */
        private void resetMsrs(Case c) {
            Set<Integer> indexes = new LinkedHashSet<>();
            for (int i : ALWAYS_RESET) {
                indexes.add(i);
            }
            for (Step step : c.steps()) {
                if (step instanceof Step.RunGuest r) {
                    r.accesses().stream().filter(a -> a.op().writes()).forEach(a -> indexes.add(a.index()));
                } else if (step instanceof Step.HostSetMsrs h) {
                    h.msrs().forEach(m -> indexes.add(m.index()));
                }
            }
            indexes.retainAll(freshMsrs.keySet());
            int[] idx = new int[indexes.size() + 1];
            long[] values = new long[idx.length];
            idx[0] = Msr.MSR_IA32_APICBASE;
            values[0] = freshApicBase;
            int k = 1;
            for (int i : indexes) {
                idx[k] = i;
                values[k++] = freshMsrs.get(i);
            }
            KvmResult set = vcpu.setMsrs(idx, values);
            if (set.value() != idx.length) {
                throw new KvmException(String.format("KVM_SET_MSRS(reset to the fresh vCPU's values; refused MSR 0x%x)",
                        idx[Math.max(0, Math.min(set.value(), idx.length - 1))]), set.errno());
            }
        }
    }
}
