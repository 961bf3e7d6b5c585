package io.msrconf.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The msrconf command line: one subcommand per verb, each with --help (on stdout, status 0), a usage
 * error named and answered with status 2 on stderr, and the exit statuses of {@link ExitStatus}.
 */
@Command(name = "msrconf", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A conformance suite for KVM's userspace MSR filter and MSR exits: the same cases on real KVM "
                + "and on a reference model of it.",
        subcommands = {RunCommand.class, ListCommand.class, RulesCommand.class, CompareCommand.class, BisectRunCommand.class, MatrixCommand.class, MergeCommand.class,
            KernelMutantsCommand.class,
            FuzzCommand.class, BenchCommand.class, AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class},
        footer = {"", "'msrconf COMMAND --help' says more about each command."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandName() + ": " + e);
            e.printStackTrace(commandLine.getErr());
            return ExitStatus.HARNESS_ERROR;
        });
        applyExitStatusTable(cl);
        // the completion script's generator is a tool for the README's recipe, not a verb of the suite
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(true);
        return cl;
    }

    /** Every command's help ends with the exit statuses; bisect-run's with git bisect's. */
    private static void applyExitStatusTable(CommandLine cl) {
        Object user = cl.getCommandSpec().userObject();
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit status:%n")
                .exitCodeList(user instanceof BisectRunCommand ? BisectRunCommand.EXIT_CODES : ExitStatus.TABLE);
        cl.getSubcommands().values().forEach(Main::applyExitStatusTable);
    }

    /** A wrong command line: what is wrong, the command's usage, the status (bisect-run's own for git). */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String command = cl.getCommandSpec().qualifiedName();
        if (e instanceof CommandLine.UnmatchedArgumentException u && cl.getCommandSpec().userObject() instanceof Main
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            // the first word of a command line is the command: say so, and which there are
            err.println(command + ": unknown command '" + u.getUnmatched().get(0) + "' (commands: "
                    + String.join(", ", cl.getSubcommands().keySet().stream().filter(n -> !n.equals("generate-completion")).toList()) + ")");
        } else {
            err.println(command + ": " + e.getMessage());
        }
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Usage: see '" + command + " --help'");
        Object user = cl.getCommandSpec().userObject();
        return user instanceof BisectRunCommand ? BisectRunCommand.ABORT : ExitStatus.USAGE;
    }

    /** Without a command: the overview, on stdout. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "no command given (run, list, compare, bisect-run, matrix, fuzz or bench)");
    }

    /** The version of the running build, from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"msrconf " + (v != null ? v : "(development build, not packaged)"),
                "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
