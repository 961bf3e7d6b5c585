package io.msrconf.kernelmutants;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The statement structure of a {@link SourceRegion}, as far as the statement-level mutation operators need it:
 * the expression statements and declarations (with their first and last token), the return statements and
 * whether each sits in the body of an {@code if}/{@code else}, and the conditions of {@code if} and
 * {@code while}. A small recursive descent over tokens; what it cannot classify it leaves alone.
 */
public final class CStatements {

    public enum Kind { EXPRESSION, DECLARATION, RETURN, JUMP, LABEL }

    public record Statement(Kind kind, int first, int last, boolean insideIf) {
    }

    /** The parentheses around an if or while condition (token indices of '(' and ')'). */
    public record Condition(String keyword, int open, int close) {
    }

    /** Words that start a declaration rather than an expression (kernel code's usual types and qualifiers). */
    private static final Set<String> DECLARATION_WORDS = Set.of("int", "unsigned", "signed", "long", "short", "char", "bool",
            "void", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "size_t", "gpa_t", "gfn_t", "struct", "union", "enum",
            "const", "static", "volatile", "register", "__u8", "__u16", "__u32", "__u64", "typeof", "__typeof__", "auto", "float", "double");

    private final List<CToken> tokens;
    private final List<Statement> statements = new ArrayList<>();
    private final List<Condition> conditions = new ArrayList<>();

    private CStatements(List<CToken> tokens) {
        this.tokens = tokens;
    }

    public static CStatements of(SourceRegion region) {
        CStatements s = new CStatements(region.tokens());
        int i = region.open() + 1;
        while (i < region.close()) {
            i = s.statement(i, region.close(), false);
        }
        return s;
    }

    public List<Statement> statements() {
        return statements;
    }

    public List<Condition> conditions() {
        return conditions;
    }

    /** Parses the statement starting at {@code i} and returns the index after it. */
    private int statement(int i, int limit, boolean insideIf) {
        CToken t = tokens.get(i);
        String w = t.text();
        if (t.is("{")) {
            int close = FunctionLocator.match(tokens, i, "{", "}");
            int j = i + 1;
            while (j < close) {
                j = statement(j, close, insideIf);
            }
            return close + 1;
        }
        if (t.is(";")) {
            return i + 1;
        }
        if (t.isIdentifier()) {
            switch (w) {
                case "if" -> {
                    int close = FunctionLocator.match(tokens, i + 1, "(", ")");
                    conditions.add(new Condition("if", i + 1, close));
                    int j = statement(close + 1, limit, true);
                    if (j < limit && tokens.get(j).is("else")) {
                        j = statement(j + 1, limit, true);
                    }
                    return j;
                }
                case "while", "for", "switch" -> {
                    int close = FunctionLocator.match(tokens, i + 1, "(", ")");
                    if (w.equals("while")) {
                        conditions.add(new Condition("while", i + 1, close));
                    }
                    return statement(close + 1, limit, insideIf);
                }
                case "do" -> {
                    int j = statement(i + 1, limit, insideIf);   // the body, then: while ( cond ) ;
                    int close = FunctionLocator.match(tokens, j + 1, "(", ")");
                    conditions.add(new Condition("while", j + 1, close));
                    return close + 2;
                }
                case "case", "default" -> {
                    int j = i + 1;
                    while (j < limit && !tokens.get(j).is(":")) {
                        j++;
                    }
                    statements.add(new Statement(Kind.LABEL, i, j, insideIf));
                    return j + 1;
                }
                case "return" -> {
                    int end = endOfStatement(i, limit);
                    statements.add(new Statement(Kind.RETURN, i, end, insideIf));
                    return end + 1;
                }
                case "break", "continue", "goto" -> {
                    int end = endOfStatement(i, limit);
                    statements.add(new Statement(Kind.JUMP, i, end, insideIf));
                    return end + 1;
                }
                default -> {
                    if (i + 1 < limit && tokens.get(i + 1).is(":")) {
                        statements.add(new Statement(Kind.LABEL, i, i + 1, insideIf));
                        return i + 2;
                    }
                }
            }
        }
        int end = endOfStatement(i, limit);
        statements.add(new Statement(isDeclaration(i) ? Kind.DECLARATION : Kind.EXPRESSION, i, end, insideIf));
        return end + 1;
    }

    /** The ';' ending the statement that starts at {@code i}, skipping nested brackets (calls, compound literals). */
    private int endOfStatement(int i, int limit) {
        int depth = 0;
        for (int j = i; j < limit; j++) {
            CToken t = tokens.get(j);
            if (t.is("(") || t.is("[") || t.is("{")) {
                depth++;
            } else if (t.is(")") || t.is("]") || t.is("}")) {
                depth--;
            } else if (depth == 0 && t.is(";")) {
                return j;
            }
        }
        return limit - 1;
    }

    /** A declaration: a type word first, or "TYPE name" / "TYPE *name" followed by = ; , or [. */
    private boolean isDeclaration(int i) {
        CToken t = tokens.get(i);
        if (!t.isIdentifier()) {
            return false;
        }
        if (DECLARATION_WORDS.contains(t.text())) {
            return true;
        }
        CToken a = tokens.get(i + 1);
        if (a.isIdentifier()) {
            return true;
        }
        int k = i + 1;
        while (tokens.get(k).is("*")) {
            k++;
        }
        return k > i + 1 && tokens.get(k).isIdentifier() && Set.of("=", ";", ",", "[").contains(tokens.get(k + 1).text());
    }
}
