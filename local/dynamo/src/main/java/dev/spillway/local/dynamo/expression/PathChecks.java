package dev.spillway.local.dynamo.expression;

/** The overlap and conflict rules between the document paths of one update or projection expression. */
final class PathChecks {

    private PathChecks() {
    }

    /**
     * Records a "pathOverlap" error when one path is a prefix of the other (or equal), a "pathConflict" error when
     * they use a key and an index at the same place; true when an overlap was found.
     */
    static boolean overlapOrConflict(TokenParser parser, DocumentPath first, DocumentPath second) {
        int common = Math.min(first.size(), second.size());
        for (int i = 0; i < common; i++) {
            Object a = first.elements().get(i);
            Object b = second.elements().get(i);
            if (a.getClass() != b.getClass()) {
                parser.error("pathConflict", "Two document paths conflict with each other; must remove or rewrite one "
                        + "of these paths; path one: " + first + ", path two: " + second);
                return false;
            }
            if (!a.equals(b)) {
                return false;
            }
        }
        parser.error("pathOverlap", "Two document paths overlap with each other; must remove or rewrite one of these "
                + "paths; path one: " + first + ", path two: " + second);
        return true;
    }
}
