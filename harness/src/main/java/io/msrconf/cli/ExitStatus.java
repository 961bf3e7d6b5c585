package io.msrconf.cli;

/**
 * The exit statuses of msrconf's commands, one table (README "Exit statuses" prints the same): a script
 * or a CI job can tell "tested and fine" from every way of "not fine". {@code bisect-run} answers in git
 * bisect's own codes instead ({@link BisectRunCommand}).
 */
public final class ExitStatus {

    /** Every requested backend ran at least one case, and nothing failed. */
    public static final int OK = 0;
    /** A case failed (or a known deviation no longer reproduces, or an input file is malformed). */
    public static final int FAILED = 1;
    /** The command line is wrong: an unknown command or option, a bad value, a missing file. */
    public static final int USAGE = 2;
    /** A requested backend tested nothing: every case was skipped on it (e.g. no usable KVM here). */
    public static final int NOTHING_TESTED = 3;
    /** No case was selected: --only matched none, or the spec directory holds no case. */
    public static final int NOTHING_SELECTED = 4;
    /** msrconf itself could not do its job: the output directory cannot be written or is in use, a tool broke. */
    public static final int HARNESS_ERROR = 5;

    /** The table for every command's help (bisect-run's replaces it with git's codes), status to meaning. */
    public static final java.util.Map<String, String> TABLE = table();

    private static java.util.Map<String, String> table() {
        java.util.Map<String, String> t = new java.util.LinkedHashMap<>();
        t.put(" " + OK, "every requested backend ran at least one case, and nothing failed");
        t.put(" " + FAILED, "a case failed, a known deviation no longer reproduces, or a spec file is malformed");
        t.put(" " + USAGE, "usage error (unknown command or option, bad value, missing file)");
        t.put(" " + NOTHING_TESTED, "a requested backend tested nothing (every case skipped there, e.g. no usable KVM)");
        t.put(" " + NOTHING_SELECTED, "no case selected (--only matched none, or no spec case at all)");
        t.put(" " + HARNESS_ERROR, "msrconf could not do its job (output directory unwritable or in use, a tool failed)");
        return java.util.Collections.unmodifiableMap(t);
    }

    private ExitStatus() {
    }
}
