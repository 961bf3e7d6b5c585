package io.msrconf.kvm.local;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.msrconf.abi.Errno;
import io.msrconf.kvm.uapi.KvmIoctls;
import io.msrconf.kvm.uapi.KvmLayouts;
import io.msrconf.kvm.CpuidEntries;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.KvmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** This machine's {@code /dev/kvm}, driven through JNA in this process: the local transport of {@link Kvm}. */
public final class LocalKvm implements Kvm {

    public static final String DEVICE = "/dev/kvm";

    /** KVM caps the table at 256 entries (KVM_MAX_CPUID_ENTRIES); start there and grow on E2BIG. */
    private static final int CPUID_ENTRIES_FIRST_TRY = 256;
    private static final int CPUID_ENTRIES_LIMIT = 4096;

    private final int fd;
    private boolean closed;

    private LocalKvm(int fd) {
        this.fd = fd;
    }

    /** Opens {@link #DEVICE} and checks that it speaks API version 12. */
    public static LocalKvm open() {
        int fd;
        try {
            fd = LibC.open(DEVICE, LibC.O_RDWR | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new KvmException("open " + DEVICE, e.getErrorCode());
        }
        LocalKvm kvm = new LocalKvm(fd);
        try {
            int version = kvm.apiVersion();
            if (version != KvmIoctls.KVM_API_VERSION) {
                throw new IllegalStateException("KVM API version is " + version + ", this harness speaks "
                        + KvmIoctls.KVM_API_VERSION);
            }
            return kvm;
        } catch (RuntimeException e) {
            kvm.close();
            throw e;
        }
    }

    /**
     * Why KVM cannot be used here, phrased to complete "skipped: ...", or empty when it can (the
     * property msrconf.kvm=off or the environment MSRCONF_KVM=off make it unusable on purpose). Never
     * throws: a machine without KVM (or without a loadable libc binding) is a reason, not an error.
     */
    public static Optional<String> unavailableReason() {
        // A switch to run the suite as on a machine without KVM, without leaving this one.
        String switchValue = System.getProperty("msrconf.kvm", System.getenv().getOrDefault("MSRCONF_KVM", "on"));
        if (switchValue.equalsIgnoreCase("off")) {
            return Optional.of("KVM switched off with msrconf.kvm=off / MSRCONF_KVM=off");
        }
        if (!Files.exists(Path.of(DEVICE))) {
            return Optional.of(DEVICE + " does not exist (no KVM module loaded, or not passed into this container)");
        }
        try {
            open().close();
            return Optional.empty();
        } catch (KvmException e) {
            String hint = e.errno() == Errno.EACCES || e.errno() == Errno.EPERM
                    ? " (user " + System.getProperty("user.name") + " needs read/write access, usually the kvm group)"
                    : "";
            return Optional.of(DEVICE + " cannot be used: " + e.getMessage() + hint);
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        } catch (LinkageError e) {
            return Optional.of("libc cannot be bound through JNA: " + e);
        }
    }

    @Override
    public String where() {
        return DEVICE + " of this machine";
    }

    @Override
    public int apiVersion() {
        return Sys.ioctl("KVM_GET_API_VERSION", fd(), KvmIoctls.KVM_GET_API_VERSION, 0L);
    }

    @Override
    public int checkExtension(int cap) {
        return Sys.ioctl("KVM_CHECK_EXTENSION", fd(), KvmIoctls.KVM_CHECK_EXTENSION, cap);
    }

    /** The size of each vCPU's shared {@code kvm_run} mapping. */
    int vcpuMmapSize() {
        return Sys.ioctl("KVM_GET_VCPU_MMAP_SIZE", fd(), KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0L);
    }

    @Override
    public CpuidEntries supportedCpuid() {
        for (int capacity = CPUID_ENTRIES_FIRST_TRY; ; capacity *= 2) {
            try (Memory cpuid = new Memory(KvmLayouts.Cpuid2.SIZE + (long) capacity * KvmLayouts.CpuidEntry2.SIZE)) {
                cpuid.clear();
                cpuid.setInt(KvmLayouts.Cpuid2.NENT, capacity);
                int rc = Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_GET_SUPPORTED_CPUID, cpuid);
                if (rc >= 0) {
                    return CpuidEntries.decode(cpuid.getByteBuffer(0, cpuid.size()).order(ByteOrder.LITTLE_ENDIAN));
                }
                if (rc != -Errno.E2BIG || capacity >= CPUID_ENTRIES_LIMIT) {
                    throw new KvmException("KVM_GET_SUPPORTED_CPUID", -rc);
                }
            }
        }
    }

    @Override
    public int[] msrIndexList() {
        try (Memory probe = new Memory(KvmLayouts.MsrList.SIZE)) {
            // nmsrs 0 always fails with E2BIG and reports the count needed
            probe.setInt(KvmLayouts.MsrList.NMSRS, 0);
            int rc = Sys.ioctlOrErrno(fd(), KvmIoctls.KVM_GET_MSR_INDEX_LIST, probe);
            if (rc < 0 && rc != -Errno.E2BIG) {
                throw new KvmException("KVM_GET_MSR_INDEX_LIST", -rc);
            }
            int count = probe.getInt(KvmLayouts.MsrList.NMSRS);
            try (Memory list = new Memory(KvmLayouts.MsrList.INDICES + 4L * Math.max(count, 1))) {
                list.setInt(KvmLayouts.MsrList.NMSRS, count);
                Sys.ioctl("KVM_GET_MSR_INDEX_LIST", fd(), KvmIoctls.KVM_GET_MSR_INDEX_LIST, list);
                return list.getIntArray(KvmLayouts.MsrList.INDICES, list.getInt(KvmLayouts.MsrList.NMSRS));
            }
        }
    }

    @Override
    public LocalVm createVm() {
        int mmapSize = vcpuMmapSize();
        int vmFd = Sys.ioctl("KVM_CREATE_VM", fd(), KvmIoctls.KVM_CREATE_VM, 0L);
        return new LocalVm(vmFd, mmapSize);
    }

    @Override
    public Optional<String> readFile(String path) {
        try {
            return Optional.of(Files.readString(Path.of(path)));
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> listDirectory(String path) {
        try (Stream<Path> names = Files.list(Path.of(path))) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return List.of();
        }
    }

    private int fd() {
        if (closed) {
            throw new IllegalStateException(DEVICE + " is closed");
        }
        return fd;
    }

    /** Closes the system fd; VMs created from it stay usable (the kernel holds its own references). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Sys.close(fd);
        }
    }
}
