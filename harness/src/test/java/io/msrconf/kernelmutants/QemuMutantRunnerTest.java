package io.msrconf.kernelmutants;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A mutant's run is bounded by the unmutated kernel's: four times it, at least 30 s, at most --timeout. */
class QemuMutantRunnerTest {

    private static QemuMutantRunner runner() {
        return new QemuMutantRunner(Path.of("vmlinuz"), Path.of("specs"), "", Path.of("cache"), Duration.ofSeconds(90), Optional.empty());
    }

    @Test
    void theBoundIsFourTimesTheBaselineBetweenTheFloorAndTheTimeout() {
        assertThat(runner().calibrate(Duration.ofSeconds(12))).hasValueSatisfying(s -> assertThat(s)
                .startsWith("each mutant's suite and selftest get 48 s (4 times the unmutated kernel's 12 s, at least 30 s,"
                        + " at most --timeout 90 s)"));
        assertThat(runner().calibrate(Duration.ofSeconds(3))).hasValueSatisfying(s -> assertThat(s).startsWith("each mutant's suite and selftest get 30 s"));
        assertThat(runner().calibrate(Duration.ofSeconds(40))).hasValueSatisfying(s -> assertThat(s).startsWith("each mutant's suite and selftest get 90 s"));
    }
}
