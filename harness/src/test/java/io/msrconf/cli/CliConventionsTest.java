package io.msrconf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.kvm.local.LocalKvm;
import io.msrconf.report.ResultsDirectory;
import io.msrconf.spec.TestSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line behaves as command lines do: help on stdout with status 0 for every command, a
 * version, usage errors that name what is wrong with status 2, and the exit statuses of {@link ExitStatus}
 * for runs that tested nothing or selected nothing.
 */
class CliConventionsTest {

    @TempDir
    Path tmp;

    private static final List<String> COMMANDS = List.of("run", "list", "compare", "bisect-run", "matrix", "kernel-mutants", "fuzz", "bench");

    @ParameterizedTest
    @ValueSource(strings = {"run", "list", "compare", "bisect-run", "matrix", "kernel-mutants", "fuzz", "bench"})
    void everyCommandHasHelpOnStdoutWithStatusZero(String command) {
        for (List<String> args : List.of(List.of(command, "--help"), List.of(command, "-h"), List.of("help", command))) {
            BisectRunCommandTest.Run r = BisectRunCommandTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as("%s", args).isZero();
            assertThat(r.out()).as("%s", args).startsWith("Usage: msrconf " + command);
            assertThat(r.err()).as("%s", args).isEmpty();
        }
    }

    @Test
    void theTopLevelHelpAndVersion() {
        BisectRunCommandTest.Run help = BisectRunCommandTest.run("--help");
        assertThat(help.code()).isZero();
        COMMANDS.forEach(c -> assertThat(help.out()).contains("\n  " + c + " "));
        assertThat(help.out()).contains("Exit status:", " 3   a requested backend tested nothing");
        BisectRunCommandTest.Run version = BisectRunCommandTest.run("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("msrconf ");
    }

    @Test
    void usageErrorsNameWhatIsWrong() {
        BisectRunCommandTest.Run unknownCommand = BisectRunCommandTest.run("frobnicate");
        assertThat(unknownCommand.code()).isEqualTo(ExitStatus.USAGE);
        assertThat(unknownCommand.err()).startsWith("msrconf: unknown command 'frobnicate' (commands: run, list, rules, compare, bisect-run, matrix, merge, kernel-mutants, fuzz, bench, help)");
        assertThat(unknownCommand.out()).isEmpty();

        BisectRunCommandTest.Run unknownOption = BisectRunCommandTest.run("run", "--frobnicate");
        assertThat(unknownOption.code()).isEqualTo(ExitStatus.USAGE);
        assertThat(unknownOption.err()).startsWith("msrconf run: Unknown option: '--frobnicate'");

        BisectRunCommandTest.Run badValue = BisectRunCommandTest.run("run", "--backend", "qemu");
        assertThat(badValue.code()).isEqualTo(ExitStatus.USAGE);
        assertThat(badValue.err()).contains("--backend", "'qemu'", "kvm, emulator, both");

        BisectRunCommandTest.Run noCommand = BisectRunCommandTest.run();
        assertThat(noCommand.code()).isEqualTo(ExitStatus.USAGE);
        assertThat(noCommand.err()).contains("no command given");
    }

    @Test
    void aSelectionOfNothingIsItsOwnStatus() throws IOException {
        BisectRunCommandTest.Run none = BisectRunCommandTest.run("run", "--specs", TestSpecs.DIR.toString(), "--only", "^nomatch$",
                "--out", tmp.resolve("out").toString());
        assertThat(none.code()).isEqualTo(ExitStatus.NOTHING_SELECTED);
        assertThat(none.err()).contains("--only '^nomatch$' selects none of the");

        Path empty = Files.createDirectory(tmp.resolve("empty-specs"));
        BisectRunCommandTest.Run noSpecs = BisectRunCommandTest.run("run", "--specs", empty.toString(), "--out", tmp.resolve("out").toString());
        assertThat(noSpecs.code()).isEqualTo(ExitStatus.NOTHING_SELECTED);
        assertThat(noSpecs.err()).contains("no spec case in " + empty);

        BisectRunCommandTest.Run specsIsAFile = BisectRunCommandTest.run("run", "--specs", TestSpecs.DIR.resolve("x2apic.yaml").toString());
        assertThat(specsIsAFile.code()).isEqualTo(ExitStatus.USAGE);
        assertThat(specsIsAFile.err()).contains("it is a file");
    }

    @Test
    void aRequestedBackendThatTestedNothingIsItsOwnStatus() {
        BisectRunCommandTest.Run emulator = BisectRunCommandTest.run("run", "--backend", "emulator", "--no-html",
                "--specs", TestSpecs.DIR.toString(), "--only", "^x2apic\\.", "--out", tmp.resolve("emu").toString());
        assertThat(emulator.code()).as(emulator.out() + emulator.err()).isEqualTo(ExitStatus.OK);

        if (LocalKvm.unavailableReason().isPresent()) {
            // --kvm host: without /dev/kvm the default would boot a QEMU target instead.
            BisectRunCommandTest.Run kvm = BisectRunCommandTest.run("run", "--backend", "kvm", "--kvm", "host", "--no-html",
                    "--specs", TestSpecs.DIR.toString(), "--only", "^x2apic\\.", "--out", tmp.resolve("kvm").toString());
            assertThat(kvm.code()).as(kvm.out() + kvm.err()).isEqualTo(ExitStatus.NOTHING_TESTED);
            assertThat(kvm.err()).contains("the kvm backend tested nothing", "--backend emulator");
        }
    }

    @Test
    void anOutputDirectoryMsrconfDidNotMakeIsLeftAlone() throws IOException {
        Path home = Files.createDirectory(tmp.resolve("home"));
        Path precious = Files.writeString(home.resolve("notes.txt"), "mine");
        Files.createDirectory(home.resolve("html"));
        BisectRunCommandTest.Run r = BisectRunCommandTest.run("run", "--backend", "emulator", "--no-html",
                "--specs", TestSpecs.DIR.toString(), "--only", "^x2apic\\.", "--out", home.toString());
        assertThat(r.code()).isEqualTo(ExitStatus.HARNESS_ERROR);
        assertThat(r.err()).contains(home + " is not empty and was not made by msrconf");
        assertThat(precious).hasContent("mine");
        assertThat(home.resolve("html")).isDirectory();
        assertThat(home.resolve(ResultsDirectory.MARKER)).doesNotExist();

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        BisectRunCommandTest.Run onAFile = BisectRunCommandTest.run("run", "--backend", "emulator", "--no-html",
                "--specs", TestSpecs.DIR.toString(), "--only", "^x2apic\\.", "--out", file.toString());
        assertThat(onAFile.code()).isEqualTo(ExitStatus.HARNESS_ERROR);
        assertThat(onAFile.err()).contains("exists and is not a directory");
    }
}
