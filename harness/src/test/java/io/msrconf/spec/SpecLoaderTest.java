package io.msrconf.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.abi.ExitReason;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {

    private static final Path FILE = Path.of("specs/filter-ranges.yaml");
    private static final String AT = "specs/filter-ranges.yaml:";

    private static SpecSet parse(String yaml) {
        return SpecLoader.parse(yaml, FILE);
    }

    private static List<String> errors(String yaml) {
        return parse(yaml).errors().stream().map(SpecError::toString).toList();
    }

    /** One case whose steps start on line 7, as list items written from column 0. */
    private static String withSteps(String steps) {
        return """
                area: filter-ranges
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    steps:
                """ + steps.indent(6);
    }

    private static SourceRef at(int line) {
        return new SourceRef(FILE, line);
    }

    private static GuestExpectation ok() {
        return new GuestExpectation.Completes(ValueExpectation.ANY);
    }

    private static GuestExpectation gp() {
        return new GuestExpectation.Faults(GuestExpectation.Faults.GP);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    // ---- Valid specs: the exact model objects ----

    @Test
    void everyFormParsesToTheExactModel() {
        String yaml = """
                area: filter-ranges
                description: every form of the format
                cases:
                  - id: all.forms
                    title: Every form
                    cites: "api.rst 4.126 KVM_X86_SET_MSR_FILTER: '...'"
                    kernel: { since: "5.12.3", before: "6.1" }
                    vcpu: { x2apic: true, exits: [FILTER, UNKNOWN] }
                    steps:
                      - set-filter:
                          default: deny
                          ranges:
                            - flags: [READ, WRITE]
                              base: 0x10
                              nmsrs: 10
                              allow: [0x10, 0x19]
                            - { flags: [WRITE], base: 0x20, nmsrs: 10, deny: [0x21] }
                            - { flags: 0x4, base: 0xffffffff, nmsrs: 3, allow: all }
                            - { flags: 0, base: 0, nmsrs: 8, deny: all }
                            - { flags: [READ], base: "0x30", nmsrs: 8, bitmap: "ff 00 01" }
                            - { flags: [READ], base: 0x40, nmsrs: 0, bitmap: null }
                        expect: ok
                      - set-filter: { flags: 0x80 }
                        expect: EINVAL
                      - run:
                          - rdmsr: 0x10
                            expect: ok
                          - { wrmsr: 0x11, value: 0xffffffffffffffff, expect: gp }
                          - { rdmsr: 0x12, expect: { value: 0x14 } }
                          - { rdmsr: 0x13, expect: { value: 0x14, mask: 0xff } }
                          - { rdmsr: 0x14, expect: { fault: 6 } }
                          - rdmsr: 0x4b564d00
                            expect:
                              exit: FILTER
                              data: 0
                              answer: { error: 0, data: 0x1234 }
                              then: { value: 0x1234 }
                          - wrmsr: 0x15
                            value: 5
                            expect: { exit: UNKNOWN, answer: { error: 1 }, then: gp }
                      - host-set-msrs: [ { index: 0x174, value: 0x10 } ]
                        expect: 1
                      - host-get-msrs: [ { index: 0x174, value: 0x10, mask: 0xffff }, { index: 0x10 }, { index: 0x11, value: 7 } ]
                        expect: 2
                  - id: defaults
                    title: Defaults
                    cites: elsewhere
                    steps:
                      - run: [ { rdmsr: 0x10, expect: ok } ]
                      - host-set-msrs: []
                        expect: 0
                """;
        SpecSet set = parse(yaml);

        assertThat(set.errors()).isEmpty();
        MsrFilter filter = new MsrFilter(MsrFilter.DEFAULT_DENY, List.of(
                new FilterRange(MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE, 10, 0x10, bytes(0x01, 0x02)),
                new FilterRange(MsrFilter.RANGE_WRITE, 10, 0x20, bytes(0xfd, 0x03)),
                new FilterRange(0x4, 3, 0xffffffff, bytes(0x07)),
                new FilterRange(0, 8, 0, bytes(0x00)),
                new FilterRange(MsrFilter.RANGE_READ, 8, 0x30, bytes(0xff, 0x00, 0x01)),
                new FilterRange(MsrFilter.RANGE_READ, 0, 0x40, null)));
        Case allForms = new Case("all.forms", "Every form", "filter-ranges",
                Citation.note("api.rst 4.126 KVM_X86_SET_MSR_FILTER: '...'"),
                new KernelRange(new KernelVersion(5, 12, 3), new KernelVersion(6, 1, 0)),
                new VcpuSetup(true, Set.of(ExitReason.FILTER, ExitReason.UNKNOWN)),
                List.of(
                        new Step.SetFilter(filter, 0, at(10)),
                        new Step.SetFilter(new MsrFilter(0x80, List.of()), 22, at(23)),
                        new Step.RunGuest(List.of(
                                new Access(MsrOp.RDMSR, 0x10, 0, null, ok(), at(26)),
                                new Access(MsrOp.WRMSR, 0x11, -1L, null, gp(), at(28)),
                                new Access(MsrOp.RDMSR, 0x12, 0, null,
                                        new GuestExpectation.Completes(ValueExpectation.exactly(0x14)), at(29)),
                                new Access(MsrOp.RDMSR, 0x13, 0, null,
                                        new GuestExpectation.Completes(new ValueExpectation(0x14, 0xff)), at(30)),
                                new Access(MsrOp.RDMSR, 0x14, 0, null, new GuestExpectation.Faults(6), at(31)),
                                new Access(MsrOp.RDMSR, 0x4b564d00, 0,
                                        new ExpectedExit(ExitReason.FILTER, ValueExpectation.exactly(0),
                                                new UserspaceAnswer(0, 0x1234)),
                                        new GuestExpectation.Completes(ValueExpectation.exactly(0x1234)), at(32)),
                                new Access(MsrOp.WRMSR, 0x15, 5,
                                        new ExpectedExit(ExitReason.UNKNOWN, ValueExpectation.ANY,
                                                new UserspaceAnswer(1, 0)),
                                        gp(), at(38))),
                                at(25)),
                        new Step.HostSetMsrs(List.of(new Step.MsrValue(0x174, 0x10)), 1, at(41)),
                        new Step.HostGetMsrs(List.of(
                                new Step.MsrRead(0x174, new ValueExpectation(0x10, 0xffff)),
                                new Step.MsrRead(0x10, ValueExpectation.ANY),
                                new Step.MsrRead(0x11, ValueExpectation.exactly(7))), 2, at(43))),
                at(4));
        Case defaults = new Case("defaults", "Defaults", "filter-ranges", Citation.note("elsewhere"), KernelRange.DEFAULT,
                VcpuSetup.DEFAULT,
                List.of(new Step.RunGuest(List.of(new Access(MsrOp.RDMSR, 0x10, 0, null, ok(), at(49))), at(49)),
                        new Step.HostSetMsrs(List.of(), 0, at(50))),
                at(45));
        assertThat(set.cases()).containsExactly(allForms, defaults);
        // Records compare bitmaps by content; check the raw bytes too, as the backends send them.
        List<FilterRange> ranges = ((Step.SetFilter) set.cases().get(0).steps().get(0)).filter().ranges();
        assertThat(ranges.get(1).bitmap()).containsExactly(0xfd, 0x03);
        assertThat(ranges.get(5).bitmap()).isNull();
    }

    @Test
    void allowAllSetsExactlyNmsrsBitsAndQuotedNumbersAreAccepted() {
        SpecSet set = parse(withSteps("""
                - set-filter:
                    flags: "0x1"
                    ranges:
                      - { flags: 3, base: "16", nmsrs: 0xc, allow: all }
                      - { flags: 3, base: 0x3000, nmsrs: 0x3001, deny: [0x6000] }
                  expect: E2BIG
                """));

        assertThat(set.errors()).isEmpty();
        MsrFilter filter = ((Step.SetFilter) set.cases().get(0).steps().get(0)).filter();
        assertThat(filter.flags()).isEqualTo(MsrFilter.DEFAULT_DENY);
        assertThat(filter.ranges().get(0)).isEqualTo(new FilterRange(3, 12, 16, bytes(0xff, 0x0f)));
        byte[] big = filter.ranges().get(1).bitmap();
        assertThat(big).hasSize(0x601);
        assertThat(big[0x600]).isEqualTo((byte) 0x00); // bit 0x3000 = MSR 0x6000, denied
        assertThat(big[0x5ff]).isEqualTo((byte) 0xff);
        assertThat(((Step.SetFilter) set.cases().get(0).steps().get(0)).expectedErrno()).isEqualTo(7);
    }

    @Test
    void anchorsAndAliasesAreUsable() {
        SpecSet set = parse(withSteps("""
                - set-filter: &deny-174
                    default: allow
                    ranges: [ { flags: [READ], base: 0x174, nmsrs: 1, deny: all } ]
                  expect: ok
                - run: [ { rdmsr: 0x174, expect: gp } ]
                - set-filter: *deny-174
                  expect: ok
                """));

        assertThat(set.errors()).isEmpty();
        List<Step> steps = set.cases().get(0).steps();
        assertThat(((Step.SetFilter) steps.get(2)).filter()).isEqualTo(((Step.SetFilter) steps.get(0)).filter());
    }

    // ---- Errors: every kind, with its exact message and line ----

    @Test
    void namesFileLineFieldPathAndProblem() {
        SpecSet set = parse("""
                area: filter-ranges
                cases:
                  - id: a.one
                    title: t
                    cites: c
                    steps:
                      - run: [ { rdmsr: 0x10, expect: ok } ]
                  - id: a.two
                    title: t
                    cites: c
                    steps:
                      - run: [ { rdmsr: 0x10, expect: ok } ]
                  - id: a.three
                    title: t
                    cites: c
                    steps:
                      - set-filter:
                          default: allow
                          ranges:
                            - { flags: [READ], base: 0x10, nmsrs: 1, allow: all }
                            - flags: [READ]
                              nmsrs: 1
                              base: abc
                              allow: all
                        expect: ok
                """);

        assertThat(set.errors()).extracting(SpecError::toString).containsExactly(
                "specs/filter-ranges.yaml:23: cases[2].steps[0].set-filter.ranges[1].base:"
                        + " expected an unsigned 32-bit integer, got \"abc\"");
        assertThat(set.errors().get(0)).isEqualTo(new SpecError(at(23),
                "cases[2].steps[0].set-filter.ranges[1].base", "expected an unsigned 32-bit integer, got \"abc\""));
        // The bad case is left out; the good ones of the same file still load.
        assertThat(set.cases()).extracting(Case::id).containsExactly("a.one", "a.two");
    }

    @Test
    void aBadCaseDoesNotStopTheGoodCasesAroundIt() {
        SpecSet set = parse("""
                area: filter-ranges
                cases:
                  - { id: c.one, title: t, cites: c, steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ] }
                  - { id: c.two, title: t, cites: c, steps: [ { run: [ { rdmsr: 0x10, expect: fine } ] } ] }
                  - { id: c.three, title: t, cites: c, steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ] }
                """);

        assertThat(set.cases()).extracting(Case::id).containsExactly("c.one", "c.three");
        assertThat(set.errors()).extracting(SpecError::toString).containsExactly(
                AT + "4: cases[1].steps[0].run[0].expect: expected ok, gp, nonzero, {value: ...}, {fault: ...}"
                        + ", {kvm-run-fails: ERRNO}, emulation-fails or {exit: ...}, got \"fine\"");
    }

    @Test
    void allErrorsAreCollectedNotJustTheFirst() {
        assertThat(errors(withSteps("""
                - run:
                    - { rdmsr: 0x1_0, expect: ok }
                    - { wrmsr: 0x10, value: yes, expect: ok }
                    - { rdmsr: 0x10, expect: maybe }
                """))).containsExactly(
                AT + "8: cases[0].steps[0].run[0].rdmsr: expected an unsigned 32-bit integer, got \"0x1_0\"",
                AT + "9: cases[0].steps[0].run[1].value: expected an unsigned 64-bit integer, got \"yes\"",
                AT + "10: cases[0].steps[0].run[2].expect: expected ok, gp, nonzero, {value: ...}, {fault: ...}, {kvm-run-fails: ERRNO}, emulation-fails or {exit: ...},"
                        + " got \"maybe\"");
    }

    @Test
    void yamlSyntaxErrorCarriesTheMarksLine() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: [unclosed
                    cites: c
                """)).containsExactly(AT + "5: YAML syntax error: expected ',' or ']', but got : at column 10 "
                + "(while parsing a flow sequence at line 4)");
        assertThat(errors("area: filter-ranges\ncases:\n\t- id: x\n")).containsExactly(
                AT + "3: YAML syntax error: found character '\\t(TAB)' that cannot start any token."
                        + " (Do not use \\t(TAB) for indentation) at column 1 (while scanning for the next token); hint: indent with spaces");
        // the most common one: an unquoted ": " in a title
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: Denied: reads fault
                    cites: c
                """)).containsExactly(AT + "4: YAML syntax error: mapping values are not allowed here at column 18;"
                + " hint: \": \" inside an unquoted value starts a mapping; quote the value, e.g. title: \"Denied: reads\"");
    }

    @Test
    void duplicateKeysAreErrors() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: t
                    title: again
                    cites: c
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok, expect: gp } ] } ]
                """)).containsExactly(
                AT + "5: cases[0].title: duplicate key (first at line 4)",
                AT + "7: cases[0].steps[0].run[0].expect: duplicate key (first at line 7)");
    }

    @Test
    void duplicateIdsInOneFileAreReportedAtTheSecond() {
        SpecSet set = parse("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                  - title: t
                    id: c.one
                    cites: c
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                """);

        assertThat(set.errors()).extracting(SpecError::toString).containsExactly(
                AT + "8: cases[1].id: duplicate id \"c.one\", first defined at specs/filter-ranges.yaml:3");
        assertThat(set.cases()).extracting(Case::source).containsExactly(at(3));
    }

    @Test
    void missingRequiredKeys() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                  - title: t
                    cites: c
                    steps:
                      - set-filter: { default: allow }
                      - host-get-msrs: [ { value: 1 } ]
                """)).containsExactly(
                AT + "3: cases[0].title: required key is missing",
                AT + "3: cases[0].cites: required key is missing",
                AT + "3: cases[0].steps: required key is missing",
                AT + "4: cases[1].id: required key is missing",
                AT + "7: cases[1].steps[0].expect: required key is missing",
                AT + "8: cases[1].steps[1].host-get-msrs[0].index: required key is missing",
                AT + "8: cases[1].steps[1].expect: required key is missing");
        assertThat(errors("description: d\n")).containsExactly(
                AT + "1: area: required key is missing",
                AT + "1: cases: required key is missing");
    }

    @Test
    void unknownKeysListTheAllowedOnes() {
        assertThat(errors("""
                area: filter-ranges
                defaults: {}
                cases:
                  - id: c.one
                    titel: t
                    cites: c
                    steps:
                      - set-filter:
                          default: allow
                          ranges: [ { flags: [READ], bas: 0x10, base: 0x10, nmsrs: 1, allow: all } ]
                        expect: ok
                      - run: [ { rdmsr: 0x10, expect: { exit: FILTER, answer: {}, then: ok, than: gp } } ]
                """)).containsExactly(
                AT + "2: defaults: unknown key; allowed: area, description, cases",
                AT + "5: cases[0].titel: unknown key; allowed: id, rules, title, cites, kernel, requires, vcpu, steps",
                AT + "4: cases[0].title: required key is missing",
                AT + "10: cases[0].steps[0].set-filter.ranges[0].bas: unknown key;"
                        + " allowed: flags, base, nmsrs, allow, deny, bitmap, memory",
                AT + "12: cases[0].steps[1].run[0].expect.than: unknown key; allowed: exit, data, answer, then, pause",
                AT + "12: cases[0].steps[1].run[0].expect.exit: exit reason FILTER is not enabled (by vcpu.exits,"
                        + " or the last enable-exits step before), so KVM never exits with it");
    }

    @Test
    void mergeKeysAreNotMerged() {
        assertThat(errors(withSteps("""
                - set-filter:
                    <<: { default: allow }
                  expect: ok
                """))).containsExactly(
                AT + "8: cases[0].steps[0].set-filter.<<: unknown key; allowed: default, flags, ranges",
                AT + "8: cases[0].steps[0].set-filter: needs default (allow or deny) or raw flags");
    }

    @Test
    void wrongTypes() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: [t]
                    cites: ""
                    vcpu: { x2apic: "yes", exits: FILTER }
                    steps:
                      - set-filter:
                          default: allow
                          ranges:
                            - { flags: true, base: -1, nmsrs: 0x100000000, bitmap: [1] }
                        expect: ok
                      - host-set-msrs: [ { index: [1], value: 1.5 }, { index: 0x10, value: null }, 7 ]
                        expect: 0
                      - run: { rdmsr: 0x10 }
                """)).containsExactly(
                AT + "4: cases[0].title: expected text, got a list",
                AT + "5: cases[0].cites: must not be blank",
                AT + "6: cases[0].vcpu.x2apic: expected true or false, got \"yes\"",
                AT + "6: cases[0].vcpu.exits: expected a list, got \"FILTER\"",
                AT + "11: cases[0].steps[0].set-filter.ranges[0].flags:"
                        + " expected a list of range flags (READ, WRITE) or an unsigned 32-bit integer, got true (a boolean)",
                AT + "11: cases[0].steps[0].set-filter.ranges[0].base: expected an unsigned 32-bit integer, got -1",
                AT + "11: cases[0].steps[0].set-filter.ranges[0].nmsrs: expected an unsigned 32-bit integer,"
                        + " got 0x100000000",
                AT + "11: cases[0].steps[0].set-filter.ranges[0].bitmap: expected hex bytes like \"ff 00 01\" or null,"
                        + " got a list",
                AT + "13: cases[0].steps[1].host-set-msrs[0].index: expected an unsigned 32-bit integer, got a list",
                AT + "13: cases[0].steps[1].host-set-msrs[0].value: expected an unsigned 64-bit integer, got 1.5 (a float)",
                AT + "13: cases[0].steps[1].host-set-msrs[1].value: expected an unsigned 64-bit integer, got null",
                AT + "13: cases[0].steps[1].host-set-msrs[2]: expected a map, got 7",
                AT + "15: cases[0].steps[2].run: expected a list, got a map");
    }

    @Test
    void emptyLists() {
        assertThat(errors("area: filter-ranges\ncases: []\n")).containsExactly(AT + "2: cases: must not be empty");
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - { id: c.one, title: t, cites: c, steps: [] }
                  - { id: c.two, title: t, cites: c, steps: [ { run: [] } ] }
                  - id: c.three
                    title: t
                    cites: c
                    steps:
                      - set-filter:
                          default: allow
                          ranges:
                            - { flags: [], base: 0, nmsrs: 1, allow: [] }
                            - { flags: 1, base: 0, nmsrs: 1, deny: [] }
                        expect: ok
                """)).containsExactly(
                AT + "3: cases[0].steps: must not be empty",
                AT + "4: cases[1].steps[0].run: must not be empty",
                AT + "12: cases[2].steps[0].set-filter.ranges[0].flags: empty list: write 0 for a range without flags",
                AT + "12: cases[2].steps[0].set-filter.ranges[0].allow: empty list: write deny: all"
                        + " for a range that allows no MSR",
                AT + "13: cases[2].steps[0].set-filter.ranges[1].deny: empty list: write allow: all"
                        + " for a range that denies no MSR");
    }

    @Test
    void unknownNamesListTheAllowedOnes() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    vcpu: { exits: [FILTER, filter, FILTER] }
                    steps:
                      - set-filter:
                          default: block
                          ranges: [ { flags: [READ, EXEC, READ], base: 0, nmsrs: 1, allow: all } ]
                        expect: EWHAT
                      - run: [ { rdmsr: 0x10, expect: { exit: FILTERED, answer: {}, then: ok } } ]
                """)).containsExactly(
                AT + "6: cases[0].vcpu.exits[1]: expected an exit reason (one of INVAL, UNKNOWN, FILTER), got \"filter\"",
                AT + "6: cases[0].vcpu.exits[2]: FILTER is listed twice",
                AT + "9: cases[0].steps[0].set-filter.default: expected a default action (one of allow, deny),"
                        + " got \"block\"",
                AT + "10: cases[0].steps[0].set-filter.ranges[0].flags[1]: expected a range flag (one of READ, WRITE),"
                        + " got \"EXEC\"",
                AT + "10: cases[0].steps[0].set-filter.ranges[0].flags[2]: READ is listed twice",
                AT + "11: cases[0].steps[0].expect: expected ok or an errno name (one of ok, EPERM, ENOENT, EINTR, EIO,"
                        + " ENXIO, E2BIG, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, ENODEV, EINVAL, ENOTTY,"
                        + " ENOSPC, ERANGE, ENOSYS, EOPNOTSUPP), got \"EWHAT\"",
                AT + "12: cases[0].steps[1].run[0].expect.exit: expected an exit reason (one of INVAL, UNKNOWN, FILTER),"
                        + " got \"FILTERED\"");
    }

    @Test
    void allowAndDenyMsrsMustLieInTheRange() {
        assertThat(errors(withSteps("""
                - set-filter:
                    default: allow
                    ranges:
                      - { flags: [READ], base: 0x10, nmsrs: 2, allow: [0x10, 0x12, 0x10] }
                      - { flags: [READ], base: 0x10, nmsrs: 2, deny: [0xf] }
                      - { flags: [READ], base: 0x10, nmsrs: 0, deny: [0x10] }
                      - { flags: [READ], base: 0x10, nmsrs: 0x10001, allow: all }
                      - { flags: [READ], base: 0x10, nmsrs: 2, allow: none }
                  expect: ok
                """))).containsExactly(
                AT + "10: cases[0].steps[0].set-filter.ranges[0].allow[1]: MSR 0x12 is outside the range [0x10, 0x12)",
                AT + "10: cases[0].steps[0].set-filter.ranges[0].allow[2]: MSR 0x10 is listed twice",
                AT + "11: cases[0].steps[0].set-filter.ranges[1].deny[0]: MSR 0xf is outside the range [0x10, 0x12)",
                AT + "12: cases[0].steps[0].set-filter.ranges[2].deny[0]: MSR 0x10 is outside the range [0x10, 0x10)",
                AT + "13: cases[0].steps[0].set-filter.ranges[3].allow: cannot generate a bitmap for nmsrs 0x10001"
                        + " (at most 0x10000): give it with bitmap: as hex bytes or null",
                AT + "14: cases[0].steps[0].set-filter.ranges[4].allow: expected all or a list of MSR indexes,"
                        + " got \"none\"");
    }

    @Test
    void bitmapForms() {
        assertThat(errors(withSteps("""
                - set-filter:
                    default: allow
                    ranges:
                      - { flags: [READ], base: 0, nmsrs: 8 }
                      - { flags: [READ], base: 0, nmsrs: 8, allow: all, bitmap: "ff" }
                      - { flags: [READ], base: 0, nmsrs: 8, bitmap: "0xff" }
                      - { flags: [READ], base: 0, nmsrs: 8, bitmap: "f f f" }
                      - { flags: [READ], base: 0, nmsrs: 8, bitmap: }
                  expect: ok
                """))).containsExactly(
                AT + "10: cases[0].steps[0].set-filter.ranges[0]: needs a bitmap: one of allow, deny or bitmap",
                AT + "11: cases[0].steps[0].set-filter.ranges[1]: give one bitmap form, got allow and bitmap",
                AT + "12: cases[0].steps[0].set-filter.ranges[2].bitmap: expected hex bytes like \"ff 00 01\" or null,"
                        + " got \"0xff\"",
                AT + "13: cases[0].steps[0].set-filter.ranges[3].bitmap: odd number of hex digits (3):"
                        + " write whole bytes, like \"0f\"",
                AT + "14: cases[0].steps[0].set-filter.ranges[4].bitmap: empty value:"
                        + " write null for a NULL bitmap pointer, or hex bytes like \"ff 00 01\"");
    }

    @Test
    void whereABitmapLiesInMemory() {
        SpecSet set = parse(withSteps("""
                - set-filter:
                    default: allow
                    ranges:
                      - { flags: [READ], base: 0, nmsrs: 8, deny: all }
                      - { flags: [READ], base: 0x10, nmsrs: 0x40, bitmap: "ff", memory: short }
                      - { flags: [WRITE], base: 0x20, nmsrs: 1, deny: all, memory: unmapped }
                      - { flags: [WRITE], base: 0x30, nmsrs: 1, deny: all, memory: padded }
                  expect: EFAULT
                """));
        assertThat(set.errors()).isEmpty();
        io.msrconf.filter.MsrFilter f = ((Step.SetFilter) set.cases().get(0).steps().get(0)).filter();
        assertThat(f.bitmapMemory()).containsExactly(java.util.Map.entry(1, io.msrconf.filter.BitmapMemory.SHORT),
                java.util.Map.entry(2, io.msrconf.filter.BitmapMemory.UNMAPPED));

        assertThat(errors(withSteps("""
                - set-filter:
                    default: allow
                    ranges:
                      - { flags: [READ], base: 0, nmsrs: 8, bitmap: null, memory: unmapped }
                      - { flags: [READ], base: 0, nmsrs: 8, deny: all, memory: swapped }
                  expect: ok
                """))).containsExactly(
                AT + "10: cases[0].steps[0].set-filter.ranges[0].memory: a NULL bitmap pointer points nowhere:"
                        + " memory: applies to bitmap bytes",
                AT + "11: cases[0].steps[0].set-filter.ranges[1].memory: expected where the bitmap lies"
                        + " (one of padded, short, unmapped, wild), got \"swapped\"");
    }

    @Test
    void moreThanSixteenRanges() {
        String range = "- { flags: 0, base: 0, nmsrs: 0, bitmap: null }\n";
        String yaml = withSteps("- set-filter:\n    default: allow\n    ranges:\n"
                + range.repeat(17).indent(6) + "  expect: ok\n");

        assertThat(errors(yaml)).containsExactly(AT + "10: cases[0].steps[0].set-filter.ranges:"
                + " at most 16 ranges (the slots of struct kvm_msr_filter), got 17");
    }

    @Test
    void filterFlagsGivenBothWaysOrNeither() {
        assertThat(errors(withSteps("""
                - set-filter: { default: allow, flags: 0 }
                  expect: ok
                - set-filter: {}
                  expect: ok
                """))).containsExactly(
                AT + "7: cases[0].steps[0].set-filter: give either default (allow or deny) or raw flags, not both",
                AT + "9: cases[0].steps[1].set-filter: needs default (allow or deny) or raw flags");
    }

    @Test
    void continueStepsResumeTheGuestPausedAtTheirFromPoint() {
        SpecSet set = parse(withSteps("""
                - run: [ { rdmsr: 0x10, expect: ok } ]
                  pause: first
                - continue:
                    - { rdmsr: 0x174, expect: { exit: FILTER, data: 0, pause: in-exit, answer: { error: 0, data: 5 }, then: { value: 5 } } }
                  from: first
                - continue: []
                  from: in-exit
                """).replace("    steps:", "    vcpu: { exits: [FILTER] }\n    steps:"));
        assertThat(set.errors()).isEmpty();
        List<Step> steps = set.cases().get(0).steps();
        Step.RunGuest run = (Step.RunGuest) steps.get(0);
        Step.RunGuest second = (Step.RunGuest) steps.get(1);
        Step.RunGuest third = (Step.RunGuest) steps.get(2);
        assertThat(run.resume()).isNull();
        assertThat(run.pausePoint()).isEqualTo("first");
        assertThat(second.resume()).isEqualTo(new Step.Resume("first", null, 1));
        assertThat(second.pausedInExit()).isSameAs(second.accesses().get(0));
        assertThat(second.pausePoint()).isEqualTo("in-exit");
        assertThat(third.accesses()).isEmpty();
        assertThat(third.resume()).isEqualTo(new Step.Resume("in-exit", second.accesses().get(0), 2));
    }

    @Test
    void aContinueStepNeedsTheGuestPausedWhereItSays() {
        assertThat(errors(withSteps("""
                - continue: [ { rdmsr: 0x10, expect: ok } ]
                  from: nowhere
                - run: [ { rdmsr: 0x10, expect: ok } ]
                  pause: first
                - continue: [ { rdmsr: 0x10, expect: ok } ]
                  from: second
                - run: [ { rdmsr: 0x10, expect: ok } ]
                  from: first
                - set-filter: { default: allow }
                  expect: ok
                  pause: first
                - run: [ { rdmsr: 0x10, expect: ok } ]
                  pause: Bad Name
                """))).containsExactly(
                AT + "8: cases[0].steps[0].from: no guest is paused at \"nowhere\": the step before needs a run or continue"
                        + " step that ends with pause: nowhere",
                AT + "12: cases[0].steps[2].from: the guest is paused at \"first\" (specs/filter-ranges.yaml:9), not at \"second\"",
                AT + "14: cases[0].steps[3].from: from: belongs to a continue step: a run step starts the guest afresh",
                AT + "17: cases[0].steps[4].pause: pause: belongs to a run or continue step",
                AT + "19: cases[0].steps[5].pause: \"Bad Name\" is not a pause name: use lowercase letters, digits and '-'");
    }

    @Test
    void anAccessThatPausesInItsExitEndsItsStep() {
        assertThat(errors(withSteps("""
                - run:
                    - { rdmsr: 0x174, expect: { exit: FILTER, pause: p, answer: {}, then: ok } }
                    - { rdmsr: 0x10, expect: ok }
                - run:
                    - { rdmsr: 0x174, expect: { exit: FILTER, pause: p, answer: {}, then: ok } }
                  pause: q
                """).replace("    steps:", "    vcpu: { exits: [FILTER] }\n    steps:"))).containsExactly(
                AT + "9: cases[0].steps[0].run[0]: an access that pauses in its exit ends its step: the vCPU stops there,"
                        + " so the accesses after it belong in the continue step",
                AT + "13: cases[0].steps[1].pause: the step already pauses in the exit of its last access (\"p\")");
    }

    @Test
    void anAccessThatFailsKvmRunEndsItsStepAndIsNoAnswerToAnExit() {
        assertThat(errors(withSteps("""
                - xen-hvm-config: { msr: 0x40000200, blob-pages: 1 }
                  expect: ok
                - run:
                    - { wrmsr: 0x40000200, value: 0x5000, expect: { kvm-run-fails: EFAULT } }
                    - { rdmsr: 0x10, expect: ok }
                - run:
                    - { wrmsr: 0x40000200, value: 0x5000, expect: { kvm-run-fails: EFAULT } }
                  pause: p
                - run:
                    - { wrmsr: 0x40000200, value: 0x5000, expect: { kvm-run-fails: ok } }
                    - { wrmsr: 0x10, value: 0, expect: { exit: FILTER, answer: {}, then: { kvm-run-fails: EFAULT } } }
                - xen-hvm-config: { msr: 0x40000200, blob-pages: 256 }
                  expect: ok
                """).replace("    steps:", "    vcpu: { exits: [FILTER] }\n    steps:"))).containsExactly(
                AT + "11: cases[0].steps[1].run[0]: an access that makes KVM_RUN or KVM's emulation fail ends its step and its"
                        + " guest: the vCPU never gets past it, so nothing can run or pause after it",
                AT + "14: cases[0].steps[2].run[0]: an access that makes KVM_RUN or KVM's emulation fail ends its step and its"
                        + " guest: the vCPU never gets past it, so nothing can run or pause after it",
                AT + "17: cases[0].steps[3].run[0].expect.kvm-run-fails: name the errno KVM_RUN fails with (ok is not a failure)",
                AT + "18: cases[0].steps[3].run[1].expect.then: KVM_RUN cannot fail once userspace answered the exit: after an"
                        + " exit the guest outcome is ok, gp, nonzero, {value: ...} or {fault: ...}",
                AT + "19: cases[0].steps[4].xen-hvm-config.blob-pages: expected an unsigned 8-bit integer, got 256");
    }

    @Test
    void anEmulationFailureIsOnlyForAForcedEmulationAndEndsItsStepAndItsVm() {
        assertThat(errors(withSteps("""
                - run:
                    - { fep-wrmsr: 0x40000200, value: 0x5000, expect: emulation-fails }
                    - { rdmsr: 0x10, expect: ok }
                - run:
                    - { wrmsr: 0x40000200, value: 0x5000, expect: emulation-fails }
                    - { fep-wrmsr: 0x10, value: 0, expect: { exit: FILTER, answer: {}, then: emulation-fails } }
                """).replace("    steps:", "    vcpu: { exits: [FILTER] }\n    steps:"))).containsExactly(
                AT + "9: cases[0].steps[0].run[0]: an access that makes KVM_RUN or KVM's emulation fail ends its step and its"
                        + " guest: the vCPU never gets past it, so nothing can run or pause after it",
                AT + "12: cases[0].steps[1].run[0].expect: only an access through KVM's instruction emulator (fep-rdmsr,"
                        + " fep-wrmsr, fep-rdtsc) can fail its emulation",
                AT + "13: cases[0].steps[1].run[1].expect.then: the emulation cannot fail once userspace answered the exit:"
                        + " after an exit the guest outcome is ok, gp, nonzero, {value: ...} or {fault: ...}");

        Case c = parse(withSteps("""
                - run:
                    - { fep-wrmsr: 0x40000200, value: 0x5000, expect: emulation-fails }
                """)).cases().get(0);
        Step.RunGuest run = (Step.RunGuest) c.steps().get(0);
        assertThat(run.accesses().get(0).guest()).isEqualTo(new GuestExpectation.EmulationFails());
        assertThat(run.endsInEmulationFailure()).isTrue();
        assertThat(c.needsFreshVm()).as("KVM leaves a #UD queued, which a reused VM would inherit").isTrue();
    }

    @Test
    void vcpusAreCreatedInStepsAndNamedByTheStepsThatUseThem() {
        SpecSet set = parse(withSteps("""
                - set-filter: { default: allow }
                  expect: ok
                - create-vcpu: 0
                  cpuid: later
                - set-cpuid: 0
                - create-vcpu: 1
                - run: [ { rdmsr: 0x10, expect: ok } ]
                  vcpu: 1
                - host-get-msrs: [ { index: 0x10 } ]
                  expect: 1
                  vcpu: 1
                """));
        assertThat(set.errors()).isEmpty();
        Case c = set.cases().get(0);
        assertThat(c.setupCreatesVcpu0()).isFalse();
        assertThat(c.createsVcpus()).isTrue();
        assertThat(c.steps()).extracting(Step::getClass).containsExactly(Step.SetFilter.class, Step.CreateVcpu.class,
                Step.SetCpuid.class, Step.CreateVcpu.class, Step.RunGuest.class, Step.HostGetMsrs.class);
        assertThat(((Step.CreateVcpu) c.steps().get(1)).cpuidLater()).isTrue();
        assertThat(((Step.CreateVcpu) c.steps().get(3))).isEqualTo(new Step.CreateVcpu(1, false, at(12)));
        assertThat(((Step.RunGuest) c.steps().get(4)).vcpu()).isEqualTo(1);
        assertThat(((Step.HostGetMsrs) c.steps().get(5)).vcpu()).isEqualTo(1);
    }

    @Test
    void aStepMayOnlyUseAVcpuThatExistsAndRunOneThatHasItsCpuid() {
        assertThat(errors(withSteps("""
                - run: [ { rdmsr: 0x10, expect: ok } ]
                - create-vcpu: 0
                  cpuid: later
                - run: [ { rdmsr: 0x10, expect: ok } ]
                - host-set-msrs: [ { index: 0x10, value: 1 } ]
                  expect: 1
                  vcpu: 2
                - create-vcpu: 4
                - set-cpuid: 1
                - create-vcpu: 0
                - set-cpuid: 0
                - set-cpuid: 0
                - set-filter: { default: allow }
                  expect: ok
                  vcpu: 0
                - create-vcpu: 1
                  cpuid: soon
                """))).containsExactly(
                AT + "7: cases[0].steps[0]: vCPU 0 does not exist yet: a create-vcpu: 0 step before this one makes it",
                AT + "10: cases[0].steps[2]: vCPU 0 has no CPUID yet: a set-cpuid: 0 step before this one gives it",
                AT + "13: cases[0].steps[3].vcpu: vCPU 2 does not exist yet: a create-vcpu: 2 step before this one makes it",
                AT + "14: cases[0].steps[4].create-vcpu: a case has vCPUs 0 to 3, got 4",
                AT + "15: cases[0].steps[5].set-cpuid: vCPU 1 does not exist yet: a create-vcpu: 1 step before this one makes it",
                AT + "16: cases[0].steps[6].create-vcpu: vCPU 0 exists already: each vCPU is created once",
                AT + "18: cases[0].steps[8].set-cpuid: vCPU 0 has its CPUID already: set-cpuid follows a create-vcpu step with cpuid: later",
                AT + "21: cases[0].steps[9].vcpu: vcpu: belongs to a run, continue, host-set-msrs, host-get-msrs step",
                AT + "23: cases[0].steps[10].cpuid: write cpuid: later (KVM_SET_CPUID2 in a set-cpuid step), or leave it out"
                        + " (right after KVM_CREATE_VCPU), got \"soon\"");
    }

    @Test
    void stepsNeedExactlyOneAction() {
        assertThat(errors(withSteps("""
                - set-filter: { default: allow }
                  run: [ { rdmsr: 0x10, expect: ok } ]
                  expect: ok
                - expect: ok
                - set-filtre: { default: allow }
                  expect: ok
                - run: [ { rdmsr: 0x10, expect: ok } ]
                  expect: ok
                """))).containsExactly(
                AT + "7: cases[0].steps[0]: one action per step, got set-filter and run",
                AT + "10: cases[0].steps[1]: expected one of the actions set-filter, run, continue, host-set-msrs,"
                        + " host-get-msrs, enable-exits, create-vcpu, set-cpuid, check-extension, xen-hvm-config",
                AT + "11: cases[0].steps[2].set-filtre: unknown key;"
                        + " allowed: set-filter, run, continue, host-set-msrs, host-get-msrs, enable-exits, create-vcpu, set-cpuid,"
                        + " check-extension, xen-hvm-config,"
                        + " expect, from, pause, vcpu, cpuid, cap-flags",
                AT + "14: cases[0].steps[3].expect: a run step has no expect: each access states its own");
    }

    @Test
    void accessesAndTheirExpectations() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    vcpu: { exits: [FILTER] }
                    steps:
                      - run:
                          - { rdmsr: 0x10, value: 1, expect: ok }
                          - { wrmsr: 0x10, expect: ok }
                          - { rdmsr: 0x10, wrmsr: 0x10, expect: ok }
                          - { expect: ok }
                          - { wrmsr: 0x10, value: 1, expect: { value: 1 } }
                          - { rdmsr: 0x10, expect: { exit: FILTER, answer: { error: 256 }, then: { exit: FILTER } } }
                          - { rdmsr: 0x10, expect: { exit: FILTER } }
                          - { rdmsr: 0x10, expect: { exit: INVAL, answer: {}, then: { fault: 256 } } }
                          - { rdmsr: 0x10, expect: { value: 1, fault: 13 } }
                          - { rdmsr: 0x10, expect: { vlaue: 1 } }
                          - { rdmsr: 0x10 }
                """)).containsExactly(
                AT + "9: cases[0].steps[0].run[0].value: only a wrmsr has a value: RDMSR writes nothing",
                AT + "10: cases[0].steps[0].run[1].value: required key is missing",
                AT + "11: cases[0].steps[0].run[2]: give one access kind, got rdmsr and wrmsr",
                AT + "12: cases[0].steps[0].run[3]: needs one of rdmsr, wrmsr, fep-rdmsr, fep-rdtsc, fep-wrmsr",
                AT + "13: cases[0].steps[0].run[4].expect: a WRMSR reads no value: expect ok",
                AT + "14: cases[0].steps[0].run[5].expect.answer.error: expected an unsigned 8-bit integer, got 256",
                AT + "14: cases[0].steps[0].run[5].expect.then: the guest outcome after the exit is ok, gp, nonzero,"
                        + " {value: ...} or {fault: ...}: an access has at most one exit",
                AT + "15: cases[0].steps[0].run[6].expect.answer: required key is missing",
                AT + "15: cases[0].steps[0].run[6].expect.then: required key is missing",
                AT + "16: cases[0].steps[0].run[7].expect.exit: exit reason INVAL is not enabled (by vcpu.exits,"
                        + " or the last enable-exits step before), so KVM never exits with it",
                AT + "16: cases[0].steps[0].run[7].expect.then.fault: expected an unsigned 8-bit integer, got 256",
                AT + "17: cases[0].steps[0].run[8].expect.fault: unknown key; allowed: value, mask",
                AT + "18: cases[0].steps[0].run[9].expect: expected ok, gp, nonzero, {value: ...}, {fault: ...}"
                        + ", {kvm-run-fails: ERRNO}, emulation-fails or {exit: ...}, got a map with keys vlaue",
                AT + "19: cases[0].steps[0].run[10].expect: required key is missing");
    }

    @Test
    void hostStepCountsAndMasks() {
        assertThat(errors(withSteps("""
                - host-set-msrs: [ { index: 0x174, value: 1 } ]
                  expect: 2
                - host-get-msrs: [ { index: 0x174, mask: 0xff } ]
                  expect: -1
                """))).containsExactly(
                AT + "8: cases[0].steps[0].expect: KVM_SET_MSRS returns at most the number of entries (1), got 2",
                AT + "9: cases[0].steps[1].host-get-msrs[0].mask: a mask needs a value to compare with",
                AT + "10: cases[0].steps[1].expect: expected an unsigned 32-bit integer, got -1");
    }

    @Test
    void kernelVersionsMustBeQuotedStrings() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    kernel: { since: 5.10, before: "6.x" }
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                  - id: c.two
                    title: t
                    cites: c
                    kernel: { since: "6.1", before: "5.18" }
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                """)).containsExactly(
                AT + "6: cases[0].kernel.since: expected a kernel version string \"X.Y\" or \"X.Y.Z\","
                        + " got 5.10 (a float): quote it, \"5.10\", or YAML reads it as the number 5.1",
                AT + "6: cases[0].kernel.before: expected a kernel version string \"X.Y\" or \"X.Y.Z\", got \"6.x\"",
                AT + "11: cases[1].kernel: empty range: since 6.1 is not before 5.18");
    }

    @Test
    void cpuidPreconditionsNameKnownFeatures() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    vcpu: { cpuid-lacks: [PERFCTR_CORE, SVM, PERFCTR_CORE] }
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                """)).containsExactly(
                AT + "6: cases[0].vcpu.cpuid-lacks[1]: expected a CPUID feature (one of DS, PDCM, PERFCTR_CORE), got \"SVM\"",
                AT + "6: cases[0].vcpu.cpuid-lacks[2]: PERFCTR_CORE is listed twice");
    }

    @Test
    void backportsMustBeEarlierSeriesThanTheirBound() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    kernel: { since: "5.12", backported: ["5.13.2"] }
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                  - id: c.two
                    title: t
                    cites: c
                    kernel: { before: "5.18", backported: ["5.15.40", "5.15.41"] }
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                  - id: c.three
                    title: t
                    cites: c
                    kernel: { since: "5.12", backported: "5.10.27" }
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                """)).containsExactly(
                AT + "6: cases[0].kernel.backported: 5.13.2 is not older than 5.12: a backport lands in an earlier series",
                AT + "11: cases[1].kernel.backported: 5.15.41: the 5.15 series is listed twice",
                AT + "16: cases[2].kernel.backported: expected a list, got \"5.10.27\"");
    }

    @Test
    void idsMustBeLowercaseDottedNames() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: Ranges.First
                    title: t
                    cites: c
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                """)).containsExactly(AT + "3: cases[0].id: \"Ranges.First\" is not a valid id:"
                + " use lowercase letters, digits, '.' and '-', starting with a letter or digit");
    }

    @Test
    void tagsAreRejected() {
        assertThat(errors("""
                area: filter-ranges
                cases:
                  - id: c.one
                    title: !java.lang.Runtime t
                    cites: !!binary aGk=
                    steps: !!set { a }
                """)).containsExactly(
                AT + "4: cases[0].title: unsupported tag !java.lang.Runtime: spec files are plain YAML without tags",
                AT + "5: cases[0].cites: unsupported tag !!binary: spec files are plain YAML without tags",
                AT + "6: cases[0].steps: unsupported tag !!set: spec files are plain YAML without tags");
    }

    @Test
    void aFileMustBeOneMap() {
        assertThat(errors("- a\n- b\n")).containsExactly(
                AT + "1: a spec file is a map with keys area, description, cases, got a list");
        assertThat(errors("just text\n")).containsExactly(
                AT + "1: a spec file is a map with keys area, description, cases, got \"just text\"");
        assertThat(errors("# nothing but a comment\n")).containsExactly(
                AT + "1: empty file: a spec file is a map with keys area, description, cases");
        assertThat(errors("area: filter-ranges\n---\narea: filter-ranges\n")).containsExactly(
                AT + "3: a spec file holds one YAML document; this is a second one");
    }

    @Test
    void areaMustMatchTheFileNameAndAFileLevelErrorDropsAllItsCases() {
        SpecSet set = parse("""
                area: ranges
                cases:
                  - id: c.one
                    title: t
                    cites: c
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                """);

        assertThat(set.errors()).extracting(SpecError::toString).containsExactly(
                AT + "1: area: \"ranges\" does not match the file name: expected \"filter-ranges\"");
        assertThat(set.cases()).isEmpty();
    }

    @Test
    void aliasExpansionIsLimited() {
        StringBuilder yaml = new StringBuilder("area: filter-ranges\nx: &x [1]\ncases:\n");
        yaml.append("  - [").append("*x, ".repeat(SpecLoader.MAX_ALIASES + 1)).append("]\n");

        assertThat(errors(yaml.toString())).containsExactly(AT + "1: YAML error: Number of aliases for"
                + " non-scalar nodes exceeds the specified max=" + SpecLoader.MAX_ALIASES);
    }

    @Test
    void oversizedTextIsNotParsed() {
        String yaml = "area: filter-ranges\n#" + "x".repeat(SpecLoader.MAX_FILE_BYTES) + "\n";

        assertThat(errors(yaml)).containsExactly(AT + "1: file is larger than 1 MiB; not read");
    }

    // ---- Directories: which files are read, in which order, and checks across files ----

    @Test
    void duplicateIdsAcrossFilesAndAreaMismatch() throws URISyntaxException {
        Path dir = Path.of(SpecLoaderTest.class.getResource("/specs-bad").toURI());

        SpecSet set = SpecLoader.load(dir);

        assertThat(set.errors()).extracting(SpecError::toString).containsExactly(
                dir.resolve("beta.yaml") + ":8: cases[1].id: duplicate id \"shared.id\", first defined at "
                        + dir.resolve("alpha.yaml") + ":3",
                dir.resolve("gamma.yaml") + ":1: area: \"not-gamma\" does not match the file name: expected \"gamma\"");
        assertThat(set.cases()).extracting(Case::id).containsExactly("shared.id", "alpha.ok", "beta.ok");
        assertThat(set.cases()).extracting(Case::area).containsExactly("alpha", "alpha", "beta");
        assertThat(set.cases().get(2).source()).isEqualTo(new SourceRef(dir.resolve("beta.yaml"), 3));
    }

    @Test
    void pathsInMessagesAreRelativeAsGiven(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("bad.yaml"), "area: bad\ncases: []\n");
        Path relative = Path.of("").toAbsolutePath().relativize(tmp);

        assertThat(SpecLoader.load(relative).errors()).extracting(SpecError::toString)
                .containsExactly(relative.resolve("bad.yaml") + ":2: cases: must not be empty");
    }

    @Test
    void onlyYamlFilesDirectlyInTheDirectoryAreRead(@TempDir Path dir) throws IOException {
        String valid = """
                area: %s
                cases:
                  - id: %s.ok
                    title: t
                    cites: c
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                """;
        Files.writeString(dir.resolve("b.yaml"), valid.formatted("b", "b"));
        Files.writeString(dir.resolve("a.yaml"), valid.formatted("a", "a"));
        Files.writeString(dir.resolve("notes.txt"), "not a spec");
        Files.writeString(dir.resolve(".hidden.yaml"), "ignored: [");
        Files.writeString(Files.createDirectory(dir.resolve("sub")).resolve("c.yaml"), valid.formatted("c", "c"));
        Files.writeString(dir.resolve("old.yml"), valid.formatted("old", "old"));
        Files.write(dir.resolve("latin1.yaml"), "area: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.writeString(dir.resolve("empty.yaml"), "");
        Files.writeString(dir.resolve("huge.yaml"), "area: huge\n#" + "x".repeat(SpecLoader.MAX_FILE_BYTES) + "\n");
        Files.createSymbolicLink(dir.resolve("link.yaml"), dir.resolve("a.yaml"));

        SpecSet set = SpecLoader.load(dir);

        assertThat(set.cases()).extracting(Case::id).containsExactly("a.ok", "b.ok");
        assertThat(set.errors()).extracting(SpecError::toString).containsExactly(
                dir.resolve("empty.yaml") + ":1: empty file: a spec file is a map with keys area, description, cases",
                dir.resolve("huge.yaml") + ":1: file is larger than 1 MiB (1048589 bytes); not read",
                dir.resolve("latin1.yaml") + ":1: not valid UTF-8; not loaded",
                dir.resolve("link.yaml") + ":1: not a regular file (symlinks are not followed); not loaded",
                dir.resolve("old.yml") + ":1: spec files end in .yaml: rename it to old.yaml (not loaded)");
    }

    @Test
    void loadFileReadsOneFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("one.yaml");
        Files.writeString(file, """
                area: one
                cases:
                  - id: one.ok
                    title: t
                    cites: c
                    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]
                """);

        SpecSet set = SpecLoader.loadFile(file);

        assertThat(set.errors()).isEmpty();
        assertThat(set.cases()).extracting(Case::source).containsExactly(new SourceRef(file, 3));
    }
}
