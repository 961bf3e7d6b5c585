package io.msrconf.spec;

import java.nio.file.Path;

/**
 * Where the tests find the repository's specs and their scratch output: the directories Maven's
 * surefire configuration names (harness/pom.xml), with the module-relative defaults when a test runs
 * outside Maven. Test configuration only: the product takes its inputs as values.
 */
public final class TestSpecs {

    /** The repository's spec directory. */
    public static final Path DIR = Path.of(System.getProperty("msrconf.specs", "../specs"));

    private TestSpecs() {
    }

    /** A file or directory under the module's target/ directory. */
    public static Path target(String name) {
        return Path.of("target").resolve(name);
    }

    /** Every spec of the repository, loaded. */
    public static SpecSet load() {
        return SpecLoader.load(DIR);
    }
}
