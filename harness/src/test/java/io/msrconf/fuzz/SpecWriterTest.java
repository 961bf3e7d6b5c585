package io.msrconf.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.backend.EmulatorBackend;
import io.msrconf.spec.Access;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.spec.SpecWriter;
import io.msrconf.spec.Step;
import io.msrconf.spec.TestSpecs;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What SpecWriter writes is a spec the loader reads back to the same case. */
class SpecWriterTest {

    /** Cases from a file carry their file and line; the comparison is about content. */
    static Case unsourced(Case c) {
        List<Step> steps = c.steps().stream().map(SpecWriterTest::unsourced).toList();
        return new Case(c.id(), c.title(), c.area(), c.citation(), c.kernels(), c.vcpu(), steps, Generators.GENERATED, c.requires(),
                c.rules());
    }

    private static Step unsourced(Step s) {
        return s.accept(new Step.Visitor<Step>() {
            @Override
            public Step setFilter(Step.SetFilter f) {
                return new Step.SetFilter(f.filter(), f.expectedErrno(), Generators.GENERATED);
            }

            @Override
            public Step runGuest(Step.RunGuest r) {
                Step.Resume resume = r.resume() == null ? null : new Step.Resume(r.resume().from(),
                        r.resume().inExit() == null ? null : unsourced(r.resume().inExit()), r.resume().total());
                return new Step.RunGuest(r.accesses().stream().map(SpecWriterTest::unsourced).toList(), r.vcpu(), resume, r.pause(),
                        Generators.GENERATED);
            }

            @Override
            public Step hostSetMsrs(Step.HostSetMsrs h) {
                return new Step.HostSetMsrs(h.msrs(), h.expectedCount(), h.vcpu(), Generators.GENERATED);
            }

            @Override
            public Step hostGetMsrs(Step.HostGetMsrs h) {
                return new Step.HostGetMsrs(h.msrs(), h.expectedCount(), h.vcpu(), Generators.GENERATED);
            }

            @Override
            public Step checkExtension(Step.CheckExtension e) {
                return new Step.CheckExtension(e.capName(), e.cap(), e.expectedValue(), Generators.GENERATED);
            }

            @Override
            public Step createVcpu(Step.CreateVcpu v) {
                return new Step.CreateVcpu(v.id(), v.cpuidLater(), Generators.GENERATED);
            }

            @Override
            public Step setCpuid(Step.SetCpuid v) {
                return new Step.SetCpuid(v.id(), Generators.GENERATED);
            }

            @Override
            public Step enableExits(Step.EnableExits e) {
                return new Step.EnableExits(e.mask(), e.capFlags(), e.expectedErrno(), Generators.GENERATED);
            }

            @Override
            public Step xenHvmConfig(Step.XenHvmConfig x) {
                return new Step.XenHvmConfig(x.msr(), x.blobPages(), x.expectedErrno(), Generators.GENERATED);
            }
        });
    }

    private static Access unsourced(Access a) {
        return new Access(a.op(), a.index(), a.value(), a.exit(), a.guest(), Generators.GENERATED);
    }

    private static Case roundTrip(Case c) {
        String yaml = SpecWriter.file(c.area(), List.of(c));
        SpecSet set = SpecLoader.parse(yaml, Path.of(c.area() + ".yaml"));
        assertThat(set.errors()).as(yaml).isEmpty();
        assertThat(set.cases()).as(yaml).hasSize(1);
        return set.cases().get(0);
    }

    @Test
    void generatedCasesAndTheirObservedExpectationsReadBackEqual() {
        Random random = new Random(7);
        try (EmulatorBackend model = EmulatorBackend.create()) {
            for (int i = 0; i < 40; i++) {
                Case generated = Generators.next(random);
                assertThat(unsourced(roundTrip(generated))).isEqualTo(unsourced(generated));
                assertThat(model.cannotRun(generated)).isEmpty();
                Case observed = ObservedCase.expectingObserved(generated, model.run(generated), "fuzz.observed-" + i);
                assertThat(unsourced(roundTrip(observed))).isEqualTo(unsourced(observed));
            }
        }
    }

    @Test
    void everyCaseOfTheSpecsReadsBackEqual() {
        SpecSet specs = SpecLoader.load(TestSpecs.DIR);
        assertThat(specs.cases()).isNotEmpty();
        for (Case c : specs.cases()) {
            assertThat(unsourced(roundTrip(c))).as(c.id()).isEqualTo(unsourced(c));
        }
    }

    @Test
    void observedExpectationsAreWhatTheBackendSaw() {
        Case c = unsourced(SpecLoader.parse("""
                area: fuzz
                cases:
                  - id: fuzz.example
                    title: t
                    cites: c
                    vcpu: { x2apic: false, exits: [FILTER] }
                    steps:
                      - set-filter: { default: deny, ranges: [ { flags: [READ], base: 0x174, nmsrs: 1, allow: all } ] }
                        expect: ok
                      - run:
                          - { rdmsr: 0x174, expect: ok }
                          - { rdmsr: 0x175, expect: { exit: FILTER, answer: { error: 0, data: 0x42 }, then: ok } }
                          - { wrmsr: 0x174, value: 0x1, expect: { exit: FILTER, answer: { error: 1 }, then: ok } }
                """, Path.of("fuzz.yaml")).cases().get(0));
        try (EmulatorBackend model = EmulatorBackend.create()) {
            String yaml = SpecWriter.caseItem(ObservedCase.expectingObserved(c, model.run(c), "fuzz.seen"));
            assertThat(yaml).contains("id: fuzz.seen")
                    .contains("{ rdmsr: 0x174, expect: { value: 0x0 } }")
                    .contains("{ rdmsr: 0x175, expect: { exit: FILTER, data: 0x0, answer: { error: 0, data: 0x42 }, then: { value: 0x42 } } }")
                    .contains("{ wrmsr: 0x174, value: 0x1, expect: { exit: FILTER, data: 0x1, answer: { error: 1, data: 0x0 }, then: gp } }");
        }
    }
}
