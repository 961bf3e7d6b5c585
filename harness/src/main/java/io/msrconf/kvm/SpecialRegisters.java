package io.msrconf.kvm;

import java.nio.ByteBuffer;
import io.msrconf.kvm.uapi.KvmLayouts;

/**
 * {@code struct kvm_sregs}, mutable like the struct: read it with {@link KvmVcpu#getSregs()}, change
 * fields, write it back with {@link KvmVcpu#setSregs}. No field is ever null.
 */
public final class SpecialRegisters {

    /** {@code struct kvm_segment}; the u8 flag fields keep their raw values. */
    public record Segment(long base, int limit, int selector, int type, int present, int dpl, int db, int s,
                          int l, int g, int avl, int unusable) {

        static Segment read(ByteBuffer p, int at) {
            return new Segment(
                    p.getLong(at + KvmLayouts.Segment.BASE),
                    p.getInt(at + KvmLayouts.Segment.LIMIT),
                    Short.toUnsignedInt(p.getShort(at + KvmLayouts.Segment.SELECTOR)),
                    u8(p, at + KvmLayouts.Segment.TYPE),
                    u8(p, at + KvmLayouts.Segment.PRESENT),
                    u8(p, at + KvmLayouts.Segment.DPL),
                    u8(p, at + KvmLayouts.Segment.DB),
                    u8(p, at + KvmLayouts.Segment.S),
                    u8(p, at + KvmLayouts.Segment.L),
                    u8(p, at + KvmLayouts.Segment.G),
                    u8(p, at + KvmLayouts.Segment.AVL),
                    u8(p, at + KvmLayouts.Segment.UNUSABLE));
        }

        void write(ByteBuffer p, int at) {
            p.putLong(at + KvmLayouts.Segment.BASE, base);
            p.putInt(at + KvmLayouts.Segment.LIMIT, limit);
            p.putShort(at + KvmLayouts.Segment.SELECTOR, (short) selector);
            p.put(at + KvmLayouts.Segment.TYPE, (byte) type);
            p.put(at + KvmLayouts.Segment.PRESENT, (byte) present);
            p.put(at + KvmLayouts.Segment.DPL, (byte) dpl);
            p.put(at + KvmLayouts.Segment.DB, (byte) db);
            p.put(at + KvmLayouts.Segment.S, (byte) s);
            p.put(at + KvmLayouts.Segment.L, (byte) l);
            p.put(at + KvmLayouts.Segment.G, (byte) g);
            p.put(at + KvmLayouts.Segment.AVL, (byte) avl);
            p.put(at + KvmLayouts.Segment.UNUSABLE, (byte) unusable);
        }

        public String describe() {
            return String.format("sel=0x%04x base=0x%016x limit=0x%08x type=%d p=%d dpl=%d db=%d s=%d l=%d g=%d avl=%d unusable=%d",
                    selector, base, limit, type, present, dpl, db, s, l, g, avl, unusable);
        }
    }

    /** {@code struct kvm_dtable}: a GDT or IDT register. */
    public record DescriptorTable(long base, int limit) {

        static DescriptorTable read(ByteBuffer p, int at) {
            return new DescriptorTable(p.getLong(at + KvmLayouts.Dtable.BASE),
                    Short.toUnsignedInt(p.getShort(at + KvmLayouts.Dtable.LIMIT)));
        }

        void write(ByteBuffer p, int at) {
            p.putLong(at + KvmLayouts.Dtable.BASE, base);
            p.putShort(at + KvmLayouts.Dtable.LIMIT, (short) limit);
        }

        public String describe() {
            return String.format("base=0x%016x limit=0x%04x", base, limit);
        }
    }

    public Segment cs;
    public Segment ds;
    public Segment es;
    public Segment fs;
    public Segment gs;
    public Segment ss;
    public Segment tr;
    public Segment ldt;
    public DescriptorTable gdt;
    public DescriptorTable idt;
    public long cr0;
    public long cr2;
    public long cr3;
    public long cr4;
    public long cr8;
    public long efer;
    public long apicBase;
    /** One bit per interrupt vector pending injection (256 bits). */
    public final long[] interruptBitmap = new long[KvmLayouts.Sregs.INTERRUPT_BITMAP_LENGTH];

    private SpecialRegisters() {
    }

    /** A copy, so that a caller can change fields without touching the original. */
    public SpecialRegisters copy() {
        SpecialRegisters r = new SpecialRegisters();
        r.cs = cs;
        r.ds = ds;
        r.es = es;
        r.fs = fs;
        r.gs = gs;
        r.ss = ss;
        r.tr = tr;
        r.ldt = ldt;
        r.gdt = gdt;
        r.idt = idt;
        r.cr0 = cr0;
        r.cr2 = cr2;
        r.cr3 = cr3;
        r.cr4 = cr4;
        r.cr8 = cr8;
        r.efer = efer;
        r.apicBase = apicBase;
        System.arraycopy(interruptBitmap, 0, r.interruptBitmap, 0, interruptBitmap.length);
        return r;
    }

    /** From a {@code struct kvm_sregs} (little-endian, from the buffer's position 0). */
    public static SpecialRegisters decode(ByteBuffer p) {
        SpecialRegisters r = new SpecialRegisters();
        r.cs = Segment.read(p, KvmLayouts.Sregs.CS);
        r.ds = Segment.read(p, KvmLayouts.Sregs.DS);
        r.es = Segment.read(p, KvmLayouts.Sregs.ES);
        r.fs = Segment.read(p, KvmLayouts.Sregs.FS);
        r.gs = Segment.read(p, KvmLayouts.Sregs.GS);
        r.ss = Segment.read(p, KvmLayouts.Sregs.SS);
        r.tr = Segment.read(p, KvmLayouts.Sregs.TR);
        r.ldt = Segment.read(p, KvmLayouts.Sregs.LDT);
        r.gdt = DescriptorTable.read(p, KvmLayouts.Sregs.GDT);
        r.idt = DescriptorTable.read(p, KvmLayouts.Sregs.IDT);
        r.cr0 = p.getLong(KvmLayouts.Sregs.CR0);
        r.cr2 = p.getLong(KvmLayouts.Sregs.CR2);
        r.cr3 = p.getLong(KvmLayouts.Sregs.CR3);
        r.cr4 = p.getLong(KvmLayouts.Sregs.CR4);
        r.cr8 = p.getLong(KvmLayouts.Sregs.CR8);
        r.efer = p.getLong(KvmLayouts.Sregs.EFER);
        r.apicBase = p.getLong(KvmLayouts.Sregs.APIC_BASE);
        for (int i = 0; i < r.interruptBitmap.length; i++) {
            r.interruptBitmap[i] = p.getLong(KvmLayouts.Sregs.INTERRUPT_BITMAP + 8 * i);
        }
        return r;
    }

    /** Into a {@code struct kvm_sregs}; the caller hands in zeroed memory so that padding stays zero. */
    public void encode(ByteBuffer p) {
        cs.write(p, KvmLayouts.Sregs.CS);
        ds.write(p, KvmLayouts.Sregs.DS);
        es.write(p, KvmLayouts.Sregs.ES);
        fs.write(p, KvmLayouts.Sregs.FS);
        gs.write(p, KvmLayouts.Sregs.GS);
        ss.write(p, KvmLayouts.Sregs.SS);
        tr.write(p, KvmLayouts.Sregs.TR);
        ldt.write(p, KvmLayouts.Sregs.LDT);
        gdt.write(p, KvmLayouts.Sregs.GDT);
        idt.write(p, KvmLayouts.Sregs.IDT);
        p.putLong(KvmLayouts.Sregs.CR0, cr0);
        p.putLong(KvmLayouts.Sregs.CR2, cr2);
        p.putLong(KvmLayouts.Sregs.CR3, cr3);
        p.putLong(KvmLayouts.Sregs.CR4, cr4);
        p.putLong(KvmLayouts.Sregs.CR8, cr8);
        p.putLong(KvmLayouts.Sregs.EFER, efer);
        p.putLong(KvmLayouts.Sregs.APIC_BASE, apicBase);
        for (int i = 0; i < interruptBitmap.length; i++) {
            p.putLong(KvmLayouts.Sregs.INTERRUPT_BITMAP + 8 * i, interruptBitmap[i]);
        }
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        segment(sb, "cs", cs);
        segment(sb, "ds", ds);
        segment(sb, "es", es);
        segment(sb, "fs", fs);
        segment(sb, "gs", gs);
        segment(sb, "ss", ss);
        segment(sb, "tr", tr);
        segment(sb, "ldt", ldt);
        sb.append("gdt ").append(gdt.describe()).append('\n');
        sb.append("idt ").append(idt.describe()).append('\n');
        sb.append(String.format("cr0=0x%x cr2=0x%x cr3=0x%x cr4=0x%x cr8=0x%x\n", cr0, cr2, cr3, cr4, cr8));
        sb.append(String.format("efer=0x%x apic_base=0x%x\n", efer, apicBase));
        sb.append(String.format("interrupt_bitmap=%016x %016x %016x %016x",
                interruptBitmap[3], interruptBitmap[2], interruptBitmap[1], interruptBitmap[0]));
        return sb.toString();
    }

    private static void segment(StringBuilder sb, String name, Segment s) {
        sb.append(String.format("%-3s ", name)).append(s.describe()).append('\n');
    }

    private static int u8(ByteBuffer p, int at) {
        return Byte.toUnsignedInt(p.get(at));
    }
}
