package dev.spillway.local.dynamo.expression;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.local.dynamo.value.DynamoException;

/**
 * The shared machinery of the expression parsers: a token cursor that backtracks cheaply, remembers the furthest
 * token it could not match (DynamoDB reports that one in a syntax error), and semantic errors collected by category
 * while parsing, of which DynamoDB reports the first by a fixed priority once the syntax is known to be valid.
 */
abstract class TokenParser {

    final String kind;
    final String source;
    final ExpressionContext context;
    private final List<Token> tokens;
    private final Map<String, String> errors = new HashMap<>();
    int position;
    private int furthest;

    TokenParser(String kind, String source, ExpressionContext context) {
        if (source.isBlank()) {
            throw DynamoException.validation("Invalid " + kind + ": The expression can not be empty;");
        }
        this.kind = kind;
        this.source = source;
        this.context = context;
        this.tokens = Lexer.tokenize(source);
    }

    Token current() {
        return tokens.get(position);
    }

    /** Consumes the symbol if it comes next. */
    boolean symbol(String symbol) {
        if (current().isSymbol(symbol)) {
            position++;
            return true;
        }
        return miss();
    }

    /** Consumes the keyword (any case) if it comes next. */
    boolean keyword(String keyword) {
        if (current().isKeyword(keyword)) {
            position++;
            return true;
        }
        return miss();
    }

    /** The next token if it is of this kind (consumed), else null. */
    Token take(Token.Kind kind) {
        Token token = current();
        if (token.kind() == kind) {
            position++;
            return token;
        }
        miss();
        return null;
    }

    /** Notes a failed match at the current token; always false. */
    boolean miss() {
        furthest = Math.max(furthest, position);
        return false;
    }

    /** Fails unless every token was consumed. */
    void expectEnd() {
        if (current().kind() != Token.Kind.END) {
            miss();
            throw syntaxError();
        }
    }

    DynamoException syntaxError() {
        Token bad = tokens.get(furthest);
        int from = tokens.get(Math.max(0, furthest - 1)).start();
        int to = bad.kind() == Token.Kind.END ? Math.max(from, bad.start())
                : tokens.get(Math.min(tokens.size() - 1, furthest + 1)).end();
        String near = source.substring(from, Math.max(from, to)).strip();
        return invalid("Syntax error; token: \"" + bad.describe() + "\", near: \"" + near + "\"");
    }

    DynamoException invalid(String message) {
        return DynamoException.validation("Invalid " + kind + ": " + message);
    }

    /** Records a semantic error unless its category already has one (the first one wins). */
    void error(String category, String message) {
        errors.putIfAbsent(category, message);
    }

    boolean hasError(String category) {
        return errors.containsKey(category);
    }

    String errorIn(String category) {
        return errors.get(category);
    }

    /** Throws the first recorded error in priority order, if any. */
    void throwFirstError(String... priority) {
        for (String category : priority) {
            String message = errors.get(category);
            if (message != null) {
                throw invalid(message);
            }
        }
    }

    /** Index value of a list-index token; very large indexes saturate (they never address an element). */
    static int index(Token number) {
        try {
            return Integer.parseInt(number.text());
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
