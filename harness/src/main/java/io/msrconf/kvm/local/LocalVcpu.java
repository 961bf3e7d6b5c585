package io.msrconf.kvm.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.msrconf.abi.Errno;
import io.msrconf.kvm.uapi.KvmIoctls;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.kvm.CpuidEntries;
import io.msrconf.kvm.KvmResult;
import io.msrconf.kvm.KvmRunDecoder;
import io.msrconf.kvm.KvmVcpu;
import io.msrconf.kvm.Registers;
import io.msrconf.kvm.SpecialRegisters;
import io.msrconf.vcpu.VcpuExit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A vCPU fd of this machine's KVM and its mmap'd {@code kvm_run}. Used by one thread at a time; the
 * only call meant for other threads is {@link VcpuKicker#kick}, which interrupts a run in progress.
 */
public final class LocalVcpu implements KvmVcpu, AutoCloseable {

    /** Matches whatever run is in progress (the run sequence numbers start at 1). */
    static final long ANY_RUN = 0;

    private final int id;
    private final int fd;
    private final Pointer runMapping;
    private final long runMappingSize;
    private final KvmRun runState;
    /** The start of kvm_run as a buffer over the mapping itself: the exit is decoded without a copy. */
    private final ByteBuffer runHeader;
    private final Memory regsBuffer = new Memory(KvmLayouts.Regs.SIZE);
    private final ByteBuffer regsView = regsBuffer.getByteBuffer(0, KvmLayouts.Regs.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final Memory sregsBuffer = new Memory(KvmLayouts.Sregs.SIZE);
    private final ByteBuffer sregsView = sregsBuffer.getByteBuffer(0, KvmLayouts.Sregs.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final Memory lapicBuffer = new Memory(KvmIoctls.KVM_APIC_REG_SIZE);
    /** The kvm_msrs of the last KVM_GET_MSRS/KVM_SET_MSRS, kept and reused while big enough (no allocation per call). */
    private Memory msrsBuffer;
    private volatile boolean closed;

    // what a kick needs to know about the run in progress; guarded by runLock
    private final Object runLock = new Object();
    private boolean inRun;
    private long runThread;
    private long runSequence;
    private boolean kicked;

    // the run with a deadline in progress, for the watchdog thread: sequence (ANY_RUN: none), then its deadline
    private volatile long armedRun = ANY_RUN;
    private volatile long armedDeadline;

    private LocalVcpu(int id, int fd, Pointer runMapping, long runMappingSize) {
        this.id = id;
        this.fd = fd;
        this.runMapping = runMapping;
        this.runMappingSize = runMappingSize;
        this.runState = new KvmRun(this, runMapping, runMappingSize);
        this.runHeader = runMapping.getByteBuffer(0, Math.min(runMappingSize, KvmRunDecoder.HEADER_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static LocalVcpu create(int vmFd, int id, int runMappingSize) {
        int fd = Sys.ioctl("KVM_CREATE_VCPU", vmFd, KvmIoctls.KVM_CREATE_VCPU, id);
        Pointer run = null;
        try {
            run = Sys.mmap("kvm_run", runMappingSize, LibC.MAP_SHARED, fd);
            return new LocalVcpu(id, fd, run, runMappingSize);
        } catch (RuntimeException | Error e) {
            if (run != null) {
                Sys.munmap(run, runMappingSize);
            }
            Sys.close(fd);
            throw e;
        }
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public void setCpuid(CpuidEntries cpuid) {
        byte[] struct = cpuid.encode();
        try (Memory m = new Memory(Math.max(1, struct.length))) {
            m.write(0, struct, 0, struct.length);
            Sys.ioctl("KVM_SET_CPUID2", fd(), KvmIoctls.KVM_SET_CPUID2, m);
        }
    }

    @Override
    public Registers getRegs() {
        Sys.ioctl("KVM_GET_REGS", fd(), KvmIoctls.KVM_GET_REGS, regsBuffer);
        return Registers.decode(regsView);
    }

    @Override
    public void setRegs(Registers regs) {
        regs.encode(regsView);
        Sys.ioctl("KVM_SET_REGS", fd(), KvmIoctls.KVM_SET_REGS, regsBuffer);
    }

    @Override
    public SpecialRegisters getSregs() {
        Sys.ioctl("KVM_GET_SREGS", fd(), KvmIoctls.KVM_GET_SREGS, sregsBuffer);
        return SpecialRegisters.decode(sregsView);
    }

    @Override
    public void setSregs(SpecialRegisters sregs) {
        sregsBuffer.clear();
        sregs.encode(sregsView);
        Sys.ioctl("KVM_SET_SREGS", fd(), KvmIoctls.KVM_SET_SREGS, sregsBuffer);
    }

    @Override
    public void setMpState(int state) {
        Sys.ioctl("KVM_SET_MP_STATE", fd(), KvmIoctls.KVM_SET_MP_STATE, mpStateBuffer(state));
    }

    private Memory mpStateBuffer(int state) {
        Memory m = new Memory(4);
        m.setInt(0, state);
        return m;
    }

    @Override
    public KvmResult getMsrs(int[] indexes, long[] valuesOut) {
        if (valuesOut.length < indexes.length) {
            throw new IllegalArgumentException("room for " + valuesOut.length + " values, " + indexes.length + " MSRs asked");
        }
        Memory msrs = msrs(indexes, null);
        int rc = Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_GET_MSRS, msrs);
        for (int i = 0; i < Math.min(rc, indexes.length); i++) {
            valuesOut[i] = msrs.getLong(entry(i) + KvmLayouts.MsrEntry.DATA);
        }
        return KvmResult.ofReturn(rc);
    }

    @Override
    public KvmResult setMsrs(int[] indexes, long[] values) {
        if (values.length != indexes.length) {
            throw new IllegalArgumentException(indexes.length + " MSRs but " + values.length + " values");
        }
        return KvmResult.ofReturn(Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_SET_MSRS, msrs(indexes, values)));
    }

    @Override
    public byte[] getLapic() {
        Sys.ioctl("KVM_GET_LAPIC", fd(), KvmIoctls.KVM_GET_LAPIC, lapicBuffer);
        return lapicBuffer.getByteArray(0, KvmIoctls.KVM_APIC_REG_SIZE);
    }

    @Override
    public void setLapic(byte[] state) {
        if (state.length != KvmIoctls.KVM_APIC_REG_SIZE) {
            throw new IllegalArgumentException("a kvm_lapic_state is " + KvmIoctls.KVM_APIC_REG_SIZE + " bytes, got " + state.length);
        }
        lapicBuffer.write(0, state, 0, state.length);
        Sys.ioctl("KVM_SET_LAPIC", fd(), KvmIoctls.KVM_SET_LAPIC, lapicBuffer);
    }

    /** The shared kvm_run page: why the last run exited, and the answers for the next one. */
    public KvmRun runState() {
        return runState;
    }

    @Override
    public void completeMsrExit(int error, long data) {
        runState.setMsrError(error);
        runState.setMsrData(data);
    }

    /**
     * Decodes why the last KVM_RUN returned: {@code rc} is its 0 or errno. Reads the mapping through a
     * buffer over it, so a run loop allocates no more than the exit record.
     */
    private VcpuExit exit(int rc) {
        if (rc == Errno.EINTR) {
            return new VcpuExit.Interrupted();
        }
        if (rc != 0) {
            return new VcpuExit.RunFailed(rc);
        }
        checkOpen();
        return KvmRunDecoder.decode(runHeader, runState::ioData);
    }

    /**
     * One KVM_RUN without a deadline: the raw form for tests. Returns 0 when the guest exited (see
     * {@link #runState()}), or the errno: EINTR when a signal or a {@link VcpuKicker#kick} interrupted it.
     */
    public int run() {
        enterRun();
        try {
            return runIoctl();
        } finally {
            leaveRun();
        }
    }

    @Override
    public VcpuExit run(long deadlineNanos) {
        return exit(runUntil(deadlineNanos));
    }

    /** {@link #run(long)} returning KVM_RUN's 0 or errno, for tests of the deadline mechanism. */
    public int runUntil(long deadlineNanos) {
        long sequence = enterRun();
        boolean armed = false;
        try {
            long delay = deadlineNanos - System.nanoTime();
            if (delay <= 0) {
                synchronized (runLock) {
                    requestImmediateExit();
                }
            } else {
                armedDeadline = deadlineNanos;
                armedRun = sequence;
                armed = true;
                VcpuKicker.watch(this, deadlineNanos);
            }
            return runIoctl();
        } finally {
            if (armed) {
                armedRun = ANY_RUN;
            }
            leaveRun();
        }
    }

    /** The sequence number of the run with a deadline in progress, or {@link #ANY_RUN} when there is none. */
    long armedRun() {
        return armedRun;
    }

    long armedDeadline() {
        return armedDeadline;
    }

    /**
     * Interrupts run number {@code run} (or any, with {@link #ANY_RUN}) if it is in progress:
     * immediate_exit covers a signal that lands before the thread enters KVM_RUN, the signal one
     * that is already in the guest. Holding runLock while signalling guarantees the target thread
     * has not left the run yet.
     */
    boolean kick(long run) {
        synchronized (runLock) {
            if (!inRun || closed || run != ANY_RUN && run != runSequence) {
                return false;
            }
            requestImmediateExit();
            VcpuKicker.signal(runThread);
            return true;
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("vCPU " + id + " is closed");
        }
    }

    /** Unmaps kvm_run and closes the fd; the VM closes its vCPUs too, so a second close is a no-op. */
    @Override
    public void close() {
        synchronized (runLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        VcpuKicker.unwatch(this);
        try {
            Sys.munmap(runMapping, runMappingSize);
        } finally {
            regsBuffer.close();
            sregsBuffer.close();
            lapicBuffer.close();
            if (msrsBuffer != null) {
                msrsBuffer.close();
            }
            Sys.close(fd);
        }
    }

    private long enterRun() {
        long self = LibC.pthread_self();
        synchronized (runLock) {
            checkOpen();
            runThread = self;
            inRun = true;
            return ++runSequence;
        }
    }

    private int runIoctl() {
        try {
            LibC.ioctl(fd, KvmIoctls.KVM_RUN, 0L);
            return 0;
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
    }

    /** A kick is spent by the run it hit, also when that run exited for another reason first. */
    private void leaveRun() {
        synchronized (runLock) {
            inRun = false;
            if (kicked) {
                kicked = false;
                runState.setImmediateExit(false);
            }
        }
    }

    private void requestImmediateExit() {
        runState.setImmediateExit(true);
        kicked = true;
    }

    private int fd() {
        checkOpen();
        return fd;
    }

    private static long entry(int i) {
        return KvmLayouts.Msrs.ENTRIES + (long) i * KvmLayouts.MsrEntry.SIZE;
    }

    /** The kvm_msrs buffer, zeroed, with the indexes, and the values when given; the vCPU's one user thread owns it. */
    private Memory msrs(int[] indexes, long[] values) {
        long size = entry(indexes.length);
        Memory msrs = msrsBuffer;
        if (msrs == null || msrs.size() < size) {
            if (msrs != null) {
                msrs.close();
            }
            msrs = new Memory(Math.max(size, entry(16)));
            msrsBuffer = msrs;
        }
        msrs.clear(size);
        msrs.setInt(KvmLayouts.Msrs.NMSRS, indexes.length);
        for (int i = 0; i < indexes.length; i++) {
            msrs.setInt(entry(i) + KvmLayouts.MsrEntry.INDEX, indexes[i]);
            if (values != null) {
                msrs.setLong(entry(i) + KvmLayouts.MsrEntry.DATA, values[i]);
            }
        }
        return msrs;
    }
}
