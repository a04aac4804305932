package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens; whitespace (space, tab, CR, LF) only separates them. */
final class Lexer {

    private Lexer() {
    }

    static List<Token> tokenize(String source) {
        List<Token> tokens = new ArrayList<>();
        int length = source.length();
        int at = 0;
        while (at < length) {
            char c = source.charAt(at);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                at++;
                continue;
            }
            int start = at;
            Token.Kind kind;
            if (isIdentifierStart(c)) {
                at = skipIdentifierParts(source, at + 1);
                kind = Token.Kind.IDENTIFIER;
            } else if (c == '#' || c == ':') {
                at = skipIdentifierParts(source, at + 1);
                kind = c == '#' ? Token.Kind.NAME : Token.Kind.VALUE;
            } else if (c >= '0' && c <= '9') {
                while (at < length && source.charAt(at) >= '0' && source.charAt(at) <= '9') {
                    at++;
                }
                kind = Token.Kind.NUMBER;
            } else if ("()[],.=+-".indexOf(c) >= 0) {
                at++;
                kind = Token.Kind.SYMBOL;
            } else if (c == '<' || c == '>') {
                at++;
                if (at < length && (source.charAt(at) == '=' || (c == '<' && source.charAt(at) == '>'))) {
                    at++;
                }
                kind = Token.Kind.SYMBOL;
            } else {
                at += Character.charCount(source.codePointAt(at));
                kind = Token.Kind.UNKNOWN;
            }
            tokens.add(new Token(kind, source.substring(start, at), start, at));
        }
        tokens.add(new Token(Token.Kind.END, "", length, length));
        return tokens;
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static int skipIdentifierParts(String source, int at) {
        while (at < source.length()) {
            char c = source.charAt(at);
            if (!isIdentifierStart(c) && !(c >= '0' && c <= '9')) {
                break;
            }
            at++;
        }
        return at;
    }
}
