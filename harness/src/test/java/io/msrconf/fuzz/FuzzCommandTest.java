package io.msrconf.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.cli.MainAccess;
import io.msrconf.target.OpenedTarget;
import io.msrconf.target.TestTargets;
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
    void withoutAKvmNothingIsCheckedAndThatIsItsOwnStatus() {
        Run run = fuzz("--tries", "20", "--seed", "123", "--kvm", "off");
        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(3);
        assertThat(run.err()).contains("nothing can be checked without a KVM (--kvm off)");
    }

    @Test
    void aShortCampaignOnTheBootedGuestAgreesWithTheModel() {
        OpenedTarget guest = TestTargets.guest();
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        Campaign.Stats st = Campaign.run(guest.kvm(), 123, 20L, 60, new PrintStream(report, true, StandardCharsets.UTF_8));
        assertThat(st.cases()).isEqualTo(20);
        assertThat(st.cases() - st.skipped()).as("checked cases; skipped: %s", st.skipReasons()).isPositive();
        assertThat(st.accesses()).isPositive();
        assertThat(st.disagreements()).as(report.toString(StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(fuzz("--tries", "5", "--seconds", "5").status()).isEqualTo(2);
        assertThat(fuzz("--tries", "many").err()).contains("--tries", "'many'");
        assertThat(fuzz("--bogus").status()).isEqualTo(2);
        assertThat(fuzz("--tries", "0").status()).isEqualTo(2);
    }
}
