package io.msrconf.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelRangeTest {

    private static KernelVersion v(String s) {
        return KernelVersion.parse(s);
    }

    @Test
    void aBackportedSinceBoundStartsTheRangeEarlierInThatSeriesOnly() {
        KernelRange r = new KernelRange(v("5.12"), null, List.of(v("5.10.27")));
        assertThat(r.contains(v("5.10.26"))).isFalse();
        assertThat(r.contains(v("5.10.27"))).isTrue();
        assertThat(r.contains(v("5.10.223"))).isTrue();
        assertThat(r.contains(v("5.11.22"))).as("5.11.y got no backport").isFalse();
        assertThat(r.contains(v("5.12"))).isTrue();
        assertThat(r.contains(v("6.18.44"))).isTrue();
        assertThat(r.describe()).isEqualTo(">= 5.12 (in stable series: >= 5.10.27)");
    }

    @Test
    void aBackportedBeforeBoundEndsTheRangeEarlierInThatSeriesOnly() {
        KernelRange r = new KernelRange(KernelRange.FILTER_INTRODUCED, v("5.18"), List.of(v("5.15.40")));
        assertThat(r.contains(v("5.15.39"))).isTrue();
        assertThat(r.contains(v("5.15.40"))).isFalse();
        assertThat(r.contains(v("5.10.223"))).isTrue();
        assertThat(r.contains(v("5.17.15"))).isTrue();
        assertThat(r.contains(v("5.18"))).isFalse();
    }

    @Test
    void withoutBackportsTheRangeIsHalfOpen() {
        KernelRange r = new KernelRange(v("5.12"), v("6.1"));
        assertThat(r.contains(v("5.11.99"))).isFalse();
        assertThat(r.contains(v("5.12"))).isTrue();
        assertThat(r.contains(v("6.0.19"))).isTrue();
        assertThat(r.contains(v("6.1"))).isFalse();
    }
}
