package dev.spillway.local.dynamo.expression;

import static dev.spillway.local.dynamo.expression.Items.item;
import static dev.spillway.local.dynamo.expression.Items.l;
import static dev.spillway.local.dynamo.expression.Items.m;
import static dev.spillway.local.dynamo.expression.Items.n;
import static dev.spillway.local.dynamo.expression.Items.names;
import static dev.spillway.local.dynamo.expression.Items.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.spillway.local.dynamo.value.AttributeValue;

class ProjectionExpressionTest {

    private static final Map<String, AttributeValue> ITEM = item(
            "id", s("k"),
            "a", m("b", n("1"), "c", n("2"), "d", m("e", s("deep"))),
            "l", l(s("zero"), s("one"), m("x", s("two"))),
            "extra", s("o"));

    private static Map<String, AttributeValue> project(String expression, Map<String, String> names) {
        return Expressions.projection(expression, new ExpressionContext(names, null)).apply(ITEM);
    }

    @Test
    void topLevelPaths_returnWholeAttributes_andSkipMissingOnes() {
        assertThat(project("id, extra, nope", null)).isEqualTo(item("id", s("k"), "extra", s("o")));
    }

    @Test
    void nestedMapPaths_keepTheStructure() {
        assertThat(project("a.b, a.d.e", null)).isEqualTo(item("a", m("b", n("1"), "d", m("e", s("deep")))));
    }

    @Test
    void listIndexes_returnTheElementsInOrder_closingTheGaps() {
        assertThat(project("l[1]", null)).isEqualTo(item("l", l(s("one"))));
        assertThat(project("l[2].x, l[0]", null)).isEqualTo(item("l", l(s("zero"), m("x", s("two")))));
        assertThat(project("l[5]", null)).isEmpty();
    }

    @Test
    void namePlaceholders_resolveAnywhereInThePath() {
        assertThat(project("#a.#b, #n", names("#a", "a", "#b", "b", "#n", "name"))).isEqualTo(item("a", m("b", n("1"))));
    }

    @Test
    void topLevelAttributes_areThePathHeads() {
        Projection projection = Expressions.projection("a.b, l[0], id", ExpressionContext.empty());
        assertThat(projection.topLevelAttributes()).containsExactly("a", "l", "id");
        assertThat(projection.nestedAttributes()).containsExactly("a", "l");
    }
}
