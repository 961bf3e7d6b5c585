package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Usage errors of {@code msrconf matrix}: exit status 2 and a message naming what is wrong, before anything boots. */
class MatrixCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsAreUsageErrorsThatSayWhatIsWrong() {
        assertThat(run("matrix", "--kernel", "debian:4.19").err)
                .startsWith("msrconf matrix: kernel 'debian:4.19': Debian series must be one of [5.10, 6.1, 6.12]\nUsage: see 'msrconf matrix --help'");
        assertThat(run("matrix", "--kernel", "/no/such/bzImage").err)
                .startsWith("msrconf matrix: kernel image /no/such/bzImage does not exist or is not a file\n");
        assertThat(run("matrix", "--parallel", "0").err).startsWith("msrconf matrix: --parallel and --timeout take a positive whole number\n");
        assertThat(run("matrix", "--timeout", "soon").err).startsWith("msrconf matrix: Invalid value for option '--timeout': 'soon' is not an int\n");
        assertThat(run("matrix", "--kernel", "host", "--kernel", "host").err).startsWith("msrconf matrix: a kernel is named twice\n");
        Run none = run("matrix", "--specs", "../specs", "--only", "^nothing$");
        assertThat(none.code).isEqualTo(4);
        assertThat(none.err).startsWith("msrconf matrix: --only '^nothing$' selects none of the ");
        assertThat(run("matrix", "--specs", "../specs", "--only", "(").err).startsWith("msrconf matrix: --only is not a valid regex: ");
        Run r = run("matrix", "--frobnicate");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.out).isEmpty();
    }
}
