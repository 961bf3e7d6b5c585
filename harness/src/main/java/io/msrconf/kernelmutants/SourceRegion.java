package io.msrconf.kernelmutants;

import java.util.List;

/**
 * The part of a C file whose code is mutated: a function's body, or one {@code case} block of a switch in a
 * function (KVM's enable-cap ioctl is one big switch; only its MSR case belongs to the filter API). The region's
 * code is the tokens strictly between {@code open} and {@code close}; the whole function's tokens are
 * {@code functionOpen}..{@code functionClose}, for questions such as "is this variable used later".
 */
public record SourceRegion(String file, String function, String caseLabel, List<CToken> tokens, int open, int close,
                           int functionOpen, int functionClose, int paramsOpen, int paramsClose) {

    /** How ids and reports name the region: the function, or FUNCTION/CASE_LABEL for a case block. */
    public String name() {
        return caseLabel.isEmpty() ? function : function + "/" + caseLabel;
    }

    public CToken token(int i) {
        return tokens.get(i);
    }

    /** Whether an identifier names one of the function's parameters. */
    public boolean isParameter(String identifier) {
        for (int i = paramsOpen + 1; i < paramsClose; i++) {
            CToken t = tokens.get(i);
            CToken next = tokens.get(i + 1);
            if (t.isIdentifier() && t.is(identifier) && (next.is(",") || next.is(")"))) {
                return true;
            }
        }
        return false;
    }
}
