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
        super("ProjectionExpression", source, context, Set.of());
    }

    Projection parse() {
        List<DocumentPath> paths = commaSeparated(() -> documentPath("attrNameVal"));
        if (paths == null) {
            throw syntaxError();
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
