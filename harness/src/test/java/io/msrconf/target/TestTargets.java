package io.msrconf.target;

import io.msrconf.kvm.local.LocalKvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The KVM targets the tests drive, opened once per test JVM and shared:
 * <ul>
 *   <li>{@link #guest()}: {@link KvmTarget#DEFAULT_GUEST} booted under QEMU, on every machine (so the
 *       KVM tests run whether or not this machine has /dev/kvm). It needs QEMU, a static busybox and the
 *       kernel in the cache ({@code .ci/run} provides them; tests never download). Locally a missing
 *       prerequisite skips the test with the reason; in CI (the CI variable is set) it fails it, so real
 *       KVM cannot quietly stop being tested.</li>
 *   <li>{@link #host()}: this machine's /dev/kvm, where it can be used.</li>
 * </ul>
 * The guest is powered off when the JVM exits (and QEMU dies with the JVM in any case).
 */
public final class TestTargets {

    private static OpenedTarget guest;
    private static String guestFailure;
    private static OpenedTarget host;
    private static boolean hostTried;

    private TestTargets() {
    }

    /** The shared booted guest, or the test is skipped (locally) or failed (CI) with the reason. */
    public static synchronized OpenedTarget guest() {
        Optional<String> why = guestUnavailableReason();
        if (why.isPresent()) {
            if (System.getenv("CI") != null) {
                Assertions.fail("CI must test real KVM in a booted kernel, but " + why.get() + " (.ci/run provides it)");
            }
            Assumptions.abort(why.get());
        }
        return guest;
    }

    /** Why the shared guest cannot be used, booting it on the first call. */
    public static synchronized Optional<String> guestUnavailableReason() {
        if (guest != null && guest.alive()) {
            return Optional.empty();
        }
        if (guestFailure != null) {
            return Optional.of(guestFailure);
        }
        if (guest != null) {
            // a test crashed the guest on purpose, or it died: boot a new one for the tests after it
            try {
                guest.restart();
                return Optional.empty();
            } catch (TargetUnavailable e) {
                guestFailure = e.getMessage();
                return Optional.of(guestFailure);
            }
        }
        Optional<String> missing = AgentGuest.unavailableReason();
        String series = KvmTarget.DEFAULT_GUEST.substring("debian:".length());
        Path link = KvmTarget.defaultCache().resolve("debian-" + series);
        if (missing.isEmpty() && !Files.isDirectory(link)) {
            missing = Optional.of("the Debian " + series + " kernel is not in " + KvmTarget.defaultCache()
                    + " (fetch it: bash matrix/fetch-debian-kernel.sh " + series + " " + KvmTarget.defaultCache() + ")");
        }
        if (missing.isPresent()) {
            guestFailure = missing.get();
            return missing;
        }
        try {
            guest = KvmTarget.parse(KvmTarget.DEFAULT_GUEST).open(KvmTarget.defaultCache());
            OpenedTarget booted = guest;
            Runtime.getRuntime().addShutdownHook(new Thread(booted::close, "msrconf-test-guest-poweroff"));
            return Optional.empty();
        } catch (TargetUnavailable e) {
            guestFailure = e.getMessage();
            return Optional.of(guestFailure);
        }
    }

    /** This machine's /dev/kvm, when it can be used. */
    public static synchronized Optional<OpenedTarget> host() {
        if (!hostTried) {
            hostTried = true;
            if (LocalKvm.unavailableReason().isEmpty()) {
                try {
                    host = KvmTarget.parse("host").open(KvmTarget.defaultCache());
                } catch (TargetUnavailable e) {
                    host = null;
                }
            }
        }
        return Optional.ofNullable(host);
    }

    /** Every target the tests can drive here: the host's KVM when usable, then the guest (or its skip/failure). */
    public static List<OpenedTarget> all() {
        List<OpenedTarget> all = new ArrayList<>();
        host().ifPresent(all::add);
        if (guestUnavailableReason().isPresent() && !all.isEmpty() && System.getenv("CI") == null) {
            return all;
        }
        all.add(guest());
        return all;
    }
}
