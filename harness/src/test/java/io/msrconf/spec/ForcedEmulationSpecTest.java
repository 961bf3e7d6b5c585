package io.msrconf.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.abi.ExitReason;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spec forms of forced-emulated accesses (fep-rdmsr, fep-rdtsc) and of the value expectation nonzero. */
class ForcedEmulationSpecTest {

    private static final Path FILE = Path.of("specs/side-effects.yaml");
    private static final String AT = "specs/side-effects.yaml:";

    private static SpecSet parse(String yaml) {
        return SpecLoader.parse(yaml, FILE);
    }

    private static List<String> errors(String yaml) {
        return parse(yaml).errors().stream().map(SpecError::toString).toList();
    }

    /** One case with FILTER exits whose run step's accesses start on line 9. */
    private static String withAccesses(String accesses) {
        return """
                area: side-effects
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    vcpu: { exits: [FILTER] }
                    steps:
                      - run:
                """ + accesses.indent(10);
    }

    private static SourceRef at(int line) {
        return new SourceRef(FILE, line);
    }

    @Test
    void forcedEmulatedAccessesAndNonzeroParseToTheExactModel() {
        SpecSet set = parse(withAccesses("""
                - { fep-rdtsc: true, expect: nonzero }
                - { fep-rdtsc: true, expect: { value: 0 } }
                - { fep-rdmsr: 0x174, expect: gp }
                - fep-rdmsr: 0x174
                  expect: { exit: FILTER, data: 0, answer: { error: 0, data: 0x12 }, then: nonzero }
                - { rdmsr: 0x10, expect: nonzero }
                """));
        assertThat(set.errors()).isEmpty();
        Step.RunGuest run = (Step.RunGuest) set.cases().get(0).steps().get(0);
        GuestExpectation nonzero = new GuestExpectation.Completes(ValueExpectation.NONZERO);
        assertThat(run.accesses()).containsExactly(
                new Access(MsrOp.FEP_RDTSC, 0x10, 0, null, nonzero, at(9)),
                new Access(MsrOp.FEP_RDTSC, 0x10, 0, null, new GuestExpectation.Completes(ValueExpectation.exactly(0)), at(10)),
                new Access(MsrOp.FEP_RDMSR, 0x174, 0, null, new GuestExpectation.Faults(GuestExpectation.Faults.GP), at(11)),
                new Access(MsrOp.FEP_RDMSR, 0x174, 0, new ExpectedExit(ExitReason.FILTER, ValueExpectation.exactly(0),
                        new UserspaceAnswer(0, 0x12)), nonzero, at(12)),
                new Access(MsrOp.RDMSR, 0x10, 0, null, nonzero, at(14)));
        assertThat(set.cases().get(0).usesForcedEmulation()).isTrue();
        assertThat(run.accesses().get(0).describe()).isEqualTo("forced-emulated RDTSC");
        assertThat(run.accesses().get(2).describe()).isEqualTo("forced-emulated RDMSR(0x174)");
    }

    @Test
    void nonzeroMatchesEveryValueButZero() {
        assertThat(ValueExpectation.NONZERO.matches(0)).isFalse();
        assertThat(ValueExpectation.NONZERO.matches(1)).isTrue();
        assertThat(ValueExpectation.NONZERO.matches(Long.MIN_VALUE)).isTrue();
        assertThat(ValueExpectation.NONZERO.isAny()).isFalse();
        assertThat(ValueExpectation.NONZERO.describe()).isEqualTo("a nonzero value");
        assertThat(ValueExpectation.NONZERO.opposite()).isEqualTo(ValueExpectation.exactly(0));
    }

    @Test
    void badInputNamesFileLineAndField() {
        assertThat(errors(withAccesses("""
                - { fep-rdtsc: false, expect: ok }
                - { fep-rdtsc: 0x10, expect: ok }
                - { fep-rdtsc: true, value: 1, expect: ok }
                - { fep-rdtsc: true, expect: { exit: FILTER, answer: {}, then: ok } }
                - { fep-rdmsr: 0x174, rdmsr: 0x174, expect: ok }
                - { fep-rdmsr: 0x174, value: 1, expect: ok }
                - { fep-rdmsr: -1, expect: ok }
                - { wrmsr: 0x174, value: 1, expect: nonzero }
                - { fep-rdmsr: 0x174, expect: { exit: FILTER, answer: {}, then: { exit: FILTER } } }
                - { value: 1, expect: ok }
                - { fep-rdmsr: 0x174, expect: nonzeroo }
                """))).containsExactly(
                AT + "9: cases[0].steps[0].run[0].fep-rdtsc: write fep-rdtsc: true (RDTSC has no operand; the key names"
                        + " the access), got false (a boolean)",
                AT + "10: cases[0].steps[0].run[1].fep-rdtsc: write fep-rdtsc: true (RDTSC has no operand; the key names"
                        + " the access), got 0x10",
                AT + "11: cases[0].steps[0].run[2].value: only a wrmsr has a value: RDTSC writes nothing",
                AT + "12: cases[0].steps[0].run[3].expect: a forced-emulated RDTSC expects no exit: only rdmsr, wrmsr and"
                        + " fep-rdmsr can exit to userspace",
                AT + "13: cases[0].steps[0].run[4]: give one access kind, got rdmsr and fep-rdmsr",
                AT + "14: cases[0].steps[0].run[5].value: only a wrmsr has a value: RDMSR writes nothing",
                AT + "15: cases[0].steps[0].run[6].fep-rdmsr: expected an unsigned 32-bit integer, got -1",
                AT + "16: cases[0].steps[0].run[7].expect: a WRMSR reads no value: expect ok",
                AT + "17: cases[0].steps[0].run[8].expect.then: the guest outcome after the exit is ok, gp, nonzero,"
                        + " {value: ...} or {fault: ...}: an access has at most one exit",
                AT + "18: cases[0].steps[0].run[9]: needs one of rdmsr, wrmsr, fep-rdmsr, fep-rdtsc, fep-wrmsr",
                AT + "19: cases[0].steps[0].run[10].expect: expected ok, gp, nonzero, {value: ...}, {fault: ...}"
                        + ", {kvm-run-fails: ERRNO}, emulation-fails or {exit: ...}, got \"nonzeroo\"");
    }
}
