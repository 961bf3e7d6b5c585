package io.msrconf.cli;

import io.msrconf.pipeline.KnownDeviations;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options every command that runs cases shares: which specs, and which of their cases. */
final class SpecOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--specs", paramLabel = "DIR",
            description = "the spec directory (default: msrconf's own specs/); a relative path is relative to where you are")
    Path specs;

    @Option(names = "--only", paramLabel = "REGEX", description = "run only the cases whose id this regex finds")
    String only = "";

    /** The specs as loaded, with the selection. */
    record Selection(Path specs, Pattern only, SpecSet set, KnownDeviations.Loaded deviations) {
        List<Case> selected() {
            return set.cases().stream().filter(c -> only.matcher(c.id()).find()).toList();
        }
    }

    Path directory() {
        return specs != null ? specs.toAbsolutePath().normalize() : Installation.specs();
    }

    Pattern pattern() {
        try {
            return Pattern.compile(only);
        } catch (PatternSyntaxException e) {
            throw new CommandLine.ParameterException(command.commandLine(), "--only is not a valid regex: " + e.getDescription());
        }
    }

    /** Loads the specs; a directory that does not exist is a usage error. */
    Selection load() {
        Path dir = directory();
        Pattern p = pattern();
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(command.commandLine(), "spec directory " + dir + " does not exist"
                    + (Files.exists(dir) ? " (it is a file: --specs takes the directory that holds the *.yaml files)" : ""));
        }
        return new Selection(dir, p, SpecLoader.load(dir), KnownDeviations.load(KnownDeviations.in(dir)));
    }
}
