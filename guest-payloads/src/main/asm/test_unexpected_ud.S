/*
 * test_unexpected_ud: a harness self-test. Executes UD2 outside any MSR access; the payload's handler
 * must record #UD (vector 6) with the RIP of the UD2 and report REPORT_UNEXPECTED.
 */
        .include "abi.inc"
        .include "stubs.inc"
        .code64
        PAYLOAD_HEADER payload_entry

payload_entry:
        .globl ud2_insn
ud2_insn:
        ud2

        VECTOR_STUBS unexpected
unexpected:
        REPORT_UNEXPECTED_EXCEPTION 0
