package io.msrconf.cli;

import io.msrconf.pipeline.RunListener;
import io.msrconf.pipeline.TestResult;
import java.io.PrintWriter;

/** One line per test as the run goes: its status and headline, then a skip's reason or a failure's explanation. */
final class ConsoleProgress implements RunListener {

    private final PrintWriter out;

    ConsoleProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void testFinished(TestResult r) {
        String label = switch (r.status()) {
            case PASSED -> "passed ";
            case SKIPPED, KNOWN_DEVIATION -> "skipped";
            case FAILED, DEVIATION_NOT_REPRODUCED -> "FAILED ";
        };
        String detail = r.detail().strip();
        out.println(label + " " + r.headline() + (detail.isEmpty() ? "" : "\n        " + detail.replace("\n", "\n        ")));
    }
}
