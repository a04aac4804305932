package dev.spillway.local.dynamo.expression;

/** One lexical token of an expression, with its place in the source for syntax-error messages. */
record Token(Kind kind, String text, int start, int end) {

    enum Kind {
        /** A plain name or keyword: letters, digits and underscores, not starting with a digit. */
        IDENTIFIER,
        /** An expression attribute name placeholder: {@code #...}. */
        NAME,
        /** An expression attribute value placeholder: {@code :...}. */
        VALUE,
        /** Digits, as in a list index. */
        NUMBER,
        /** Punctuation and operators: {@code ( ) [ ] , . = <> < <= > >= + -}. */
        SYMBOL,
        /** A character no rule accepts; it always ends the parse with a syntax error. */
        UNKNOWN,
        END
    }

    boolean isSymbol(String symbol) {
        return kind == Kind.SYMBOL && text.equals(symbol);
    }

    boolean isKeyword(String keyword) {
        return kind == Kind.IDENTIFIER && text.equalsIgnoreCase(keyword);
    }

    /** The token as DynamoDB names it in a syntax error. */
    String describe() {
        return kind == Kind.END ? "<EOF>" : text;
    }
}
