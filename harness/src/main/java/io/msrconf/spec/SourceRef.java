package io.msrconf.spec;

import java.nio.file.Path;

/** Where something was written: a spec file and a 1-based line, for error and failure messages. */
public record SourceRef(Path file, int line) {

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
