package io.msrconf.cli;

import io.msrconf.spec.Case;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code msrconf list}: the cases (id, title, where) and any spec errors. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "List the cases (id, title, file:line) and any spec errors.")
final class ListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpecOptions specs;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SpecOptions.Selection s = specs.load();
        List<Case> selected = s.selected();
        selected.forEach(c -> out.println(c.id() + "  " + c.title() + "  (" + c.source() + ")"));
        s.set().errors().forEach(e -> out.println("SPEC ERROR " + e));
        s.deviations().errors().forEach(e -> out.println("KNOWN-DEVIATIONS ERROR " + e));
        if (s.set().hasErrors() || !s.deviations().errors().isEmpty()) {
            return ExitStatus.FAILED;
        }
        if (selected.isEmpty()) {
            spec.commandLine().getErr().println("msrconf list: " + RunCommand.nothingSelected(s));
            return ExitStatus.NOTHING_SELECTED;
        }
        return ExitStatus.OK;
    }
}
