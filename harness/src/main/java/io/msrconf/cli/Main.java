package io.msrconf.cli;

import io.msrconf.backend.Backend;
import io.msrconf.backend.KvmBackend;
import io.msrconf.spec.Case;
import io.msrconf.spec.SpecError;
import io.msrconf.spec.SpecLoader;
import io.msrconf.spec.SpecSet;
import io.msrconf.suite.CaseResult;
import io.msrconf.suite.CaseRunner;
import io.msrconf.suite.HostInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The msrconf command line. {@code run} executes every spec case on this machine's KVM and prints one
 * line per case, then "N passed, M failed, K skipped" and where the detailed results were written.
 * Exit status: 0 when nothing failed, 1 when a case failed or a spec was malformed, 2 on a usage error.
 */
public final class Main {

    private static final String USAGE = """
            usage: msrconf run [--specs DIR] [--out DIR] [--only REGEX]
                     run the spec cases on this machine's KVM (default specs: ./specs, out: ./reports/out)
                   msrconf list [--specs DIR]
                     list the cases and any spec errors
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !(args[0].equals("run") || args[0].equals("list"))) {
            err.print(USAGE);
            return 2;
        }
        Path specs = Path.of("specs");
        Path outDir = Path.of("reports", "out");
        Pattern only = null;
        for (int i = 1; i < args.length; i++) {
            String opt = args[i];
            if (i + 1 >= args.length || !List.of("--specs", "--out", "--only").contains(opt)) {
                err.println("msrconf: unknown or incomplete option '" + opt + "'");
                err.print(USAGE);
                return 2;
            }
            String value = args[++i];
            switch (opt) {
                case "--specs" -> specs = Path.of(value);
                case "--out" -> outDir = Path.of(value);
                default -> only = Pattern.compile(value);
            }
        }
        if (!Files.isDirectory(specs)) {
            err.println("msrconf: spec directory " + specs + " does not exist (run from the repository root, or pass --specs)");
            return 2;
        }
        SpecSet set = SpecLoader.load(specs);
        List<Case> cases = new ArrayList<>();
        for (Case c : set.cases()) {
            if (only == null || only.matcher(c.id()).find()) {
                cases.add(c);
            }
        }
        if (args[0].equals("list")) {
            cases.forEach(c -> out.println(c.id() + "  " + c.title() + "  (" + c.source() + ")"));
            set.errors().forEach(e -> out.println("SPEC ERROR " + e));
            return set.hasErrors() ? 1 : 0;
        }
        return runCases(cases, set.errors(), outDir, out);
    }

    private static int runCases(List<Case> cases, List<SpecError> errors, Path outDir, PrintStream out) {
        HostInfo host = HostInfo.read();
        out.println("msrconf: " + cases.size() + " cases on " + host.describe());
        List<String> report = new ArrayList<>();
        report.add("msrconf run, " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        report.add("host: " + host.describe());
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        try (Backend kvm = KvmBackend.open()) {
            CaseRunner runner = new CaseRunner(kvm, host.kernelVersion());
            for (Case c : cases) {
                CaseResult r = runner.run(c);
                switch (r.status()) {
                    case PASSED -> passed++;
                    case FAILED -> failed++;
                    case SKIPPED -> skipped++;
                }
                out.println(r.describe());
                report.add("");
                report.add(r.describe());
                if (r.observation() != null) {
                    report.add("    observed: " + r.observation());
                }
            }
        }
        for (SpecError e : errors) {
            failed++;
            out.println("FAILED spec error: " + e);
            report.add("");
            report.add("FAILED spec error: " + e);
        }
        String summary = passed + " passed, " + failed + " failed, " + skipped + " skipped";
        report.add("");
        report.add(summary);
        Path file = outDir.resolve("results.txt");
        try {
            Files.createDirectories(outDir);
            Files.write(file, report);
        } catch (IOException e) {
            out.println("msrconf: could not write " + file + ": " + e.getMessage());
        }
        out.println();
        out.println(summary);
        out.println("details: " + file.toAbsolutePath().normalize());
        return failed == 0 ? 0 : 1;
    }
}
