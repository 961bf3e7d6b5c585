package io.msrconf.emu.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.guest.GuestLayout;
import io.msrconf.guest.Payload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder against the objdump listing of every payload the build assembles (resources
 * /payloads/index.txt, NAME.bin, NAME.lst from the guest-payloads jar): decoding the image at each
 * listed address must give objdump's instruction length and mnemonic, and every instruction a
 * payload contains must be one the interpreter executes.
 *
 * <p>The three signature bytes of KVM's forced-emulation prefix ({@code ud2; .ascii "kvm"}) are data,
 * not code: objdump lists them as whatever they decode to up to the next symbol (the payloads put a
 * label after each prefix, where objdump starts over), and the CPU never executes them. Listing lines
 * inside them are left out; the UD2 before them is compared as usual.
 */
class DecoderListingTest {

    static Stream<String> payloads() throws IOException {
        try (InputStream in = DecoderListingTest.class.getResourceAsStream("/payloads/index.txt")) {
            assertThat(in).as("/payloads/index.txt on the classpath (build guest-payloads)").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim).filter(s -> !s.isEmpty())
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void decoderAgreesWithTheListing(String name) {
        Payload payload = Payload.load(name);
        byte[] image = payload.image();
        List<ObjdumpListing.Line> lines = ObjdumpListing.parse(payload.listing());
        assertThat(lines).as("instructions in %s.lst", name).isNotEmpty();

        List<String> mismatches = new ArrayList<>();
        for (ObjdumpListing.Line line : code(lines, image)) {
            int offset = (int) (line.address() - GuestLayout.PAYLOAD_BASE);
            String objdump = String.format("0x%x: objdump says '%s' (%d bytes)", line.address(), line.mnemonic(), line.length());
            if (offset < 0 || offset + line.length() > image.length
                    || !Arrays.equals(line.bytes(), Arrays.copyOfRange(image, offset, offset + line.length()))) {
                mismatches.add(objdump + ", but the image holds other bytes there");
                continue;
            }
            DecodedInstruction d = Decoder.decode(image, offset, line.address());
            if (d.length() != line.length() || !d.mnemonic().equals(line.mnemonic())) {
                mismatches.add(String.format("%s, decoder says '%s' (%d bytes)", objdump, d.mnemonic(), d.length()));
            }
        }
        assertThat(mismatches).as("%s: instructions where the decoder and objdump disagree", name).isEmpty();
    }

    /** The listing without the lines inside the signature bytes of a forced-emulation prefix. */
    static List<ObjdumpListing.Line> code(List<ObjdumpListing.Line> lines, byte[] image) {
        List<long[]> signatures = new ArrayList<>();
        for (ObjdumpListing.Line line : lines) {
            int offset = (int) (line.address() - GuestLayout.PAYLOAD_BASE);
            if (Decoder.isKvmForcedEmulationPrefix(image, offset)) {
                signatures.add(new long[] {line.address() + 2, line.address() + Decoder.KVM_FORCED_EMULATION_PREFIX_LENGTH});
            }
        }
        return lines.stream().filter(l -> signatures.stream().noneMatch(s -> l.address() >= s[0] && l.address() < s[1])).toList();
    }

    @Test
    void forcedEmulationSignaturesAreLeftOutAndNothingElse() {
        Payload payload = Payload.load(Payload.MSR_SCRIPT);
        List<ObjdumpListing.Line> lines = ObjdumpListing.parse(payload.listing());
        List<ObjdumpListing.Line> code = code(lines, payload.image());
        long prefix = payload.symbol("fep_rdtsc_prefix").orElseThrow();
        assertThat(code).extracting(ObjdumpListing.Line::address).contains(prefix, prefix + 5)
                .doesNotContain(prefix + 2, prefix + 3);
        assertThat(lines.size() - code.size()).as("listing lines inside the three prefixes' signatures").isEqualTo(6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void everyInstructionOfThePayloadIsImplemented(String name) {
        Payload payload = Payload.load(name);
        byte[] image = payload.image();
        List<String> missing = new ArrayList<>();
        for (ObjdumpListing.Line line : code(ObjdumpListing.parse(payload.listing()), image)) {
            DecodedInstruction d = Decoder.decode(image, (int) (line.address() - GuestLayout.PAYLOAD_BASE), line.address());
            if (!d.isImplemented()) {
                missing.add(String.format("0x%x: %s (%s)", line.address(), line.text(), d.mnemonic()));
            }
        }
        assertThat(missing).as("%s: instructions the emulator does not execute", name).isEmpty();
    }
}
