package io.msrconf.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * An assembled guest payload from the guest-payloads module: its flat image (loaded at
 * {@link GuestLayout#PAYLOAD_BASE}), the header that tells where to enter and where the exception
 * stubs are, its symbols (to name guest addresses in messages) and its objdump listing.
 */
public final class Payload {

    public static final String MSR_SCRIPT = "msr_script";
    private static final byte[] MAGIC = "MSRCONF1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_SIZE = 24;

    private final String name;
    private final byte[] image;
    private final long entryAddress;
    private final long stubsAddress;
    private final int stubCount;
    private final int stubStride;
    private final NavigableMap<Long, String> codeSymbols;
    private final Map<String, Long> symbols;
    private final String listing;

    private Payload(String name, byte[] image, String symbolTable, String listing) {
        this.name = name;
        this.image = image.clone();
        this.listing = listing;
        if (image.length < HEADER_SIZE || image.length > GuestLayout.PAYLOAD_MAX_SIZE) {
            throw new IllegalArgumentException("payload " + name + ": image is " + image.length
                    + " bytes; it must hold the " + HEADER_SIZE + "-byte header and fit in " + GuestLayout.PAYLOAD_MAX_SIZE);
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (image[i] != MAGIC[i]) {
                throw new IllegalArgumentException("payload " + name + ": no MSRCONF1 header at offset 0");
            }
        }
        ByteBuffer h = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        long entry = Integer.toUnsignedLong(h.getInt(8));
        long stubs = Integer.toUnsignedLong(h.getInt(12));
        long count = Integer.toUnsignedLong(h.getInt(16));
        long stride = Integer.toUnsignedLong(h.getInt(20));
        if (entry >= image.length || count > 32 || stride == 0 || stubs + count * stride > image.length) {
            throw new IllegalArgumentException(String.format("payload %s: header out of bounds (entry 0x%x, stubs 0x%x,"
                    + " %d stubs of %d bytes, image %d bytes)", name, entry, stubs, count, stride, image.length));
        }
        this.entryAddress = GuestLayout.PAYLOAD_BASE + entry;
        this.stubsAddress = GuestLayout.PAYLOAD_BASE + stubs;
        this.stubCount = (int) count;
        this.stubStride = (int) stride;

        this.codeSymbols = new TreeMap<>();
        Map<String, Long> all = new java.util.HashMap<>();
        for (String line : symbolTable.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                long value = Long.parseUnsignedLong(f[0], 16);
                all.put(f[2], value);
                // Where labels share an address, prefer the global one: it names the instruction (rdmsr_insn).
                boolean global = Character.isUpperCase(f[1].charAt(0));
                if (!f[1].equalsIgnoreCase("a") && (global || !codeSymbols.containsKey(value))) {
                    codeSymbols.put(value, f[2]);
                }
            }
        }
        this.symbols = Map.copyOf(all);
    }

    /** Loads {@code /payloads/NAME.bin}, {@code .sym} and {@code .lst} from the classpath. */
    public static Payload load(String name) {
        return new Payload(name, resource(name + ".bin"), new String(resource(name + ".sym"), StandardCharsets.UTF_8),
                new String(resource(name + ".lst"), StandardCharsets.UTF_8));
    }

    /** A payload from bytes, for tests of the harness itself (no symbols, no listing). */
    public static Payload fromImage(String name, byte[] image) {
        return new Payload(name, image, "", "");
    }

    private static byte[] resource(String file) {
        try (InputStream in = Payload.class.getResourceAsStream("/payloads/" + file)) {
            if (in == null) {
                throw new IllegalStateException("payload resource /payloads/" + file
                        + " is missing: build the guest-payloads module (mvn install)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public byte[] image() {
        return image.clone();
    }

    public long entryAddress() {
        return entryAddress;
    }

    public int stubCount() {
        return stubCount;
    }

    public long stubAddress(int vector) {
        return stubsAddress + (long) vector * stubStride;
    }

    /** The value of a symbol of the payload (labels and abi.inc constants), if it has one. */
    public java.util.Optional<Long> symbol(String symbolName) {
        return java.util.Optional.ofNullable(symbols.get(symbolName));
    }

    /** "rdmsr_insn+0x2", or the bare address when no code symbol is at or below it. */
    public String symbolize(long address) {
        Map.Entry<Long, String> e = codeSymbols.floorEntry(address);
        if (e == null || address >= GuestLayout.PAYLOAD_BASE + image.length) {
            return String.format("0x%x, outside the payload", address);
        }
        long delta = address - e.getKey();
        return delta == 0 ? e.getValue() : e.getValue() + String.format("+0x%x", delta);
    }

    public String listing() {
        return listing;
    }
}
