package io.msrconf.kernelmutants;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ways a kernel function is mutated. Each operator finds every eligible site in a {@link SourceRegion} and
 * returns one edit per mutant, in source order (the order gives each mutant its ordinal, hence its id). An
 * operator is syntactic and a little generous: a mutant that does not compile is discarded by the build, which
 * is cheaper and surer than a C type checker here.
 */
public enum MutationOperator {

    /** {@code if (c)} / {@code while (c)} → {@code if (!(c))}: the branch taken the other way. */
    NEGATE_CONDITION("negate-condition") {
        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (CStatements.Condition c : s.conditions()) {
                int start = r.token(c.open()).end();
                int end = r.token(c.close()).start();
                out.add(new SourceEdit(start, end, "!(" + text.substring(start, end) + ")"));
            }
            return out;
        }
    },

    /** {@code <}↔{@code <=}, {@code >}↔{@code >=}, {@code ==}↔{@code !=}: the boundary or the test itself moved. */
    RELATIONAL("relational") {
        private static final Map<String, String> SWAP = Map.of("<", "<=", "<=", "<", ">", ">=", ">=", ">", "==", "!=", "!=", "==");

        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (int i = r.open() + 1; i < r.close(); i++) {
                CToken t = r.token(i);
                if (t.kind() == CToken.Kind.PUNCTUATOR && SWAP.containsKey(t.text())) {
                    out.add(new SourceEdit(t.start(), t.end(), SWAP.get(t.text())));
                }
            }
            return out;
        }
    },

    /**
     * An integer constant beside a comparison, N → N+1 and N → N−1 (two mutants per site; none below zero):
     * the classic off-by-one at a range's bound, such as the x2APIC range's 0x800 and 0x8ff.
     */
    CONSTANT_OFF_BY_ONE("constant-off-by-one") {
        private static final Pattern INTEGER = Pattern.compile("(0[xX])([0-9a-fA-F]+)([uUlL]*)|([1-9][0-9]*|0)([uUlL]*)");

        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (int i = r.open() + 1; i < r.close(); i++) {
                CToken t = r.token(i);
                if (!t.isNumber() || !(isRelational(r.token(i - 1)) || isRelational(r.token(i + 1)))) {
                    continue;
                }
                Matcher m = INTEGER.matcher(t.text());
                if (!m.matches()) {
                    continue;   // octal, floating point: not a bound in this code
                }
                for (int delta : new int[] {1, -1}) {
                    String changed = m.group(1) != null ? hex(m.group(1), m.group(2), delta) + m.group(3)
                            : decimal(m.group(4), delta) + m.group(5);
                    if (!changed.startsWith("-")) {
                        out.add(new SourceEdit(t.start(), t.end(), changed));
                    }
                }
            }
            return out;
        }

        private static String hex(String prefix, String digits, int delta) {
            BigInteger v = new BigInteger(digits, 16).add(BigInteger.valueOf(delta));
            if (v.signum() < 0) {
                return "-";
            }
            String h = v.toString(16);
            return prefix + (digits.matches(".*[A-F].*") ? h.toUpperCase(Locale.ROOT) : h);
        }

        private static String decimal(String digits, int delta) {
            return new BigInteger(digits).add(BigInteger.valueOf(delta)).toString();
        }
    },

    /** Binary {@code &}↔{@code |} (and {@code &=}↔{@code |=}); the address-of operator is left alone. */
    BITWISE("bitwise") {
        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (int i = r.open() + 1; i < r.close(); i++) {
                CToken t = r.token(i);
                String swapped = switch (t.text()) {
                    case "&" -> endsOperand(r.token(i - 1)) ? "|" : null;
                    case "|" -> "&";
                    case "&=" -> "|=";
                    case "|=" -> "&=";
                    default -> null;
                };
                if (swapped != null && t.kind() == CToken.Kind.PUNCTUATOR) {
                    out.add(new SourceEdit(t.start(), t.end(), swapped));
                }
            }
            return out;
        }
    },

    /** {@code &&}↔{@code ||}. */
    LOGICAL("logical") {
        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (int i = r.open() + 1; i < r.close(); i++) {
                CToken t = r.token(i);
                if (t.is("&&") || t.is("||")) {
                    out.add(new SourceEdit(t.start(), t.end(), t.is("&&") ? "||" : "&&"));
                }
            }
            return out;
        }
    },

    /**
     * An expression statement replaced by an empty one ({@code ;}, so an unbraced if body stays an if body).
     * Declarations are kept, and so is the only assignment {@code x = ...;} to a local that is read later: that
     * mutant would read an uninitialised variable, which says nothing about the suite.
     */
    DELETE_STATEMENT("delete-statement") {
        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (CStatements.Statement st : s.statements()) {
                if (st.kind() == CStatements.Kind.EXPRESSION && !onlyInitialisation(r, st)) {
                    out.add(new SourceEdit(r.token(st.first()).start(), r.token(st.last()).end(), ";"));
                }
            }
            return out;
        }

        private static boolean onlyInitialisation(SourceRegion r, CStatements.Statement st) {
            CToken target = r.token(st.first());
            if (!target.isIdentifier() || !r.token(st.first() + 1).is("=") || r.isParameter(target.text())) {
                return false;
            }
            int assignments = 0;
            boolean readLater = false;
            for (int i = r.functionOpen() + 1; i < r.functionClose(); i++) {
                CToken t = r.token(i);
                if (!t.is(target.text()) || r.token(i - 1).is(".") || r.token(i - 1).is("->")) {
                    continue;
                }
                boolean assigned = r.token(i + 1).is("=") && (r.token(i - 1).is(";") || r.token(i - 1).is("{")
                        || r.token(i - 1).is("}") || r.token(i - 1).is(")") || r.token(i - 1).is(":") || r.token(i - 1).is("else"));
                if (assigned) {
                    assignments++;
                } else if (i > st.last() && !isDeclarator(r, i)) {
                    readLater = true;
                }
            }
            return assignments == 1 && readLater;
        }

        /** The name in its declaration ("u32 x", "type *x"), as opposed to a use such as "return x". */
        private static boolean isDeclarator(SourceRegion r, int i) {
            CToken before = r.token(i - 1);
            return (before.isIdentifier() && !Set.of("return", "case", "sizeof").contains(before.text())) || before.is("*");
        }
    },

    /** {@code return ...;} in the body of an if (or else) replaced by an empty statement: the early exit is skipped. */
    DELETE_EARLY_RETURN("delete-early-return") {
        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (CStatements.Statement st : s.statements()) {
                if (st.kind() == CStatements.Kind.RETURN && st.insideIf()) {
                    out.add(new SourceEdit(r.token(st.first()).start(), r.token(st.last()).end(), ";"));
                }
            }
            return out;
        }
    },

    /** A negative errno given back changed: {@code -EINVAL} → {@code -EFAULT}, any other {@code -Exxx} → {@code -EINVAL}. */
    ERRNO("errno") {
        private static final Pattern ERRNO_NAME = Pattern.compile("E[A-Z0-9]{2,}");
        private static final Set<String> BEFORE_UNARY_MINUS = Set.of("return", "=", "(", ",", "?", ":");

        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (int i = r.open() + 1; i < r.close(); i++) {
                CToken minus = r.token(i);
                CToken name = r.token(i + 1);
                if (minus.is("-") && name.isIdentifier() && ERRNO_NAME.matcher(name.text()).matches()
                        && BEFORE_UNARY_MINUS.contains(r.token(i - 1).text())) {
                    out.add(new SourceEdit(minus.start(), name.end(), name.is("EINVAL") ? "-EFAULT" : "-EINVAL"));
                }
            }
            return out;
        }
    },

    /** {@code return 0;}↔{@code return 1;} and {@code return true;}↔{@code return false;}: success and "handled" flipped. */
    RETURN_VALUE("return-value") {
        private static final Map<String, String> SWAP = Map.of("0", "1", "1", "0", "true", "false", "false", "true");

        @Override
        List<SourceEdit> edits(SourceRegion r, String text, CStatements s) {
            List<SourceEdit> out = new ArrayList<>();
            for (int i = r.open() + 1; i + 1 < r.close(); i++) {
                CToken value = r.token(i);
                if (r.token(i - 1).is("return") && r.token(i + 1).is(";") && SWAP.containsKey(value.text())) {
                    out.add(new SourceEdit(value.start(), value.end(), SWAP.get(value.text())));
                }
            }
            return out;
        }
    };

    private final String id;

    MutationOperator(String id) {
        this.id = id;
    }

    /** The name in mutant ids, {@code --list} and the report. */
    public String id() {
        return id;
    }

    abstract List<SourceEdit> edits(SourceRegion region, String text, CStatements statements);

    public List<SourceEdit> edits(SourceRegion region, String text) {
        return edits(region, text, CStatements.of(region));
    }

    public static MutationOperator byId(String id) {
        for (MutationOperator o : values()) {
            if (o.id.equals(id)) {
                return o;
            }
        }
        throw new IllegalArgumentException("no mutation operator '" + id + "'");
    }

    private static boolean isRelational(CToken t) {
        return t.kind() == CToken.Kind.PUNCTUATOR && Set.of("<", "<=", ">", ">=", "==", "!=").contains(t.text());
    }

    /** Whether a token can end an operand, so that a following '&' is the binary operator. */
    private static boolean endsOperand(CToken t) {
        return switch (t.kind()) {
            case NUMBER, LITERAL -> true;
            case IDENTIFIER -> !Set.of("return", "sizeof", "case", "else", "do").contains(t.text());
            case PUNCTUATOR -> t.is(")") || t.is("]");
        };
    }
}
