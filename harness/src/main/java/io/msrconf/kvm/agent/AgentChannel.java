package io.msrconf.kvm.agent;

import io.msrconf.kvm.KvmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The wire under the agent transport: requests and responses framed as guest-agent/PROTOCOL.md says,
 * over a byte channel to the agent (QEMU's socket for the guest's virtio-serial port). One request at a
 * time; each has a deadline, after which the channel is closed and the agent reported as not answering
 * (a hung or crashed guest must end the run, not hang it).
 */
final class AgentChannel implements AutoCloseable {

    /** What the agent writes once when it starts listening. */
    static final String BANNER_PREFIX = "MSRCONF-AGENT ";
    /** The longest answer the agent sends (a memory read of the whole guest, with room). */
    private static final int MAX_RESPONSE = 16 << 20;
    /** The longest request the agent reads, header fields after the length included (MAX_MESSAGE in msrconf-agent.c). */
    private static final int MAX_MESSAGE = 16 << 20;

    /** Thrown when the agent does not answer in time or the channel broke: the guest is gone or hung. */
    static final class AgentGone extends KvmException {
        private static final long serialVersionUID = 1L;

        AgentGone(String operation, String why) {
            super(operation, 0, operation + " failed: the msrconf agent in the guest " + why);
        }
    }

    private final ByteChannel channel;
    private final String where;
    private final ScheduledExecutorService watchdog;
    private final ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer response = ByteBuffer.allocate(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    private volatile boolean broken;

    AgentChannel(ByteChannel channel, String where) {
        this.channel = channel;
        this.where = where;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "msrconf-agent-watchdog " + where);
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits for the agent's banner; returns its version. */
    String awaitBanner(Duration timeout) {
        ScheduledFuture<?> alarm = arm(timeout);
        try {
            StringBuilder line = new StringBuilder();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (true) {
                one.clear();
                if (channel.read(one) < 0) {
                    throw new AgentGone("waiting for the agent to start", "closed the connection before it started");
                }
                if (one.position() == 0) {
                    continue;
                }
                char c = (char) (one.get(0) & 0xff);
                if (c == '\n') {
                    break;
                }
                line.append(c);
                if (line.length() > 200) {
                    throw new AgentGone("waiting for the agent to start", "sent something that is not its banner: " + line);
                }
            }
            if (!line.toString().startsWith(BANNER_PREFIX)) {
                throw new AgentGone("waiting for the agent to start", "sent something that is not its banner: " + line);
            }
            return line.substring(BANNER_PREFIX.length());
        } catch (IOException e) {
            throw gone("waiting for the agent to start", e, timeout);
        } finally {
            alarm.cancel(false);
        }
    }

    /**
     * Sends one request and returns the response: its result (a value, or -errno) and payload, valid until
     * the next call.
     */
    synchronized Response call(String operation, int op, int handle, ByteBuffer payload, Duration timeout) {
        if (broken) {
            throw new AgentGone(operation, "is no longer reachable (an earlier operation failed)");
        }
        if (8L + payload.remaining() > MAX_MESSAGE) {
            // the agent exits on a longer message, which would lose the guest: refuse it here instead
            throw new KvmException(operation, 0, operation + ": a request of " + payload.remaining()
                    + " bytes is longer than the agent accepts (" + MAX_MESSAGE + " bytes with its header)");
        }
        ScheduledFuture<?> alarm = arm(timeout);
        try {
            // one write: each write is a trip through the guest's emulated device
            int length = 8 + payload.remaining();
            ByteBuffer request = ByteBuffer.allocate(12 + payload.remaining()).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(length).putInt(op).putInt(handle).put(payload).flip();
            writeFully(request);
            header.clear().limit(8);
            readFully(header, operation);   // the agent sends header and payload with one write
            int responseLength = header.getInt(0);
            int result = header.getInt(4);
            if (responseLength < 4 || responseLength > MAX_RESPONSE) {
                throw new AgentGone(operation, "answered with a malformed length " + responseLength);
            }
            int bodyLength = responseLength - 4;
            if (response.capacity() < bodyLength) {
                response = ByteBuffer.allocate(Math.max(bodyLength, response.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
            }
            response.clear().limit(bodyLength);
            readFully(response, operation);
            response.flip();
            return new Response(result, response);
        } catch (IOException e) {
            broken = true;
            throw gone(operation, e, timeout);
        } catch (AgentGone e) {
            broken = true;
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    /** A response: the agent's result and the payload (little-endian, positioned at its start). */
    record Response(int result, ByteBuffer payload) {
        int orThrow(String operation) {
            if (result < 0) {
                throw new KvmException(operation, -result);
            }
            return result;
        }

        byte[] bytes() {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            return b;
        }

        String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }
    }

    boolean broken() {
        return broken;
    }

    private ScheduledFuture<?> arm(Duration timeout) {
        return watchdog.schedule(() -> {
            broken = true;
            try {
                channel.close();   // unblocks the read in progress
            } catch (IOException e) {
                // closing is all the watchdog can do
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private AgentGone gone(String operation, IOException e, Duration timeout) {
        return new AgentGone(operation, broken && !channel.isOpen() ? "did not answer within " + timeout.toSeconds()
                + " s and the connection to " + where + " was closed" : "connection failed: " + e.getMessage());
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private void readFully(ByteBuffer b, String operation) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new AgentGone(operation, "closed the connection (the guest shut down or crashed)");
            }
        }
    }

    @Override
    public void close() {
        broken = true;
        watchdog.shutdownNow();
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
