package io.msrconf.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import java.nio.file.Path;

/** Small cases for the backends' self-tests, written in the spec format. */
final class SelfTestCases {

    /** One RDMSR of IA32_SYSENTER_CS: enough to start the payload and see how its run ends. */
    static final Case ONE_READ = parse("""
            area: self-test
            cases:
              - id: self.one-read
                title: one read
                cites: harness self-test
                steps:
                  - run:
                      - { rdmsr: 0x174, expect: ok }
            """);

    private SelfTestCases() {
    }

    static Case parse(String yaml) {
        SpecSet set = SpecLoader.parse(yaml, Path.of("self-test.yaml"));
        assertThat(set.errors()).isEmpty();
        return set.cases().get(0);
    }
}
