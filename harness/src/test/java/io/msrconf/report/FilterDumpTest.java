package io.msrconf.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.msrconf.filter.FilterRange;
import io.msrconf.spec.Citation;
import io.msrconf.filter.MsrFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterDumpTest {

    @Test
    void showsTheStructAndEachBitmapAsTheKernelCopiesIt() {
        MsrFilter f = new MsrFilter(MsrFilter.DEFAULT_DENY, List.of(
                FilterRange.allowing(MsrFilter.RANGE_READ, 0x174, 3, 0x174),
                new FilterRange(0, 0, 0, null)));
        String hex = FilterDump.hex(f);
        assertThat(hex).startsWith("struct kvm_msr_filter (392 bytes):\n  +000  01 00 00 00 00 00 00 00");
        assertThat(hex).contains("  +008  01 00 00 00 03 00 00 00 74 01 00 00 00 00 00 00 pp pp pp pp pp pp pp pp"
                + "  range[0]: flags, nmsrs, base, padding, bitmap -> bitmap 0");
        assertThat(hex).contains("  +020  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                + "  range[1]: flags, nmsrs, base, padding, bitmap = NULL");
        // ranges 2 to 15 are 24 zero bytes each, like range 1: one line up to the struct's last byte
        assertThat(hex).contains("  *      range[2] to range[15]: all 00 like range[1] (to +187)\n").doesNotContain("  +038  ");
        assertThat(hex).contains("bitmap 0 (8 bytes copied by the kernel):\n  +000  01 00 00 00 00 00 00 00");
    }

    @Test
    void repeatedBitmapLinesAreFoldedAsHexdumpDoes() {
        byte[] bitmap = new byte[256];
        java.util.Arrays.fill(bitmap, (byte) 0xff);
        bitmap[255] = 0x7f;   // the last line differs
        MsrFilter f = new MsrFilter(MsrFilter.DEFAULT_ALLOW, List.of(new FilterRange(MsrFilter.RANGE_READ, 0x800, 0, bitmap),
                new FilterRange(0, 0, 0, null), new FilterRange(MsrFilter.RANGE_WRITE, 1, 0x174, new byte[] {0})));
        String hex = FilterDump.hex(f);
        String ffLine = String.join(" ", java.util.Collections.nCopies(32, "ff"));
        assertThat(hex).contains("bitmap 0 (256 bytes copied by the kernel):\n  +000  " + ffLine + "\n"
                + "  *      the line above again, to +0df\n  +0e0  " + String.join(" ", java.util.Collections.nCopies(31, "ff")) + " 7f\n");
        // an empty range between two real ones is shown (it is not like the range before it), the empty ones after range 2 folded
        assertThat(hex).contains("range[1]: flags, nmsrs, base, padding, bitmap = NULL")
                .contains("  *      range[4] to range[15]: all 00 like range[3] (to +187)");
    }

    @Test
    void citationsLinkToTheDocSectionTheFunctionsAndTheCommits() {
        Citation c = new Citation(List.of(new Citation.ApiRst("KVM_X86_SET_MSR_FILTER", "q"), new Citation.Note("n"),
                new Citation.Code("kvm_msr_allowed()", "6.12.117", "q"), new Citation.Code("x86.c", "", ""), new Citation.Code("arch/x86/kvm/x86.c", "", ""),
                new Citation.Commit("ac8d6cad3c7b", "KVM: x86: Only do MSR filtering when access MSR by rdmsr/wrmsr"),
                new Citation.ApiRst("KVM_X86_SET_MSR_FILTER", "another quote"), new Citation.ApiRst("5. The kvm_run structure", "q")));
        assertThat(CitationLinks.of(c)).containsExactly(
                new CitationLinks.Link("api.rst: KVM_X86_SET_MSR_FILTER", "https://docs.kernel.org/virt/kvm/api.html#kvm-x86-set-msr-filter"),
                new CitationLinks.Link("kvm_msr_allowed()", "https://elixir.bootlin.com/linux/latest/A/ident/kvm_msr_allowed"),
                new CitationLinks.Link("arch/x86/kvm/x86.c", "https://elixir.bootlin.com/linux/latest/source/arch/x86/kvm/x86.c"),
                new CitationLinks.Link("commit ac8d6cad3c7b", "https://git.kernel.org/linus/ac8d6cad3c7b"),
                new CitationLinks.Link("api.rst: 5. The kvm_run structure", "https://docs.kernel.org/virt/kvm/api.html#the-kvm-run-structure"));
    }
}
