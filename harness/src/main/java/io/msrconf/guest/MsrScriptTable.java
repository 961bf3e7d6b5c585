package io.msrconf.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The MSR script table at {@link GuestLayout#SCRIPT_TABLE}: the harness writes the accesses, the
 * msr_script payload writes back what happened. Offsets mirror abi.inc (checked by GuestLayoutTest).
 * Everything read back is guest-written and therefore untrusted: counts are clamped, unknown codes
 * become {@link GuestResult.Garbled}.
 */
public final class MsrScriptTable {

    public static final int MAGIC = 0x544d534d;             // "MSRT"
    public static final int HDR_COUNT = 4;
    public static final int HDR_COMPLETED = 8;
    public static final int HDR_UNEXP_VECTOR = 12;
    public static final int HDR_UNEXP_RIP = 16;
    public static final int HDR_UNEXP_ERROR = 24;
    public static final int HDR_SIZE = 64;
    public static final int ENT_OP = 0;
    public static final int ENT_INDEX = 4;
    public static final int ENT_VALUE = 8;
    public static final int ENT_RESULT = 16;
    public static final int ENT_OUTCOME = 24;
    public static final int ENT_VECTOR = 26;
    public static final int ENT_ERROR = 28;
    public static final int ENT_SIZE = 32;
    public static final int OUTCOME_NOT_RUN = 0;
    public static final int OUTCOME_COMPLETED = 1;
    public static final int OUTCOME_FAULTED = 2;
    public static final int MAX_ENTRIES = (int) ((GuestLayout.SCRIPT_TABLE_END - GuestLayout.SCRIPT_TABLE - HDR_SIZE) / ENT_SIZE);

    private MsrScriptTable() {
    }

    /** Size in bytes of a table with {@code count} entries. */
    public static int size(int count) {
        return HDR_SIZE + count * ENT_SIZE;
    }

    /** What one entry tells the guest to execute: ENT_OP (abi.inc OP_*), ENT_INDEX and ENT_VALUE. */
    public record Entry(int op, int index, long value) {
    }

    /** The table the harness writes before a run: header with the count, entries with outcome "not run". */
    public static byte[] encode(List<Entry> entries) {
        ByteBuffer b = ByteBuffer.allocate(size(entries.size())).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putInt(HDR_COUNT, entries.size());
        b.put(HDR_SIZE, encodeEntries(entries));
        return b.array();
    }

    /**
     * The bytes of these entries, to write at {@link #entryOffset} of the first: how the harness appends
     * entries to a paused guest's table before it raises {@link #HDR_COUNT} (the guest re-reads it).
     */
    public static byte[] encodeEntries(List<Entry> entries) {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("a guest runs at most " + MAX_ENTRIES + " accesses, got " + entries.size());
        }
        ByteBuffer b = ByteBuffer.allocate(entries.size() * ENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.size(); i++) {
            Entry a = entries.get(i);
            int e = i * ENT_SIZE;
            b.putInt(e + ENT_OP, a.op()).putInt(e + ENT_INDEX, a.index()).putLong(e + ENT_VALUE, a.value());
        }
        return b.array();
    }

    /** Where entry {@code i} starts, from the start of the table. */
    public static int entryOffset(int i) {
        return HDR_SIZE + i * ENT_SIZE;
    }

    /** How many entries the guest says it finished, clamped to [0, count]. */
    public static int completed(byte[] table, int count) {
        long completed = Integer.toUnsignedLong(le(table).getInt(HDR_COMPLETED));
        return (int) Math.min(completed, count);
    }

    /** The guest's record of each entry. */
    public static List<GuestResult> results(byte[] table, int count) {
        ByteBuffer b = le(table);
        List<GuestResult> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int e = HDR_SIZE + i * ENT_SIZE;
            int outcome = Short.toUnsignedInt(b.getShort(e + ENT_OUTCOME));
            out.add(switch (outcome) {
                case OUTCOME_NOT_RUN -> new GuestResult.NotRun();
                case OUTCOME_COMPLETED -> new GuestResult.Completed(b.getLong(e + ENT_RESULT));
                case OUTCOME_FAULTED -> new GuestResult.Faulted(Short.toUnsignedInt(b.getShort(e + ENT_VECTOR)), b.getInt(e + ENT_ERROR));
                default -> new GuestResult.Garbled(outcome);
            });
        }
        return out;
    }

    public static int unexpectedVector(byte[] table) {
        return le(table).getInt(HDR_UNEXP_VECTOR);
    }

    public static long unexpectedRip(byte[] table) {
        return le(table).getLong(HDR_UNEXP_RIP);
    }

    public static long unexpectedErrorCode(byte[] table) {
        return le(table).getLong(HDR_UNEXP_ERROR);
    }

    private static ByteBuffer le(byte[] table) {
        return ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
    }
}
