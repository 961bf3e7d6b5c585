package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllureOutputsTest {

    /** The Environment panel shows what Properties.load reads: every key and value must come back whole. */
    @Test
    void theEnvironmentReadsBackAsWrittenWhateverItHolds(@TempDir Path dir) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("A kernel", "6.1.0-50-amd64 kvm_amd");
        env.put("#not a comment", "!not one either");
        env.put("key=with:separators", " leading space, = and : inside\nand a second line \\ backslash");
        env.put("cpu.model", "Ünïcödé CPU — 2 cores");
        AllureOutputs.write(dir, env);
        Properties read = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("environment.properties"))) {
            read.load(in);
        }
        assertThat(read).hasSize(env.size());
        env.forEach((k, v) -> assertThat(read.getProperty(k)).as(k).isEqualTo(v));
    }
}
