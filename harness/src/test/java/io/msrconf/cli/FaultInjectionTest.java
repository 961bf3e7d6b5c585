package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.msrconf.report.SummaryJson;
import io.msrconf.target.GuestKernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * msrconf killed at a random moment with a random signal (SIGINT, SIGTERM or SIGKILL), over and over: after
 * each kill no process of that run is left (found by an environment marker every descendant inherits:
 * QEMU, the Allure generator, the lifelines), the previous results, report and history are intact, and the
 * next run is not refused; at the end one more run succeeds and the history grew. Trials: {@code run} (the
 * emulator, with both HTML reports) and a one-kernel {@code matrix} (Debian 6.1 booted under QEMU). mvn
 * verify makes one of each, a new random one every time ({@code -Dmsrconf.faultTrials=N} for more: 20 is the full check). Each trial is
 * printed: what was killed, when, with what, and what was checked.
 */
class FaultInjectionTest {

    /** One in every mvn verify (each trial of the matrix boots a kernel, twice); 20 for the full check. */
    private static final int TRIALS = Integer.getInteger("msrconf.faultTrials", 1);
    private static final long SEED = Long.getLong("msrconf.faultSeed", System.nanoTime());
    private static final String[] SIGNALS = {"INT", "TERM", "KILL"};
    /** The output of the latest msrconf started, for the message of a failed check. */
    private static final Path LOG;

    static {
        try {
            LOG = Files.createTempFile("msrconf-fault-injection", ".log");
            LOG.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void runKilledAnywhereLeavesNoProcessAndTheReportIntact(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        trials("run", out, List.of("run", "--kvm", "off", "--only", "^ranges\\.", "--out", out.toString()), () -> {
            assertThat(out.resolve("html/index.html")).isRegularFile();
            assertThat(out.resolve("single/index.html")).isRegularFile();
            assertThat(SummaryJson.read(out.resolve("summary.json")).cases()).isNotEmpty();
            return historyEntries(out.resolve("html"));
        });
    }

    @Test
    void aOneKernelMatrixKilledAnywhereLeavesNoQemuAndConsistentResults(@TempDir Path dir) throws Exception {
        GuestKernels.cachedDebian61();
        Path out = dir.resolve("matrix");
        trials("matrix", out, List.of("matrix", "--kernel", "debian:6.1", "--only", "^ranges\\.read-only-range-denies-reads-only$",
                "--out", out.toString()), () -> {
            JsonNode matrix = new ObjectMapper().readTree(out.resolve("matrix.json").toFile());
            for (JsonNode k : matrix.get("kernels")) {
                // every kernel matrix.json names has the summary it points to: never a mix of two runs
                assertThat(out.resolve(k.get("summary").asText())).isRegularFile();
            }
            assertThat(out.resolve("html/index.html")).isRegularFile();
            return historyEntries(out.resolve("html"));
        });
    }

    private interface Intact {
        /** Checks the published results and returns the number of history entries. */
        int check() throws Exception;
    }

    /** Kills land anywhere in a run: within the time the baseline run took. */
    private void trials(String what, Path out, List<String> args, Intact intact) throws Exception {
        Random random = new Random(SEED);
        long started = System.nanoTime();
        Process baseline = start(args, "baseline");
        assertThat(baseline.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(baseline.exitValue()).as("the baseline run of %s:%n%s", what, Files.readString(LOG)).isZero();
        long window = (System.nanoTime() - started) / 1_000_000;
        int history = intact.check();
        System.out.printf("fault injection (%s): seed %d, %d trials, kill within %d ms of the start%n", what, SEED, TRIALS, window);
        for (int trial = 1; trial <= TRIALS; trial++) {
            String marker = UUID.randomUUID().toString();
            Process p = start(args, marker);
            long delay = (long) (random.nextDouble() * window);
            String signal = SIGNALS[random.nextInt(SIGNALS.length)];
            Thread.sleep(delay);
            boolean finishedFirst = !p.isAlive();
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("%s ended after SIG%s", what, signal).isTrue();
            List<Long> left = waitForNoneLeft(marker);
            int now = intact.check();
            System.out.printf("  trial %2d: SIG%-4s after %5d ms%s: exit %3d; processes left: %s; results intact, history %d -> %d%n",
                    trial, signal, delay, finishedFirst ? " (it had already finished)" : "", p.exitValue(), left.isEmpty() ? "none" : left,
                    history, now);
            assertThat(left).as("processes of the killed %s (trial %d)", what, trial).isEmpty();
            assertThat(now).as("history entries after trial %d", trial).isGreaterThanOrEqualTo(history);
            history = now;
        }
        Process last = start(args, "after");
        assertThat(last.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).as("the run after the trials:%n%s", Files.readString(LOG)).isZero();
        assertThat(intact.check()).as("history after a completed run").isGreaterThan(history);
    }

    /** msrconf in a JVM of its own, with a marker in its environment that every descendant inherits. */
    private static Process start(List<String> args, String marker) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        command.addAll(List.of("--specs", Path.of("../specs").toAbsolutePath().toString()));
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(LOG.toFile());
        b.environment().put("MSRCONF_FAULT_TRIAL", marker);
        return b.start();
    }

    /** The processes still carrying the marker, after giving the lifelines a moment to act. */
    private static List<Long> waitForNoneLeft(String marker) throws InterruptedException {
        List<Long> left = List.of();
        for (int i = 0; i < 50; i++) {
            left = withMarker(marker);
            if (left.isEmpty()) {
                return left;
            }
            Thread.sleep(100);
        }
        return left;
    }

    private static List<Long> withMarker(String marker) {
        byte[] needle = ("MSRCONF_FAULT_TRIAL=" + marker).getBytes(StandardCharsets.US_ASCII);
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    byte[] env = Files.readAllBytes(p.resolve("environ"));
                    if (indexOf(env, needle) >= 0) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The entries of the report's trend history (Allure's history/history-trend.json), 0 without one. */
    private static int historyEntries(Path html) throws IOException {
        Path trend = html.resolve("history/history-trend.json");
        return Files.isRegularFile(trend) ? new ObjectMapper().readTree(trend.toFile()).size() : 0;
    }
}
