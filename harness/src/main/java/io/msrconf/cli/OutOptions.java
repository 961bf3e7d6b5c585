package io.msrconf.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a command's results go. */
final class OutOptions {

    @Option(names = "--out", paramLabel = "DIR",
            description = "the results directory (default: msrconf's reports/out, or reports/matrix for matrix); "
                    + "a relative path is relative to where you are; msrconf writes only into a directory it made")
    Path out;

    Path directory(Path fallback) {
        return out != null ? out.toAbsolutePath().normalize() : fallback;
    }
}
