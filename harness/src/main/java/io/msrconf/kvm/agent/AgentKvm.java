package io.msrconf.kvm.agent;

import io.msrconf.kvm.CpuidEntries;
import io.msrconf.kvm.Kvm;
import io.msrconf.kvm.KvmException;
import io.msrconf.kvm.KvmVm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The KVM of a guest kernel, driven through the msrconf agent running in it (guest-agent/): every
 * operation of {@link Kvm} is one request over the channel, executed by the agent with the same ioctl the
 * local transport makes. The guest owns the fds, its guest-memory and kvm_run mappings and the filter
 * bitmaps; nothing of the host's address space is ever passed to it.
 */
public final class AgentKvm implements Kvm {

    /** How long an ordinary operation may take under TCG before the guest is taken for hung. */
    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(60);
    /** The agent protocol version this side speaks. */
    static final int PROTOCOL = 1;

    private final AgentChannel channel;
    private final String where;
    private final int fd;
    private final String agentVersion;

    private AgentKvm(AgentChannel channel, String where, int fd, String agentVersion) {
        this.channel = channel;
        this.where = where;
        this.fd = fd;
        this.agentVersion = agentVersion;
    }

    /**
     * Connects to the agent on {@code channel}: waits (at most {@code bootTimeout}) for its banner, checks
     * its protocol and opens its /dev/kvm. The channel is closed by {@link #close()}.
     */
    public static AgentKvm connect(ByteChannel channel, String where, Duration bootTimeout) {
        AgentChannel ch = new AgentChannel(channel, where);
        try {
            String banner = ch.awaitBanner(bootTimeout);
            AgentChannel.Response hello = ch.call("HELLO", Op.HELLO, 0, empty(), OPERATION_TIMEOUT);
            if (hello.result() != PROTOCOL) {
                throw new KvmException("HELLO: the agent speaks protocol " + hello.result() + ", this harness " + PROTOCOL, 0);
            }
            int fd = ch.call("open /dev/kvm", Op.KVM_OPEN, 0, empty(), OPERATION_TIMEOUT).orThrow("open /dev/kvm in " + where);
            return new AgentKvm(ch, where, fd, banner);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public boolean reachable() {
        return !channel.broken();
    }

    public String agentVersion() {
        return agentVersion;
    }

    AgentChannel.Response call(String operation, int op, int handle, ByteBuffer payload) {
        return channel.call(operation, op, handle, payload, OPERATION_TIMEOUT);
    }

    AgentChannel.Response call(String operation, int op, int handle, ByteBuffer payload, Duration timeout) {
        return channel.call(operation, op, handle, payload, timeout);
    }

    static ByteBuffer empty() {
        return ByteBuffer.allocate(0);
    }

    static ByteBuffer payload(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String where() {
        return "/dev/kvm in " + where;
    }

    @Override
    public int apiVersion() {
        return call("KVM_GET_API_VERSION", Op.GET_API_VERSION, fd, empty()).orThrow("KVM_GET_API_VERSION");
    }

    @Override
    public int checkExtension(int cap) {
        return call("KVM_CHECK_EXTENSION", Op.CHECK_EXTENSION, fd, payload(4).putInt(cap).flip()).orThrow("KVM_CHECK_EXTENSION");
    }

    @Override
    public CpuidEntries supportedCpuid() {
        AgentChannel.Response r = call("KVM_GET_SUPPORTED_CPUID", Op.GET_SUPPORTED_CPUID, fd, payload(4).putInt(256).flip());
        r.orThrow("KVM_GET_SUPPORTED_CPUID");
        return CpuidEntries.decode(ByteBuffer.wrap(r.bytes()).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public int[] msrIndexList() {
        AgentChannel.Response r = call("KVM_GET_MSR_INDEX_LIST", Op.GET_MSR_INDEX_LIST, fd, empty());
        r.orThrow("KVM_GET_MSR_INDEX_LIST");
        ByteBuffer b = r.payload();
        int n = b.getInt();
        int[] out = new int[Math.min(n, b.remaining() / 4)];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt();
        }
        return out;
    }

    @Override
    public KvmVm createVm() {
        int vm = call("KVM_CREATE_VM", Op.CREATE_VM, fd, empty()).orThrow("KVM_CREATE_VM");
        return new AgentVm(this, vm);
    }

    @Override
    public Optional<String> readFile(String path) {
        AgentChannel.Response r = call("read " + path, Op.READ_FILE, 0, ByteBuffer.wrap(path.getBytes(StandardCharsets.UTF_8)));
        return r.result() < 0 ? Optional.empty() : Optional.of(r.text());
    }

    /** How a program the guest carries ended: its exit status (128 + signal), or killed at the timeout; and its output. */
    public record ProgramRun(int status, boolean timedOut, String output) {
    }

    /**
     * Runs /programs/{@code name} of the guest's initramfs ({@link io.msrconf.target.GuestKernel#programs}) with no
     * arguments, killing it at {@code timeout}.
     */
    public ProgramRun runProgram(String name, Duration timeout) {
        byte[] path = ("/programs/" + name).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = payload(4 + path.length).putInt((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())).put(path);
        AgentChannel.Response r = call("run /programs/" + name, Op.RUN_PROGRAM, 0, b.flip(), timeout.plusSeconds(30));
        if (r.result() == Op.PROGRAM_TIMED_OUT) {
            return new ProgramRun(-1, true, r.text());
        }
        if (r.result() < 0) {
            throw new KvmException("run /programs/" + name, -r.result());
        }
        return new ProgramRun(r.result(), false, r.text());
    }

    @Override
    public List<String> listDirectory(String path) {
        AgentChannel.Response r = call("list " + path, Op.LIST_DIR, 0, ByteBuffer.wrap(path.getBytes(StandardCharsets.UTF_8)));
        return r.result() < 0 ? List.of() : Arrays.stream(r.text().split("\n")).filter(s -> !s.isEmpty()).sorted().toList();
    }

    /**
     * Writes a kvm module parameter of the guest kernel ({@code /sys/module/MODULE/parameters/NAME}; the agent
     * refuses any other path). Only a throwaway guest's KVM is ever changed this way.
     */
    @Override
    public boolean throwaway() {
        return true;
    }

    @Override
    public int writeModuleParameter(String module, String name, String value) {
        String path = "/sys/module/" + module + "/parameters/" + name;
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = payload(4 + p.length + v.length).putInt(p.length).put(p).put(v).flip();
        return call("write " + path, Op.WRITE_FILE, 0, b).result();
    }

    /** Asks the guest to power off; the agent does not answer. */
    public void powerOff() {
        try {
            call("power off", Op.POWEROFF, 0, empty(), Duration.ofSeconds(2));
        } catch (KvmException expected) {
            // the guest went away, as asked
        }
    }

    @Override
    public void close() {
        channel.close();
    }
}
