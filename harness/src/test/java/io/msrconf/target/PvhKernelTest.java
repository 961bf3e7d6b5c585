package io.msrconf.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PvhKernelTest {

    @Test
    void theDebianKernelsYieldAPvhElfOnceAndFromTheCacheAfter(@TempDir Path cache) throws Exception {
        // 5.10 and 6.1 are xz-compressed, 6.12 zstd: both decompressors, whichever kernels are cached
        List<Path> images = KvmTarget.DEBIAN_SERIES.stream().map(s -> KvmTarget.defaultCache().resolve("debian-" + s))
                .filter(Files::isDirectory).map(d -> KvmTarget.debian(d).image()).toList();
        Assumptions.assumeFalse(images.isEmpty(), "no Debian kernel in " + KvmTarget.defaultCache());
        for (Path image : images) {
            Optional<Path> elf = PvhKernel.of(image, cache);
            assertThat(elf).as(image.toString()).isPresent();
            byte[] bytes = Files.readAllBytes(elf.get());
            assertThat(PvhKernel.hasPvhNote(bytes)).isTrue();
            assertThat(bytes.length).isGreaterThan((int) Files.size(image));
            long written = Files.getLastModifiedTime(elf.get()).toMillis();
            assertThat(PvhKernel.of(image, cache)).contains(elf.get());
            assertThat(Files.getLastModifiedTime(elf.get()).toMillis()).isEqualTo(written);
        }
    }

    @Test
    void anythingElseIsBootedAsItIs(@TempDir Path dir) throws Exception {
        Path notAKernel = Files.write(dir.resolve("vmlinuz"), new byte[4096]);
        assertThat(PvhKernel.of(notAKernel, dir.resolve("cache"))).isEmpty();
        assertThat(PvhKernel.of(dir.resolve("missing"), dir.resolve("cache"))).isEmpty();
        assertThat(PvhKernel.hasPvhNote("\u007fELF".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).isFalse();
    }

    @Test
    void aBzImageWithADamagedPayloadIsNotExtracted(@TempDir Path dir) throws Exception {
        Path image = KvmTarget.defaultCache().resolve("debian-6.12");
        Assumptions.assumeTrue(Files.isDirectory(image), "no Debian 6.12 kernel in " + KvmTarget.defaultCache());
        byte[] bytes = Files.readAllBytes(KvmTarget.debian(image).image());
        bytes[bytes.length / 2] ^= 0x55;   // inside the compressed kernel
        bytes[bytes.length / 2 + 1] ^= 0x55;
        assertThat(PvhKernel.extract(bytes)).isEmpty();
    }
}
