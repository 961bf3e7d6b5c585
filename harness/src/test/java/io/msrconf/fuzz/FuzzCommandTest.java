package io.msrconf.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.cli.FuzzCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FuzzCommandTest {

    private record Run(int status, String out, String err) {
    }

    private static Run fuzz(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = FuzzCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aShortCampaignAgreesAndReportsThroughputAndSeed() {
        Run run = fuzz("--tries", "20", "--seed", "123");
        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.out()).contains("20 cases").contains("accesses/s").contains("0 disagreements")
                .contains("seed 123 (repeat: msrconf fuzz --tries 20 --seed 123)");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(fuzz("--tries", "5", "--seconds", "5").status()).isEqualTo(2);
        assertThat(fuzz("--tries", "many").err()).contains("--tries takes an integer");
        assertThat(fuzz("--bogus").status()).isEqualTo(2);
        assertThat(fuzz("--tries", "0").status()).isEqualTo(2);
    }
}
