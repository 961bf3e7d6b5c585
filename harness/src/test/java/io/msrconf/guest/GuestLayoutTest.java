package io.msrconf.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.msrconf.guest.GuestResult;
import io.msrconf.spec.Access;
import io.msrconf.spec.GuestExpectation;
import io.msrconf.spec.MsrOp;
import io.msrconf.spec.SourceRef;
import io.msrconf.spec.ValueExpectation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java side of the guest ABI agrees with abi.inc as assembled, and guest-written data is handled as untrusted. */
class GuestLayoutTest {

    private final Payload payload = Payload.load(Payload.MSR_SCRIPT);

    @Test
    void javaConstantsMatchTheAssembledAbi() {
        Map<String, Long> expected = Map.ofEntries(
                Map.entry("PAYLOAD_BASE", GuestLayout.PAYLOAD_BASE),
                Map.entry("SCRIPT_TABLE", GuestLayout.SCRIPT_TABLE),
                Map.entry("REPORT_PORT", (long) GuestLayout.REPORT_PORT),
                Map.entry("REPORT_DONE", (long) GuestLayout.REPORT_DONE),
                Map.entry("REPORT_UNEXPECTED", (long) GuestLayout.REPORT_UNEXPECTED),
                Map.entry("HDR_COUNT", (long) MsrScriptTable.HDR_COUNT),
                Map.entry("HDR_COMPLETED", (long) MsrScriptTable.HDR_COMPLETED),
                Map.entry("HDR_UNEXP_VECTOR", (long) MsrScriptTable.HDR_UNEXP_VECTOR),
                Map.entry("HDR_UNEXP_RIP", (long) MsrScriptTable.HDR_UNEXP_RIP),
                Map.entry("HDR_UNEXP_ERROR", (long) MsrScriptTable.HDR_UNEXP_ERROR),
                Map.entry("HDR_SIZE", (long) MsrScriptTable.HDR_SIZE),
                Map.entry("ENT_OP", (long) MsrScriptTable.ENT_OP),
                Map.entry("ENT_INDEX", (long) MsrScriptTable.ENT_INDEX),
                Map.entry("ENT_VALUE", (long) MsrScriptTable.ENT_VALUE),
                Map.entry("ENT_RESULT", (long) MsrScriptTable.ENT_RESULT),
                Map.entry("ENT_OUTCOME", (long) MsrScriptTable.ENT_OUTCOME),
                Map.entry("ENT_VECTOR", (long) MsrScriptTable.ENT_VECTOR),
                Map.entry("ENT_ERROR", (long) MsrScriptTable.ENT_ERROR),
                Map.entry("ENT_SIZE", (long) MsrScriptTable.ENT_SIZE),
                Map.entry("OP_RDMSR", (long) MsrOp.RDMSR.scriptCode),
                Map.entry("OP_WRMSR", (long) MsrOp.WRMSR.scriptCode),
                Map.entry("OP_FEP_RDMSR", (long) MsrOp.FEP_RDMSR.scriptCode),
                Map.entry("OP_FEP_RDTSC", (long) MsrOp.FEP_RDTSC.scriptCode),
                Map.entry("OP_FEP_WRMSR", (long) MsrOp.FEP_WRMSR.scriptCode),
                Map.entry("OUTCOME_COMPLETED", (long) MsrScriptTable.OUTCOME_COMPLETED),
                Map.entry("OUTCOME_FAULTED", (long) MsrScriptTable.OUTCOME_FAULTED));
        expected.forEach((name, value) -> assertThat(payload.symbol(name)).as("abi.inc %s", name).contains(value));
    }

    @Test
    void payloadHeaderPointsIntoThePayload() {
        assertThat(payload.entryAddress()).isEqualTo(payload.symbol("payload_entry").orElseThrow());
        assertThat(payload.stubCount()).isEqualTo(32);
        assertThat(payload.stubAddress(0)).isEqualTo(payload.symbol("vector_stubs").orElseThrow());
        assertThat(payload.symbolize(payload.symbol("rdmsr_insn").orElseThrow() + 2)).isEqualTo("rdmsr_insn+0x2");
        assertThat(payload.listing()).contains("rdmsr").contains("wrmsr").contains("iretq");
    }

    @Test
    void idtGatesPointAtTheStubs() {
        ByteBuffer t = ByteBuffer.wrap(GuestLayout.systemTables(payload)).order(ByteOrder.LITTLE_ENDIAN);
        int gp = (int) (GuestLayout.IDT - GuestLayout.SYSTEM_TABLES_START) + 13 * 16;
        long low = t.getLong(gp);
        long handler = (low & 0xffff) | (low >>> 48 & 0xffff) << 16 | (t.getLong(gp + 8) & 0xffffffffL) << 32;
        assertThat(handler).isEqualTo(payload.stubAddress(13));
        assertThat(low >>> 16 & 0xffff).isEqualTo(GuestLayout.CODE_SELECTOR);
    }

    @Test
    void malformedPayloadImagesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Payload.fromImage("junk", new byte[64])).hasMessageContaining("no MSRCONF1 header");
        byte[] image = payload.image();
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 0x7fff0000);
        assertThatThrownBy(() -> Payload.fromImage("bad-stubs", image)).hasMessageContaining("header out of bounds");
    }

    @Test
    void scriptTableRoundTripAndGuestGarbageIsContained() {
        SourceRef at = new SourceRef(Path.of("x.yaml"), 1);
        GuestExpectation ok = new GuestExpectation.Completes(ValueExpectation.ANY);
        List<Access> accesses = List.of(new Access(MsrOp.RDMSR, 0x10, 0, null, ok, at),
                new Access(MsrOp.WRMSR, 0x174, 0x1122334455667788L, null, ok, at));
        byte[] table = MsrScriptTable.encode(accesses.stream().map(Access::scriptEntry).toList());
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(MsrScriptTable.HDR_COUNT)).isEqualTo(2);
        assertThat(b.getLong(MsrScriptTable.HDR_SIZE + MsrScriptTable.ENT_SIZE + MsrScriptTable.ENT_VALUE)).isEqualTo(0x1122334455667788L);

        // What a guest might write: one completed entry, one garbage outcome code, an absurd counter.
        b.putShort(MsrScriptTable.HDR_SIZE + MsrScriptTable.ENT_OUTCOME, (short) 1).putLong(MsrScriptTable.HDR_SIZE + MsrScriptTable.ENT_RESULT, 7);
        b.putShort(MsrScriptTable.HDR_SIZE + MsrScriptTable.ENT_SIZE + MsrScriptTable.ENT_OUTCOME, (short) 0xbeef);
        b.putInt(MsrScriptTable.HDR_COMPLETED, -1);
        assertThat(MsrScriptTable.results(table, 2)).containsExactly(new GuestResult.Completed(7), new GuestResult.Garbled(0xbeef));
        assertThat(MsrScriptTable.completed(table, 2)).isEqualTo(2);
    }
}
