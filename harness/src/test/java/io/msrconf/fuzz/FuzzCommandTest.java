package io.msrconf.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.cli.MainAccess;
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
        int status = MainAccess.run(prepend("fuzz", args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void aShortCampaignAgreesAndReportsThroughputAndSeed() {
        Run run = fuzz("--tries", "20", "--seed", "123");
        if (io.msrconf.kvm.local.LocalKvm.unavailableReason().isPresent()) {
            assertThat(run.status()).as("nothing was checked without KVM: " + run.out()).isEqualTo(3);
            assertThat(run.err()).contains("nothing was checked");
            return;
        }
        assertThat(run.status()).as(run.out()).isZero();
        assertThat(run.out()).contains("20 cases").contains("accesses/s").contains("0 disagreements")
                .contains("seed 123 (repeat: msrconf fuzz --tries 20 --seed 123)");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(fuzz("--tries", "5", "--seconds", "5").status()).isEqualTo(2);
        assertThat(fuzz("--tries", "many").err()).contains("--tries", "'many'");
        assertThat(fuzz("--bogus").status()).isEqualTo(2);
        assertThat(fuzz("--tries", "0").status()).isEqualTo(2);
    }
}
