package io.msrconf.spec;

/** A guest MSR access instruction. The codes are the script table's ENT_OP values (guest ABI). */
public enum MsrOp {
    RDMSR(1),
    WRMSR(2);

    public final int scriptCode;

    MsrOp(int scriptCode) {
        this.scriptCode = scriptCode;
    }
}
