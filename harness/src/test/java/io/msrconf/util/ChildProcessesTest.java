package io.msrconf.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child under its lifeline: its output and exit status are the command's, and nothing of it outlives it. */
class ChildProcessesTest {

    @Test
    void theExitStatusAndOutputAreTheCommandsAndNothingIsLeftBehind(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Process p = ChildProcesses.start(new ProcessBuilder("/bin/sh", "-c", "sleep 0.3; echo done; exit 3")
                .redirectErrorStream(true).redirectOutput(out.toFile()));
        Thread.sleep(150);
        // the command and the lifeline's watcher, both running by now
        List<ProcessHandle> descendants = p.descendants().toList();
        assertThat(descendants).hasSizeGreaterThanOrEqualTo(2);

        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(Files.readString(out)).isEqualTo("done\n");
        for (ProcessHandle h : descendants) {
            // not even a zombie: an unreaped watcher would wait in /proc for init to reap it
            assertThat(Path.of("/proc", Long.toString(h.pid()))).as("process %d of the lifeline", h.pid()).doesNotExist();
        }
        assertThat(ChildProcesses.running()).isZero();
    }
}
