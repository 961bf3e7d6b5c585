package io.msrconf.kvm.agent;

import io.msrconf.vcpu.GuestMemory;
import java.nio.ByteBuffer;

/** The guest memory of a VM in the guest's KVM: the agent reads and writes its mapping. */
final class AgentMemory implements GuestMemory {

    private final AgentKvm kvm;
    private final AgentVm vm;
    private final long size;

    AgentMemory(AgentKvm kvm, AgentVm vm, long size) {
        this.kvm = kvm;
        this.vm = vm;
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public byte[] read(long gpa, int length) {
        check(gpa, length);
        AgentChannel.Response r = kvm.call("read guest memory", Op.MEM_READ, vm.fd(), AgentKvm.payload(12).putLong(gpa).putInt(length).flip());
        r.orThrow("read guest memory");
        return r.bytes();
    }

    @Override
    public void write(long gpa, byte[] bytes) {
        check(gpa, bytes.length);
        ByteBuffer b = AgentKvm.payload(8 + bytes.length).putLong(gpa).put(bytes).flip();
        kvm.call("write guest memory", Op.MEM_WRITE, vm.fd(), b).orThrow("write guest memory");
    }

    @Override
    public void fill(long gpa, long length, byte value) {
        check(gpa, length);
        kvm.call("fill guest memory", Op.MEM_FILL, vm.fd(), AgentKvm.payload(20).putLong(gpa).putLong(length).putInt(value & 0xff).flip())
                .orThrow("fill guest memory");
    }

    private void check(long gpa, long length) {
        if (vm.closed()) {
            throw new IllegalStateException("guest memory is unmapped (its VM was closed)");
        }
        GuestMemory.checkRange(size, gpa, length);
    }
}
