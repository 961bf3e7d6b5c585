package io.msrconf.kvm;

import java.util.List;
import java.util.Optional;

/**
 * A KVM the harness drives: this machine's {@code /dev/kvm} ({@code kvm.local}), or the one inside a
 * kernel booted under QEMU, reached through the msrconf agent in that guest ({@code kvm.agent}). The
 * code that turns a case into KVM operations is written against this interface (with {@link KvmVm}
 * and {@link KvmVcpu}) only, so it is the same code for every target; what differs is the transport.
 *
 * <p>One error model for the whole API: an operation whose failure means the harness cannot go on
 * throws {@link KvmException}; an operation whose errno is what a case checks (the filter ioctl,
 * KVM_ENABLE_CAP, KVM_GET_MSRS/KVM_SET_MSRS) returns a {@link KvmResult}. Pointers inside structs and
 * mapped regions never cross this interface: a filter's bitmaps travel as bytes with a placement
 * ({@link io.msrconf.filter.BitmapMemory}), guest memory as reads and writes, {@code kvm_run} as a
 * {@link io.msrconf.vcpu.VcpuExit}; each transport gives them their meaning on its side.
 */
public interface Kvm extends AutoCloseable {

    /** Where this KVM is, for messages: "/dev/kvm of this machine", "/dev/kvm in the debian:6.12 guest". */
    String where();

    int apiVersion();

    /** KVM_CHECK_EXTENSION on the system fd: 0 when unsupported, else a capability-specific value. */
    int checkExtension(int cap);

    CpuidEntries supportedCpuid();

    /** The MSRs KVM saves and restores for a vCPU (KVM_GET_MSR_INDEX_LIST). */
    int[] msrIndexList();

    KvmVm createVm();

    /**
     * A small text file of the machine this KVM runs on ({@code /proc/version}, {@code /proc/cpuinfo},
     * {@code /sys/module/kvm/parameters/...}): how a target describes itself. Empty when it does not
     * exist or cannot be read.
     */
    Optional<String> readFile(String path);

    /** The names in a directory of that machine (e.g. {@code /sys/module}); empty when there is none. */
    List<String> listDirectory(String path);

    /**
     * Whether this KVM runs in a kernel msrconf booted for the run and throws away after it: only there may a
     * case change a module parameter ({@link #writeModuleParameter}); never on this machine's KVM.
     */
    default boolean throwaway() {
        return false;
    }

    /**
     * Writes {@code /sys/module/MODULE/parameters/NAME} of a {@link #throwaway} kernel: the bytes written, or
     * -errno. A KVM that is not throwaway refuses without touching anything.
     */
    default int writeModuleParameter(String module, String name, String value) {
        throw new UnsupportedOperationException("msrconf changes module parameters only in a kernel it booted, not on " + where());
    }

    /**
     * Whether this KVM still answers: always for this machine's; false once the agent of a guest stopped
     * answering (the guest crashed or hung), after which every operation fails.
     */
    default boolean reachable() {
        return true;
    }

    /** Releases the transport; VMs still open are closed with it. */
    @Override
    void close();
}
