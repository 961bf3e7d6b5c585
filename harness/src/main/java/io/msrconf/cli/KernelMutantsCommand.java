package io.msrconf.cli;

import io.msrconf.kernelmutants.HistoricalMutants;
import io.msrconf.kernelmutants.KernelMutantCampaign;
import io.msrconf.kernelmutants.KernelMutantReport;
import io.msrconf.kernelmutants.KvmBuildScripts;
import io.msrconf.kernelmutants.ModuleBuilder;
import io.msrconf.kernelmutants.Mutant;
import io.msrconf.kernelmutants.MutantGenerator;
import io.msrconf.kernelmutants.MutantStatus;
import io.msrconf.kernelmutants.QemuMutantRunner;
import io.msrconf.kernelmutants.SelftestRunner;
import io.msrconf.kernelmutants.SiteList;
import io.msrconf.kernelmutants.SurvivorClassification;
import io.msrconf.report.ResultsDirectory;
import io.msrconf.target.GuestKernel;
import io.msrconf.target.KvmTarget;
import io.msrconf.util.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code msrconf kernel-mutants}: what the suite catches in KVM's own code. Mutants of the 6.12 functions that
 * implement the MSR filter API (kernel-mutants/sites.yaml) and historical patches (kernel-mutants/historical/)
 * are built into KVM modules, booted under QEMU with Debian's 6.12 kernel, and the suite is run on each.
 */
@Command(name = "kernel-mutants", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Mutation testing of KVM itself: mutate the 6.12 MSR-filter code (kernel-mutants/sites.yaml, "
                + "kernel-mutants/historical/*.patch), build the kvm modules of each mutant, boot Debian's 6.12 kernel with them "
                + "under QEMU and run the suite. Score = killed / compiled. A campaign resumes where it stopped (OUT/campaign/); "
                + "the result is OUT/kernel-mutants.json.",
            "Status 0 when the campaign ran, whatever the score; 2 on a usage error; 5 when the build environment, the "
                + "baseline kernel or the output directory is not usable."})
final class KernelMutantsCommand implements Callable<Integer> {

    static final String SERIES = "6.12";

    @Spec
    CommandSpec spec;

    @Option(names = "--list", description = "print every mutant and the counts per operator and function; builds nothing")
    boolean list;

    @Option(names = "--source", paramLabel = "DIR", description = "a kernel source tree with arch/x86/kvm and virt/kvm "
            + "(default: the pristine sources of the prepared build environment)")
    Path source;

    @Option(names = "--sites", paramLabel = "FILE", description = "the site list (default: msrconf's kernel-mutants/sites.yaml)")
    Path sites;

    @Option(names = "--historical", paramLabel = "DIR", description = "the historical patches (default: msrconf's kernel-mutants/historical)")
    Path historical;

    @Option(names = "--scripts", paramLabel = "DIR", description = "where prepare-kvm-build.sh and build-kvm-modules.sh are "
            + "(default: msrconf's matrix/)")
    Path scripts;

    @Option(names = "--specs", paramLabel = "DIR", description = "the spec directory (default: msrconf's own specs/)")
    Path specs;

    @Option(names = "--only", paramLabel = "REGEX", description = "only the mutants whose id this regex finds")
    String only;

    @Option(names = "--limit", paramLabel = "N", description = "at most N mutants (after --only)")
    Integer limit;

    @Option(names = "--historical-only", description = "only the historical mutants")
    boolean historicalOnly;

    @Option(names = "--parallel", paramLabel = "N", description = "kernels booted at the same time (default 2)")
    int parallel = 2;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "a mutant whose suite has not finished by then is killed "
            + "by a timeout (default 300)")
    int timeoutSeconds = 300;

    @Option(names = "--cases", paramLabel = "REGEX", description = "run only the cases whose id this regex finds on each kernel "
            + "(default: every case; a quick campaign over what a change touches)")
    String cases = "";

    @Option(names = "--no-selftest", description = "do not run the kernel's own userspace_msr_exit_test beside the suite on each kernel")
    boolean noSelftest;

    @Option(names = "--rerun", description = "build and run every selected mutant (and the baseline) again, even those finished")
    boolean rerun;

    @Option(names = "--out", paramLabel = "DIR", description = "the campaign directory (default: msrconf's reports/kernel-mutants); "
            + "msrconf writes only into a directory it made")
    Path out;

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cl = spec.commandLine();
        PrintWriter stdout = cl.getOut();
        PrintWriter stderr = cl.getErr();
        if (parallel < 1 || timeoutSeconds < 1 || (limit != null && limit < 1)) {
            throw new CommandLine.ParameterException(cl, "--parallel, --timeout and --limit take a positive whole number");
        }
        Pattern selector;
        try {
            selector = Pattern.compile(only == null ? "" : only);
        } catch (PatternSyntaxException e) {
            throw new CommandLine.ParameterException(cl, "--only is not a valid regex: " + e.getDescription());
        }
        Path home = Installation.home();
        Path sitesFile = path(sites, home.resolve("kernel-mutants/sites.yaml"));
        Path historicalDir = path(historical, home.resolve("kernel-mutants/historical"));
        Path scriptsDir = path(scripts, home.resolve("matrix"));
        if (source != null && !KvmBuildScripts.isSourceRoot(path(source, null))) {
            throw new CommandLine.ParameterException(cl, "--source " + source + ": no arch/x86/kvm/x86.c and virt/kvm under it");
        }
        PrintStream progress = new PrintStream(new WriterOutputStream(stdout), true);
        try {
            KvmBuildScripts env = null;
            Path sourceRoot;
            if (source != null) {
                sourceRoot = path(source, null);
            } else {
                env = KvmBuildScripts.prepare(scriptsDir, SERIES, KvmTarget.defaultCache());
                sourceRoot = KvmBuildScripts.pristineSources(env.environment()).orElseThrow(() -> new ModuleBuilder.EnvironmentProblem(
                        "no pristine KVM sources (arch/x86/kvm, virt/kvm) in the build environment"));
            }
            List<Mutant> mutants = select(loadMutants(sourceRoot, sitesFile, historicalDir), selector);
            if (mutants.isEmpty()) {
                stderr.println("msrconf kernel-mutants: no mutant selected" + (only != null ? " (--only '" + only + "')" : ""));
                return ExitStatus.NOTHING_SELECTED;
            }
            if (list) {
                stdout.print(KernelMutantReport.listing(mutants));
                stdout.flush();
                return ExitStatus.OK;
            }
            return campaign(mutants, sourceRoot, env, scriptsDir, path(out, home.resolve("reports/kernel-mutants")),
                    SurvivorClassification.load(sitesFile.resolveSibling("survivors.yaml")), progress, stdout, stderr);
        } catch (SiteList.Invalid | HistoricalMutants.BadPatch e) {
            stderr.println("msrconf kernel-mutants: " + e.getMessage());
            return ExitStatus.USAGE;
        } catch (ModuleBuilder.EnvironmentProblem | KernelMutantCampaign.BaselineFailed | ResultsDirectory.OutputException e) {
            stderr.println("msrconf kernel-mutants: " + e.getMessage());
            return ExitStatus.HARNESS_ERROR;
        } catch (UncheckedIOException e) {
            stderr.println("msrconf kernel-mutants: " + e.getMessage());
            return ExitStatus.HARNESS_ERROR;
        }
    }

    private int campaign(List<Mutant> mutants, Path sourceRoot, KvmBuildScripts env, Path scriptsDir, Path outDir,
                         SurvivorClassification survivors, PrintStream progress,
                         PrintWriter stdout, PrintWriter stderr) throws InterruptedException {
        if (env == null) {
            // --source only chooses what is mutated; building still needs the prepared environment
            env = KvmBuildScripts.prepare(scriptsDir, SERIES, KvmTarget.defaultCache());
        }
        GuestKernel stock;
        try {
            stock = KvmTarget.debian(KvmTarget.defaultCache().resolve("debian-" + SERIES).toRealPath());
        } catch (IOException | RuntimeException e) {
            throw new ModuleBuilder.EnvironmentProblem("the Debian " + SERIES + " kernel is not in the cache (bash matrix/fetch-debian-kernel.sh "
                    + SERIES + " " + KvmTarget.defaultCache() + "): " + e.getMessage());
        }
        String release = stock.image().getFileName().toString().substring("vmlinuz-".length());
        Path specDir = specs != null ? specs.toAbsolutePath().normalize() : Installation.specs();
        try (ResultsDirectory results = ResultsDirectory.open(outDir)) {
            Path campaignDir = results.published("campaign");
            KvmBuildScripts builder = env.withLogs(campaignDir.resolve("logs"));
            stdout.println("kernel-mutants: " + mutants.size() + " mutants of " + sourceRoot + "; build environment " + env.environment()
                    + "; kernel " + stock.image() + "; campaign " + campaignDir);
            Path selftest = env.environment().resolve("selftests").resolve(SelftestRunner.SELFTEST);
            if (!noSelftest && !Files.isRegularFile(selftest)) {
                throw new ModuleBuilder.EnvironmentProblem("no kernel selftest at " + selftest + " (prepare-kvm-build.sh builds it; --no-selftest runs without)");
            }
            QemuMutantRunner runner = new QemuMutantRunner(stock.image(), specDir, cases, KvmTarget.defaultCache(),
                    Duration.ofSeconds(timeoutSeconds), noSelftest ? Optional.empty() : Optional.of(selftest));
            KernelMutantCampaign campaign = new KernelMutantCampaign(
                    new KernelMutantCampaign.Options(sourceRoot, campaignDir, release, parallel, rerun), builder,
                    runner, noSelftest ? null : runner, progress);
            List<MutantStatus> statuses = campaign.run(mutants);
            KernelMutantReport report = new KernelMutantReport(mutants, statuses, survivors);
            stdout.println();
            stdout.print(report.text());
            stdout.flush();
            try {
                AtomicFiles.write(results.staged("kernel-mutants.json"), report.json());
            } catch (IOException e) {
                throw new ResultsDirectory.OutputException("cannot write kernel-mutants.json: " + e.getMessage(), e);
            }
            results.publish(List.of("kernel-mutants.json"));
            stdout.println();
            stdout.println("kernel-mutants.json: " + results.published("kernel-mutants.json"));
            return ExitStatus.OK;
        }
    }

    private List<Mutant> loadMutants(Path sourceRoot, Path sitesFile, Path historicalDir) {
        List<Mutant> all = new ArrayList<>();
        if (!historicalOnly) {
            all.addAll(MutantGenerator.generate(sourceRoot, SiteList.load(sitesFile)));
        }
        if (Files.isDirectory(historicalDir)) {
            all.addAll(HistoricalMutants.load(historicalDir, sourceRoot));
        } else if (historical != null || historicalOnly) {
            throw new HistoricalMutants.BadPatch("no directory " + historicalDir + " of historical patches");
        }
        return all;
    }

    private List<Mutant> select(List<Mutant> all, Pattern selector) {
        List<Mutant> chosen = all.stream().filter(m -> selector.matcher(m.id()).find()).toList();
        return limit != null && chosen.size() > limit ? chosen.subList(0, limit) : chosen;
    }

    private static Path path(Path given, Path fallback) {
        return Optional.ofNullable(given).map(p -> p.toAbsolutePath().normalize()).orElse(fallback);
    }
}
