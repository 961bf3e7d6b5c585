package io.msrconf.spec;

import io.msrconf.abi.Msr;
import io.msrconf.filter.BitmapMemory;
import io.msrconf.filter.FilterRange;
import io.msrconf.filter.MsrFilter;
import io.msrconf.abi.Errno;
import io.msrconf.abi.ExitReason;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders a {@link Case} in the specs/*.yaml format: the other half of the spec format, beside the
 * parser ({@link SpecLoader}) and the schema (specs/schema.json). A case found by fuzzing is written so,
 * to be pasted into a spec file after review; what it writes parses back to an equal case (SpecWriterTest).
 */
public final class SpecWriter {

    /** allow:/deny: lists at most this many MSRs; beyond, the bitmap is written out as hex. */
    private static final int MAX_LISTED = 8;

    private SpecWriter() {
    }

    /** A whole spec file of one area: what {@code SpecLoader} reads as {@code AREA.yaml}. */
    public static String file(String area, List<Case> cases) {
        StringBuilder sb = new StringBuilder("# yaml-language-server: $schema=schema.json\narea: ").append(area).append("\ncases:\n");
        cases.forEach(c -> sb.append(caseItem(c)));
        return sb.toString();
    }

    /** One item of a file's {@code cases:} list, indented to be pasted there. */
    public static String caseItem(Case c) {
        StringBuilder sb = new StringBuilder();
        sb.append("  - id: ").append(c.id()).append('\n');
        if (!c.rules().isEmpty()) {
            sb.append("    rules: ").append(c.rules()).append('\n');
        }
        sb.append("    title: ").append(quote(c.title())).append('\n');
        sb.append(cites(c.citation()));
        if (!c.kernels().equals(KernelRange.DEFAULT)) {
            sb.append("    kernel: { since: \"").append(c.kernels().since()).append('"')
              .append(c.kernels().before() == null ? "" : ", before: \"" + c.kernels().before() + "\"")
              .append(c.kernels().backported().isEmpty() ? "" : ", backported: [" + c.kernels().backported().stream()
                      .map(b -> "\"" + b + "\"").collect(java.util.stream.Collectors.joining(", ")) + "]")
              .append(" }\n");
        }
        if (!c.requires().equals(Requirements.NONE)) {
            sb.append("    requires: { module: [").append(String.join(", ", c.requires().modules())).append("], param: {")
              .append(c.requires().parameters().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                      .map(e -> " " + e.getKey() + ": \"" + e.getValue() + "\"").collect(Collectors.joining(",")))
              .append(" }").append(c.requires().cpuVendors().isEmpty() ? "" : ", cpu-vendor: [" + c.requires().cpuVendors().stream()
                      .map(v -> "\"" + v + "\"").collect(Collectors.joining(", ")) + "]")
              .append(c.requires().setParams().isEmpty() ? "" : ", set-param: {" + c.requires().setParams().entrySet().stream()
                      .sorted(java.util.Map.Entry.comparingByKey()).map(e -> " " + e.getKey() + ": \"" + e.getValue() + "\"")
                      .collect(Collectors.joining(",")) + " }").append(" }\n");
        }
        sb.append("    vcpu: ").append(vcpu(c.vcpu())).append('\n');
        sb.append("    steps:\n");
        for (Step step : c.steps()) {
            sb.append(step(step));
        }
        return sb.toString();
    }

    /** A mask as its reasons' names when it has only known bits, else as a raw number. */
    private static String exitMask(int mask) {
        int known = 0;
        List<String> names = new ArrayList<>();
        for (ExitReason r : ExitReason.values()) {
            if ((mask & r.bit) != 0) {
                names.add(r.name());
                known |= r.bit;
            }
        }
        return known == mask ? "[" + String.join(", ", names) + "]" : hex(mask);
    }

    private static String vcpu(VcpuSetup v) {
        String exits = v.userspaceExits().isEmpty() ? ""
                : ", exits: [" + EnumSet.copyOf(v.userspaceExits()).stream().map(Enum::name).collect(Collectors.joining(", ")) + "]";
        String lacks = v.cpuidLacks().isEmpty() ? ""
                : ", cpuid-lacks: [" + EnumSet.copyOf(v.cpuidLacks()).stream().map(Enum::name).collect(Collectors.joining(", ")) + "]";
        return "{ x2apic: " + v.x2apic() + exits + lacks + " }";
    }

    private static String step(Step step) {
        return step.accept(new Step.Visitor<String>() {
            @Override
            public String setFilter(Step.SetFilter s) {
                StringBuilder sb = new StringBuilder("      - set-filter:\n");
                MsrFilter f = s.filter();
                if (f == null) {
                    return "      - set-filter: null\n        expect: " + errno(s.expectedErrno()) + "\n";
                }
                sb.append("          ").append(f.flags() == MsrFilter.DEFAULT_ALLOW ? "default: allow"
                        : f.flags() == MsrFilter.DEFAULT_DENY ? "default: deny" : "flags: " + hex(f.flags())).append('\n');
                if (!f.ranges().isEmpty()) {
                    sb.append("          ranges:\n");
                    for (int i = 0; i < f.ranges().size(); i++) {
                        sb.append("            - ").append(range(f.ranges().get(i), f.bitmapMemory(i))).append('\n');
                    }
                }
                return sb.append("        expect: ").append(errno(s.expectedErrno())).append('\n').toString();
            }

            @Override
            public String checkExtension(Step.CheckExtension e) {
                return "      - check-extension: " + e.capName() + "\n        expect: " + e.expectedValue() + "\n";
            }

            @Override
            public String createVcpu(Step.CreateVcpu v) {
                return "      - create-vcpu: " + v.id() + "\n" + (v.cpuidLater() ? "        cpuid: later\n" : "");
            }

            @Override
            public String setCpuid(Step.SetCpuid v) {
                return "      - set-cpuid: " + v.id() + "\n";
            }

            @Override
            public String xenHvmConfig(Step.XenHvmConfig x) {
                return "      - xen-hvm-config: { msr: " + hex(x.msr()) + ", blob-pages: " + x.blobPages() + " }\n        expect: "
                        + errno(x.expectedErrno()) + "\n";
            }

            @Override
            public String enableExits(Step.EnableExits e) {
                return "      - enable-exits: " + exitMask(e.mask()) + "\n        expect: " + errno(e.expectedErrno()) + "\n"
                        + (e.capFlags() != 0 ? "        cap-flags: " + hex(e.capFlags()) + "\n" : "");
            }

            @Override
            public String runGuest(Step.RunGuest r) {
                StringBuilder sb = new StringBuilder("      - ").append(r.resume() == null ? "run:" : "continue:");
                sb.append(r.accesses().isEmpty() ? " []\n" : "\n");
                r.accesses().forEach(a -> sb.append("          - ").append(access(a)).append('\n'));
                if (r.vcpu() != 0) {
                    sb.append("        vcpu: ").append(r.vcpu()).append('\n');
                }
                if (r.resume() != null) {
                    sb.append("        from: ").append(r.resume().from()).append('\n');
                }
                if (r.pause() != null) {
                    sb.append("        pause: ").append(r.pause()).append('\n');
                }
                return sb.toString();
            }

            @Override
            public String hostSetMsrs(Step.HostSetMsrs h) {
                String msrs = h.msrs().stream().map(m -> "{ index: " + hex(m.index()) + ", value: " + hex(m.value()) + " }")
                        .collect(Collectors.joining(", "));
                return "      - host-set-msrs: [" + msrs + "]\n        expect: " + Integer.toUnsignedString(h.expectedCount()) + "\n"
                        + (h.vcpu() != 0 ? "        vcpu: " + h.vcpu() + "\n" : "");
            }

            @Override
            public String hostGetMsrs(Step.HostGetMsrs h) {
                String msrs = h.msrs().stream().map(m -> "{ index: " + hex(m.index()) + (m.expected().equals(ValueExpectation.ANY) ? ""
                        : ", " + value(m.expected())) + " }").collect(Collectors.joining(", "));
                return "      - host-get-msrs: [" + msrs + "]\n        expect: " + Integer.toUnsignedString(h.expectedCount()) + "\n"
                        + (h.vcpu() != 0 ? "        vcpu: " + h.vcpu() + "\n" : "");
            }
        });
    }

    private static String errno(int errno) {
        String name = Errno.name(errno);
        if (Errno.byName(name).isEmpty()) {
            throw new IllegalArgumentException("the spec format has no name for errno " + errno);
        }
        return name;
    }

    private static String range(FilterRange r, BitmapMemory memory) {
        String flags = switch (r.flags()) {
            case MsrFilter.RANGE_READ -> "[READ]";
            case MsrFilter.RANGE_WRITE -> "[WRITE]";
            case MsrFilter.RANGE_READ | MsrFilter.RANGE_WRITE -> "[READ, WRITE]";
            default -> hex(r.flags());
        };
        return "{ flags: " + flags + ", base: " + hex(r.base()) + ", nmsrs: " + hex(r.nmsrs()) + ", " + bitmap(r)
                + (memory == BitmapMemory.VALID_PADDED ? "" : ", memory: " + SpecLoader.bitmapMemoryName(memory)) + " }";
    }

    /** The shortest form that gives back the same bytes: allow/deny all or a short list, else hex (or null). */
    private static String bitmap(FilterRange r) {
        byte[] bitmap = r.bitmap();
        long nmsrs = Integer.toUnsignedLong(r.nmsrs());
        if (bitmap == null) {
            return "bitmap: null";
        }
        if (bitmap.length != FilterRange.bitmapBytesFor(r.nmsrs()) || !padBitsClear(bitmap, nmsrs)) {
            return "bitmap: \"" + HexFormat.ofDelimiter(" ").formatHex(bitmap) + "\"";
        }
        List<Long> allowed = new ArrayList<>();
        List<Long> denied = new ArrayList<>();
        for (long bit = 0; bit < nmsrs; bit++) {
            ((bitmap[(int) (bit / 8)] >> (int) (bit % 8) & 1) != 0 ? allowed : denied).add(Integer.toUnsignedLong(r.base()) + bit);
        }
        if (allowed.isEmpty()) {
            return "deny: all";
        }
        if (denied.isEmpty()) {
            return "allow: all";
        }
        // A list names MSRs by index, so it cannot name the bits of a range that wraps past 0xffffffff.
        if (allowed.size() <= MAX_LISTED && allowed.stream().allMatch(SpecWriter::isU32)) {
            return "allow: " + msrList(allowed);
        }
        if (denied.size() <= MAX_LISTED && denied.stream().allMatch(SpecWriter::isU32)) {
            return "deny: " + msrList(denied);
        }
        return "bitmap: \"" + HexFormat.ofDelimiter(" ").formatHex(bitmap) + "\"";
    }

    private static boolean isU32(long msr) {
        return msr <= 0xffff_ffffL;
    }

    private static boolean padBitsClear(byte[] bitmap, long nmsrs) {
        return nmsrs % 8 == 0 || (bitmap[bitmap.length - 1] & 0xff) >> (int) (nmsrs % 8) == 0;
    }

    private static String msrList(List<Long> msrs) {
        return msrs.stream().map(m -> "0x" + Long.toHexString(m)).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String access(Access a) {
        String op = switch (a.op()) {
            case RDMSR -> "rdmsr: " + hex(a.index());
            case WRMSR -> "wrmsr: " + hex(a.index()) + ", value: " + hex(a.value());
            case FEP_RDMSR -> "fep-rdmsr: " + hex(a.index());
            case FEP_RDTSC -> "fep-rdtsc: true";
            case FEP_WRMSR -> "fep-wrmsr: " + hex(a.index()) + ", value: " + hex(a.value());
        };
        String expect = a.exit() == null ? guest(a.guest(), a.op()) : exit(a.exit(), a.guest(), a.op());
        return "{ " + op + ", expect: " + expect + " }";
    }

    private static String exit(ExpectedExit e, GuestExpectation then, MsrOp op) {
        String data = "";
        if (!e.data().equals(ValueExpectation.ANY)) {
            if (e.data().mask() != -1L) {
                throw new IllegalArgumentException("the spec format expects exit data exactly or not at all, got " + e.data().describe());
            }
            data = ", data: " + hex(e.data().value());
        }
        return "{ exit: " + e.reason() + data + ", answer: { error: " + e.answer().error() + ", data: " + hex(e.answer().data())
                + " }, then: " + guest(then, op) + (e.pause() == null ? "" : ", pause: " + e.pause()) + " }";
    }

    private static String guest(GuestExpectation g, MsrOp op) {
        if (g instanceof GuestExpectation.Faults f) {
            return f.vector() == GuestExpectation.Faults.GP ? "gp" : "{ fault: " + f.vector() + " }";
        }
        if (g instanceof GuestExpectation.KvmRunFails k) {
            return "{ kvm-run-fails: " + errno(k.errno()) + " }";
        }
        if (g instanceof GuestExpectation.EmulationFails) {
            return "emulation-fails";
        }
        ValueExpectation v = ((GuestExpectation.Completes) g).value();
        if (v.equals(ValueExpectation.ANY)) {
            return "ok";
        }
        if (v.equals(ValueExpectation.NONZERO)) {
            return "nonzero";
        }
        if (op.writes()) {
            throw new IllegalArgumentException("the spec format has no value expectation for a WRMSR: " + v.describe());
        }
        return "{ " + value(v) + " }";
    }

    private static String value(ValueExpectation v) {
        return "value: " + hex(v.value()) + (v.mask() == -1L ? "" : ", mask: " + hex(v.mask()));
    }

    private static String hex(int u32) {
        return "0x" + Integer.toHexString(u32);
    }

    private static String hex(long u64) {
        return "0x" + Long.toHexString(u64);
    }

    /** A double-quoted YAML scalar: safe for any text, including '#', ':' and quotes. */
    /** A lone note as the short form (a string); anything else as the list of sources. */
    private static String cites(Citation citation) {
        if (citation.sources().size() == 1 && citation.sources().get(0) instanceof Citation.Note n) {
            return "    cites: " + quote(n.text()) + "\n";
        }
        StringBuilder sb = new StringBuilder("    cites:\n");
        for (Citation.Source s : citation.sources()) {
            String item;
            if (s instanceof Citation.ApiRst a) {
                item = "api.rst: " + quote(a.section()) + ", quote: " + quote(a.quote());
            } else if (s instanceof Citation.Code k) {
                item = "code: " + quote(k.name()) + (k.kernels().isEmpty() ? "" : ", kernels: " + quote(k.kernels()))
                        + (k.quote().isEmpty() ? "" : ", quote: " + quote(k.quote()));
            } else if (s instanceof Citation.Commit m) {
                item = "commit: " + quote(m.id()) + (m.subject().isEmpty() ? "" : ", subject: " + quote(m.subject()));
            } else {
                item = "note: " + quote(((Citation.Note) s).text());
            }
            sb.append("      - { ").append(item).append(" }\n");
        }
        return sb.toString();
    }

    private static String quote(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(ch < 0x20 ? String.format("\\x%02x", (int) ch) : String.valueOf(ch));
            }
        }
        return sb.append('"').toString();
    }
}
