package io.msrconf.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A kernel release as major.minor.patch, parsed from {@code uname -r} or from a spec. */
public record KernelVersion(int major, int minor, int patch) implements Comparable<KernelVersion> {

    private static final Pattern LEADING = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** Parses the leading "X.Y[.Z]" of a release string such as "6.18.44-fc-v657". */
    public static KernelVersion parse(String release) {
        Matcher m = LEADING.matcher(release.trim());
        if (!m.find()) {
            throw new IllegalArgumentException("not a kernel version: '" + release + "' (expected X.Y or X.Y.Z)");
        }
        return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    @Override
    public int compareTo(KernelVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + (patch != 0 ? "." + patch : "");
    }
}
