package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.spillway.local.dynamo.value.AttributeValue;

/** Parser of ProjectionExpression: document paths separated by commas. */
final class ProjectionParser extends TokenParser {

    ProjectionParser(String source, ExpressionContext context) {
        super("ProjectionExpression", source, context);
    }

    Projection parse() {
        List<DocumentPath> paths = new ArrayList<>();
        DocumentPath first = path();
        if (first == null) {
            throw syntaxError();
        }
        paths.add(first);
        while (true) {
            int save = position;
            DocumentPath next = symbol(",") ? path() : null;
            if (next == null) {
                position = save;
                break;
            }
            paths.add(next);
        }
        expectEnd();
        List<DocumentPath> distinct = new ArrayList<>();
        for (DocumentPath path : paths) {
            if (!hasError("pathOverlap") && distinct.stream().noneMatch(p -> PathChecks.overlapOrConflict(this, p, path))) {
                distinct.add(path);
            }
        }
        throwFirstError("reserved", "attrNameVal", "pathOverlap", "pathConflict");
        return new PathProjection(distinct);
    }

    private DocumentPath path() {
        String head = identifier();
        if (head == null) {
            return null;
        }
        List<Object> elements = new ArrayList<>();
        elements.add(head);
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
                String name = identifier();
                if (name != null) {
                    elements.add(name);
                    continue;
                }
            }
            position = save;
            return new DocumentPath(elements);
        }
    }

    private String identifier() {
        Token token = current();
        if (token.kind() == Token.Kind.IDENTIFIER) {
            position++;
            if (ReservedWords.isReserved(token.text())) {
                error("reserved", "Attribute name is a reserved keyword; reserved keyword: " + token.text());
            }
            return token.text();
        }
        if (token.kind() == Token.Kind.NAME) {
            position++;
            String name = hasError("attrNameVal") ? null : context.name(token.text());
            if (name == null) {
                error("attrNameVal", "An expression attribute name used in the document path is not defined; "
                        + "attribute name: " + token.text());
            }
            return name == null ? token.text() : name;
        }
        miss();
        return null;
    }

    /** The parsed projection. */
    private record PathProjection(List<DocumentPath> paths, Set<String> topLevelAttributes,
            Set<String> nestedAttributes) implements Projection {

        PathProjection(List<DocumentPath> paths) {
            this(List.copyOf(paths), heads(paths, false), heads(paths, true));
        }

        private static Set<String> heads(List<DocumentPath> paths, boolean nestedOnly) {
            Set<String> heads = new LinkedHashSet<>();
            paths.stream().filter(path -> !nestedOnly || path.isNested()).forEach(path -> heads.add(path.head()));
            return Collections.unmodifiableSet(heads);
        }

        @Override
        public Map<String, AttributeValue> apply(Map<String, AttributeValue> item) {
            return PathProjector.project(paths, item);
        }
    }
}
