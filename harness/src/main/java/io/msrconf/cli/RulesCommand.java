package io.msrconf.cli;

import io.msrconf.pipeline.RunSummary;
import io.msrconf.report.SummaryJson;
import io.msrconf.spec.Case;
import io.msrconf.spec.ApiRstQuotes;
import io.msrconf.spec.KernelVersion;
import io.msrconf.spec.RuleBook;
import io.msrconf.target.KvmTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code msrconf rules}: the rule table (specs/rules.yaml), each rule with the cases that check it, its
 * coverage, and, given results, how its cases did on each target.
 */
@Command(name = "rules", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"The rules of the API (specs/rules.yaml): for each, the cases that check it and whether it is covered,"
                + " covered in part, untestable here (and why) or missing a case (and what it needs).",
            "With --summary (a run's summary.json, e.g. each kernel's of a matrix), how the rule's cases did on that target,"
                + " on the kvm backend: pass, FAIL, skip, or - (not run)."},
        footer = {"", "Exit status: 0 every rule accounted for; 1 a rule without a case or a reason, a case naming an unknown rule, "
                + "or a malformed table; 2 usage error."})
final class RulesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpecOptions specs;

    @Option(names = "--summary", paramLabel = "FILE", description = "a summary.json whose kvm results to show per rule (repeatable)")
    List<Path> summaries = new ArrayList<>();

    @Option(names = "--api-rst", description = "also check every quote the cases take from api.rst against the api.rst of each"
            + " Debian kernel in the kernel cache (fetch-debian-kernel.sh --docs SERIES): quotes no kernel has, and per kernel"
            + " the quotes its documentation words differently")
    boolean apiRst;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SpecOptions.Selection s = specs.load();
        RuleBook.Loaded table = RuleBook.load(s.specs());
        if (!table.errors().isEmpty()) {
            table.errors().forEach(e -> out.println("RULES ERROR " + e));
            return ExitStatus.FAILED;
        }
        List<RunSummary> results = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (Path p : summaries) {
            RunSummary r = SummaryJson.read(p.toAbsolutePath());
            results.add(r);
            targets.add(r.environment().getOrDefault("kernel.release", p.toString()) + " (" + r.environment().getOrDefault("kvm.module", "?") + ")");
        }
        List<RuleBook.Coverage> coverage = RuleBook.coverage(table.rules(), s.set().cases());
        for (int t = 0; t < targets.size(); t++) {
            out.println("target " + (char) ('A' + t) + ": " + targets.get(t));
        }
        for (RuleBook.Coverage c : coverage) {
            StringBuilder line = new StringBuilder(String.format("%2d  %-16s", c.rule().id(), c.status()));
            for (RunSummary r : results) {
                line.append(String.format(" %-5s", statusOn(r, c.cases())));
            }
            out.println(line.append("  ").append(c.rule().rule()));
            if (!c.cases().isEmpty()) {
                out.println("      cases: " + c.cases().stream().map(Case::id).collect(Collectors.joining(", ")));
            }
            String why = c.rule().untestable() != null ? c.rule().untestable() : c.rule().missing() != null ? c.rule().missing()
                    : c.rule().part();
            if (why != null) {
                out.println("      " + (c.cases().isEmpty() ? "why: " : "not covered: ") + why);
            }
        }
        long covered = coverage.stream().filter(c -> !c.cases().isEmpty()).count();
        long untestable = coverage.stream().filter(c -> c.status().equals("untestable here")).count();
        out.println(covered + " of " + coverage.size() + " rules have cases (" + coverage.stream().filter(c -> c.status().equals("covered in part"))
                .count() + " of them in part); " + untestable + " untestable here; " + (coverage.size() - covered - untestable) + " missing");
        List<String> problems = new ArrayList<>(RuleBook.problems(table.rules(), s.set().cases()));
        if (apiRst) {
            problems.addAll(checkQuotes(out, s.set().cases()));
        }
        problems.forEach(p -> out.println("PROBLEM " + p));
        return problems.isEmpty() && !s.set().hasErrors() ? ExitStatus.OK : ExitStatus.FAILED;
    }

    /** Prints the drift of the cases' api.rst quotes per kernel; returns the misquotes (and missing documents) as problems. */
    private static List<String> checkQuotes(PrintWriter out, List<Case> cases) {
        KvmTarget.CachedApiRst cached = KvmTarget.cachedApiRst(KvmTarget.defaultCache());
        List<String> problems = new ArrayList<>();
        cached.missing().forEach(series -> problems.add("the api.rst of " + series + " is not in " + KvmTarget.defaultCache()
                + " (bash matrix/fetch-debian-kernel.sh --docs " + series + " " + KvmTarget.defaultCache() + ")"));
        Map<KernelVersion, String> docs = new LinkedHashMap<>();
        for (Map.Entry<KernelVersion, Path> d : cached.documents().entrySet()) {
            try {
                docs.put(d.getKey(), Files.readString(d.getValue()));
            } catch (IOException e) {
                problems.add("cannot read " + d.getValue() + ": " + e.getMessage());
            }
        }
        ApiRstQuotes.Check check = ApiRstQuotes.check(cases, docs);
        out.println(check.quotes() + " quotes of api.rst checked against " + docs.keySet() + "; drifted: " + check.drifted().size());
        check.drifted().forEach(d -> out.println("  " + d));
        problems.addAll(check.misquoted());
        return problems;
    }

    /** How a rule's cases did on the kvm backend of one run: FAIL if any failed, pass if any passed, else skip; - if none ran. */
    private static String statusOn(RunSummary r, List<Case> cases) {
        List<RunSummary.Status> statuses = r.cases().stream()
                .filter(e -> e.backend().equals("kvm") && cases.stream().anyMatch(c -> c.id().equals(e.id())))
                .map(RunSummary.CaseEntry::status).toList();
        if (statuses.isEmpty()) {
            return "-";
        }
        if (statuses.contains(RunSummary.Status.FAILED)) {
            return "FAIL";
        }
        return statuses.contains(RunSummary.Status.PASSED) ? "pass" : "skip";
    }
}
