package io.msrconf.kvm.agent;

import io.msrconf.kvm.CpuidEntries;
import io.msrconf.kvm.KvmResult;
import io.msrconf.kvm.KvmRunDecoder;
import io.msrconf.kvm.KvmVcpu;
import io.msrconf.kvm.Registers;
import io.msrconf.kvm.SpecialRegisters;
import io.msrconf.kvm.uapi.KvmIoctls;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.abi.Errno;
import io.msrconf.vcpu.VcpuExit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A vCPU in the guest's KVM. A run is one request: the answer to the last MSR exit, if any, goes with it,
 * and the start of kvm_run and the I/O data come back, decoded by the same {@link KvmRunDecoder} the local
 * transport uses.
 */
final class AgentVcpu implements KvmVcpu {

    /** Beyond the run's own deadline, how long the agent may take to answer a KVM_RUN under TCG. */
    private static final Duration RUN_SLACK = Duration.ofSeconds(30);

    private final AgentKvm kvm;
    private final AgentVm vm;
    private final int fd;
    private final int id;
    private boolean completionPending;
    private int completionError;
    private long completionData;

    AgentVcpu(AgentKvm kvm, AgentVm vm, int fd, int id) {
        this.kvm = kvm;
        this.vm = vm;
        this.fd = fd;
        this.id = id;
    }

    @Override
    public int id() {
        return id;
    }

    /** A vCPU ioctl that fills a fixed-size struct (vcpu_get in the agent): its bytes, little-endian. */
    private ByteBuffer getStruct(String ioctl, int op) {
        AgentChannel.Response r = kvm.call(ioctl, op, fd(), AgentKvm.empty());
        r.orThrow(ioctl);
        return ByteBuffer.wrap(r.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A vCPU ioctl that takes a fixed-size struct (vcpu_set in the agent). */
    private void setStruct(String ioctl, int op, ByteBuffer struct) {
        kvm.call(ioctl, op, fd(), struct).orThrow(ioctl);
    }

    private int fd() {
        if (vm.closed()) {
            throw new IllegalStateException("vCPU " + id + " is closed");
        }
        return fd;
    }

    @Override
    public void setCpuid(CpuidEntries cpuid) {
        kvm.call("KVM_SET_CPUID2", Op.SET_CPUID, fd(), ByteBuffer.wrap(cpuid.encode())).orThrow("KVM_SET_CPUID2");
    }

    @Override
    public Registers getRegs() {
        return Registers.decode(getStruct("KVM_GET_REGS", Op.GET_REGS));
    }

    @Override
    public void setRegs(Registers regs) {
        ByteBuffer b = AgentKvm.payload(KvmLayouts.Regs.SIZE);
        regs.encode(b);
        setStruct("KVM_SET_REGS", Op.SET_REGS, b.position(KvmLayouts.Regs.SIZE).flip());
    }

    @Override
    public SpecialRegisters getSregs() {
        return SpecialRegisters.decode(getStruct("KVM_GET_SREGS", Op.GET_SREGS));
    }

    @Override
    public void setSregs(SpecialRegisters sregs) {
        ByteBuffer b = AgentKvm.payload(KvmLayouts.Sregs.SIZE);
        sregs.encode(b);
        setStruct("KVM_SET_SREGS", Op.SET_SREGS, b.position(KvmLayouts.Sregs.SIZE).flip());
    }

    @Override
    public KvmResult getMsrs(int[] indexes, long[] valuesOut) {
        if (valuesOut.length < indexes.length) {
            throw new IllegalArgumentException("room for " + valuesOut.length + " values, " + indexes.length + " MSRs asked");
        }
        ByteBuffer b = AgentKvm.payload(4 + 4 * indexes.length).putInt(indexes.length);
        for (int i : indexes) {
            b.putInt(i);
        }
        AgentChannel.Response r = kvm.call("KVM_GET_MSRS", Op.GET_MSRS, fd(), b.flip());
        for (int i = 0; i < Math.min(r.result(), indexes.length) && r.payload().remaining() >= 8; i++) {
            valuesOut[i] = r.payload().getLong();
        }
        return KvmResult.ofReturn(r.result());
    }

    @Override
    public KvmResult setMsrs(int[] indexes, long[] values) {
        if (values.length != indexes.length) {
            throw new IllegalArgumentException(indexes.length + " MSRs but " + values.length + " values");
        }
        ByteBuffer b = AgentKvm.payload(4 + 12 * indexes.length).putInt(indexes.length);
        for (int i = 0; i < indexes.length; i++) {
            b.putInt(indexes[i]).putLong(values[i]);
        }
        return KvmResult.ofReturn(kvm.call("KVM_SET_MSRS", Op.SET_MSRS, fd(), b.flip()).result());
    }

    @Override
    public byte[] getLapic() {
        return getStruct("KVM_GET_LAPIC", Op.GET_LAPIC).array();
    }

    @Override
    public void setLapic(byte[] state) {
        if (state.length != KvmIoctls.KVM_APIC_REG_SIZE) {
            throw new IllegalArgumentException("a kvm_lapic_state is " + KvmIoctls.KVM_APIC_REG_SIZE + " bytes, got " + state.length);
        }
        setStruct("KVM_SET_LAPIC", Op.SET_LAPIC, ByteBuffer.wrap(state));
    }

    @Override
    public void setMpState(int state) {
        kvm.call("KVM_SET_MP_STATE", Op.SET_MP_STATE, fd(), AgentKvm.payload(4).putInt(state).flip()).orThrow("KVM_SET_MP_STATE");
    }

    @Override
    public VcpuExit run(long deadlineNanos) {
        long timeout = Math.max(0, deadlineNanos - System.nanoTime());
        ByteBuffer b = AgentKvm.payload(24).putLong(timeout).putInt(completionPending ? 1 : 0).putInt(completionError)
                .putLong(completionData).flip();
        completionPending = false;
        AgentChannel.Response r = kvm.call("KVM_RUN", Op.RUN, fd(), b, Duration.ofNanos(timeout).plus(RUN_SLACK));
        if (r.result() == -Errno.EINTR) {
            return new VcpuExit.Interrupted();
        }
        if (r.result() < 0) {
            return new VcpuExit.RunFailed(-r.result());
        }
        ByteBuffer run = r.payload().slice().order(ByteOrder.LITTLE_ENDIAN);
        int headerBytes = Math.min(KvmRunDecoder.HEADER_BYTES, run.remaining() - 8);
        ByteBuffer header = run.slice(0, headerBytes).order(ByteOrder.LITTLE_ENDIAN);
        long io = run.getLong(headerBytes);
        return KvmRunDecoder.decode(header, (offset, length) -> length >= 8 ? io : io & ((1L << (8 * length)) - 1));
    }

    @Override
    public void completeMsrExit(int error, long data) {
        completionPending = true;
        completionError = error;
        completionData = data;
    }
}
