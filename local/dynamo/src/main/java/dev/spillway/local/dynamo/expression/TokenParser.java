package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * The shared machinery of the expression parsers: a token cursor that backtracks cheaply, remembers the furthest
 * token it could not match (DynamoDB reports that one in a syntax error), and semantic errors collected by category
 * while parsing, of which DynamoDB reports the first by a fixed priority once the syntax is known to be valid.
 * Also the grammar all expression languages share: parentheses, comma lists, function calls, document paths and
 * placeholders.
 */
abstract class TokenParser {

    /** A function call as parsed: its name and arguments. */
    record Call<T>(String name, List<T> args) {
    }

    final String kind;
    final String source;
    final ExpressionContext context;
    private final Set<String> keywords;
    private final List<Token> tokens;
    private final Map<String, String> errors = new HashMap<>();
    int position;
    private int furthest;

    /** @param keywords the language's upper-case keywords, which can name neither an attribute nor a function */
    TokenParser(String kind, String source, ExpressionContext context, Set<String> keywords) {
        if (source.isBlank()) {
            throw DynamoException.validation("Invalid " + kind + ": The expression can not be empty;");
        }
        this.kind = kind;
        this.source = source;
        this.context = context;
        this.keywords = keywords;
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

    /** {@code ( inner )} here, else null with the position unchanged. */
    <T> T parenthesised(Supplier<T> inner) {
        return enclosed(1, inner);
    }

    /** {@code (( inner ))} here, else null with the position unchanged. */
    <T> T doublyParenthesised(Supplier<T> inner) {
        return enclosed(2, inner);
    }

    /** {@code ( inner )} when it parses here, else {@code inner} alone. */
    <T> T optionallyParenthesised(Supplier<T> inner) {
        T enclosed = parenthesised(inner);
        return enclosed != null ? enclosed : inner.get();
    }

    private <T> T enclosed(int depth, Supplier<T> inner) {
        int start = position;
        if (symbols("(", depth)) {
            T result = inner.get();
            if (result != null && symbols(")", depth)) {
                return result;
            }
        }
        position = start;
        return null;
    }

    private boolean symbols(String symbol, int count) {
        for (int i = 0; i < count; i++) {
            if (!symbol(symbol)) {
                return false;
            }
        }
        return true;
    }

    /** One or more elements separated by commas (a trailing comma is left unread), or null when none comes next. */
    <T> List<T> commaSeparated(Supplier<T> element) {
        T first = element.get();
        if (first == null) {
            return null;
        }
        List<T> elements = new ArrayList<>();
        elements.add(first);
        while (true) {
            int save = position;
            T next = symbol(",") ? element.get() : null;
            if (next == null) {
                position = save;
                return elements;
            }
            elements.add(next);
        }
    }

    /** {@code name(argument, ...)} here, else null with the position unchanged. */
    <T> Call<T> call(Supplier<T> argument) {
        int start = position;
        Token name = current();
        if (name.kind() != Token.Kind.IDENTIFIER || isKeyword(name)) {
            miss();
            return null;
        }
        position++;
        List<T> args = parenthesised(() -> commaSeparated(argument));
        if (args == null) {
            position = start;
            return null;
        }
        return new Call<>(name.text(), args);
    }

    /** The next token, consumed, if it can name an attribute: a non-keyword identifier or a {@code #name}. */
    Token nameToken() {
        Token token = current();
        if ((token.kind() == Token.Kind.IDENTIFIER && !isKeyword(token)) || token.kind() == Token.Kind.NAME) {
            position++;
            return token;
        }
        miss();
        return null;
    }

    boolean isKeyword(Token token) {
        return keywords.contains(token.text().toUpperCase(Locale.ROOT));
    }

    /**
     * Appends the {@code [index]} and {@code .member} steps that follow a document path's head, as far as they go;
     * {@code member} reads one member name (null when there is none).
     */
    void pathSteps(List<Object> elements, Supplier<?> member) {
        while (true) {
            int save = position;
            if (symbol("[")) {
                Token number = take(Token.Kind.NUMBER);
                if (number != null && symbol("]")) {
                    elements.add(index(number));
                    continue;
                }
            }
            position = save;
            if (symbol(".")) {
                Object name = member.get();
                if (name != null) {
                    elements.add(name);
                    continue;
                }
            }
            position = save;
            return;
        }
    }

    /**
     * A document path whose names are resolved as they are read, or null when none comes next.
     *
     * @param undefinedNameCategory the error category of an undefined {@code #name}
     */
    DocumentPath documentPath(String undefinedNameCategory) {
        String head = attributeName(undefinedNameCategory);
        if (head == null) {
            return null;
        }
        List<Object> elements = new ArrayList<>();
        elements.add(head);
        pathSteps(elements, () -> attributeName(undefinedNameCategory));
        return new DocumentPath(elements);
    }

    private String attributeName(String undefinedNameCategory) {
        Token token = nameToken();
        return token == null ? null : attributeName(token, undefinedNameCategory);
    }

    /**
     * The attribute a name token stands for: an identifier itself (noting a reserved word) or what its {@code #name}
     * placeholder is defined as (noting an undefined one, then kept as written).
     */
    String attributeName(Token token, String undefinedNameCategory) {
        if (token.kind() != Token.Kind.NAME) {
            if (ReservedWords.isReserved(token.text())) {
                error("reserved", "Attribute name is a reserved keyword; reserved keyword: " + token.text());
            }
            return token.text();
        }
        String name = hasError(undefinedNameCategory) ? null : context.name(token.text());
        if (name == null) {
            error(undefinedNameCategory, "An expression attribute name used in the document path is not defined; "
                    + "attribute name: " + token.text());
        }
        return name == null ? token.text() : name;
    }

    /**
     * The value a {@code :value} placeholder is defined as; null when undefined (noted under
     * {@code undefinedValueCategory}) or when that category already has an error.
     */
    AttributeValue attributeValue(Token placeholder, String undefinedValueCategory) {
        if (hasError(undefinedValueCategory)) {
            return null;
        }
        AttributeValue value = context.value(placeholder.text());
        if (value == null) {
            error(undefinedValueCategory, "An expression attribute value used in expression is not defined; "
                    + "attribute value: " + placeholder.text());
        }
        return value;
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
