/*
 * test_spin: a harness self-test. Spins with interrupts off and never reports, so the run can only
 * end by the harness's deadline ("timed out"), never by the guest.
 */
        .include "abi.inc"
        .include "stubs.inc"
        .code64
        PAYLOAD_HEADER payload_entry

payload_entry:
        cli
spin:
        jmp     spin

        VECTOR_STUBS unexpected
unexpected:
        REPORT_UNEXPECTED_EXCEPTION 0
