package io.msrconf.backend;

import io.msrconf.guest.GuestLayout;
import java.util.Optional;

/** The guest's one report channel (guest ABI): a 32-bit OUT of REPORT_DONE or REPORT_UNEXPECTED to REPORT_PORT. */
final class GuestReport {

    private GuestReport() {
    }

    /** The end of the run this port write reports, or empty when it is not a valid report. */
    static Optional<RunEnd> of(int port, boolean out, int size, int count, long value) {
        if (port != GuestLayout.REPORT_PORT || !out || size != 4 || count != 1) {
            return Optional.empty();
        }
        if (value == GuestLayout.REPORT_DONE) {
            return Optional.of(new RunEnd.Reported());
        }
        if (value == GuestLayout.REPORT_UNEXPECTED) {
            return Optional.of(new RunEnd.UnexpectedException(0, 0, 0, ""));   // ScriptRun.finish reads the details
        }
        return Optional.empty();
    }

    static String describeStray(int port, boolean out, int size, int count, long value) {
        if (port == GuestLayout.REPORT_PORT && out && size == 4 && count == 1) {
            return "the guest reported an unknown value " + value + " on the report port";
        }
        return String.format("unexpected port I/O: %s port 0x%x size %d count %d", out ? "OUT" : "IN", port, size, count);
    }
}
