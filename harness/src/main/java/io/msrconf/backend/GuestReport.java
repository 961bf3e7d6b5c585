package io.msrconf.backend;

import io.msrconf.guest.GuestLayout;
import io.msrconf.vcpu.VcpuExit;
import java.util.Optional;

/** The guest's one report channel (guest ABI): a 32-bit OUT of REPORT_DONE or REPORT_UNEXPECTED to REPORT_PORT. */
final class GuestReport {

    private GuestReport() {
    }

    /** The end of the run this port access reports, or empty when it is not a valid report. */
    static Optional<RunEnd> of(VcpuExit.Io io) {
        if (!isReportShaped(io)) {
            return Optional.empty();
        }
        if (io.data() == GuestLayout.REPORT_DONE) {
            return Optional.of(new RunEnd.Reported());
        }
        if (io.data() == GuestLayout.REPORT_UNEXPECTED) {
            return Optional.of(new RunEnd.UnexpectedException(0, 0, 0, ""));   // ScriptRun.finish reads the details
        }
        return Optional.empty();
    }

    static String describeStray(VcpuExit.Io io) {
        if (isReportShaped(io)) {
            return "the guest reported an unknown value " + io.data() + " on the report port";
        }
        return String.format("unexpected port I/O: %s port 0x%x size %d count %d", io.out() ? "OUT" : "IN", io.port(), io.size(), io.count());
    }

    private static boolean isReportShaped(VcpuExit.Io io) {
        return io.port() == GuestLayout.REPORT_PORT && io.out() && io.size() == 4 && io.count() == 1;
    }
}
