package dev.spillway.local.dynamo.expression;

import static dev.spillway.local.dynamo.expression.Items.b;
import static dev.spillway.local.dynamo.expression.Items.bool;
import static dev.spillway.local.dynamo.expression.Items.item;
import static dev.spillway.local.dynamo.expression.Items.l;
import static dev.spillway.local.dynamo.expression.Items.m;
import static dev.spillway.local.dynamo.expression.Items.n;
import static dev.spillway.local.dynamo.expression.Items.names;
import static dev.spillway.local.dynamo.expression.Items.nul;
import static dev.spillway.local.dynamo.expression.Items.ns;
import static dev.spillway.local.dynamo.expression.Items.s;
import static dev.spillway.local.dynamo.expression.Items.ss;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

class ConditionExpressionTest {

    private static final Map<String, AttributeValue> ITEM = item(
            "id", s("k1"),
            "count", n("5"),
            "name", s("alpha"),
            "data", b(0x01, 0xFF, 0x10),
            "tags", ss("red", "blue"),
            "scores", ns("1", "2.50"),
            "list", l(s("x"), n("7"), m("deep", s("v"))),
            "map", m("nest", m("leaf", n("3")), "arr", l(n("10"), n("20"))),
            "flag", bool(true),
            "nothing", nul());

    private static boolean test(String expression, Map<String, AttributeValue> values) {
        return test(expression, null, values);
    }

    private static boolean test(String expression, Map<String, String> names, Map<String, AttributeValue> values) {
        // GIVEN a parsed expression
        Condition condition = Expressions.condition("ConditionExpression", expression,
                new ExpressionContext(names, values == null || values.isEmpty() ? null : values));
        // WHEN it is tested against the item
        return condition.test(ITEM);
    }

    @Test
    void comparators_onNumbers_compareByValue() {
        assertThat(test("#c = :v", names("#c", "count"), item(":v", n("5.0")))).isTrue();
        assertThat(test("#c < :v", names("#c", "count"), item(":v", n("10")))).isTrue();
        assertThat(test("#c <= :v", names("#c", "count"), item(":v", n("5")))).isTrue();
        assertThat(test("#c > :v", names("#c", "count"), item(":v", n("-1")))).isTrue();
        assertThat(test("#c >= :v", names("#c", "count"), item(":v", n("6")))).isFalse();
        assertThat(test("#c <> :v", names("#c", "count"), item(":v", n("6")))).isTrue();
    }

    @Test
    void comparators_onStrings_useCodePointOrder() {
        // U+FB01 sorts before U+1F600 in UTF-8, although its UTF-16 code unit is higher than a surrogate's
        Map<String, AttributeValue> item = item("a", s("\uFB01"));
        Condition condition = Expressions.condition("ConditionExpression", "a < :v",
                new ExpressionContext(null, item(":v", s("\uD83D\uDE00"))));
        assertThat(condition.test(item)).isTrue();
        assertThat(test("id < :v", item(":v", s("k2")))).isTrue();
        assertThat(test("id > :v", item(":v", s("k")))).isTrue();
    }

    @Test
    void comparators_onBinary_compareBytesUnsigned() {
        assertThat(test("#d > :v", names("#d", "data"), item(":v", b(0x01, 0x7F)))).isTrue();
        assertThat(test("#d < :v", names("#d", "data"), item(":v", b(0x02)))).isTrue();
    }

    @Test
    void comparisons_betweenDifferentTypes_areNeverTrueExceptNotEqual() {
        assertThat(test("#c = :v", names("#c", "count"), item(":v", s("5")))).isFalse();
        assertThat(test("#c < :v", names("#c", "count"), item(":v", s("9")))).isFalse();
        assertThat(test("#c <> :v", names("#c", "count"), item(":v", s("5")))).isTrue();
    }

    @Test
    void comparisons_onMissingAttribute_areFalseExceptNotEqual() {
        assertThat(test("absent = :v", item(":v", n("1")))).isFalse();
        assertThat(test("absent < :v", item(":v", n("1")))).isFalse();
        assertThat(test("absent <> :v", item(":v", n("1")))).isTrue();
        assertThat(test("absent IN (:v)", item(":v", n("1")))).isFalse();
        assertThat(test("absent BETWEEN :a AND :b", item(":a", n("1"), ":b", n("2")))).isFalse();
    }

    @Test
    void equality_onSetsListsAndMaps_isDeep_andSetsIgnoreOrder() {
        assertThat(test("tags = :v", item(":v", ss("blue", "red")))).isTrue();
        assertThat(test("scores = :v", item(":v", ns("2.5", "1")))).isTrue();
        assertThat(test("#l = :v", names("#l", "list"), item(":v", l(s("x"), n("7.0"), m("deep", s("v")))))).isTrue();
        assertThat(test("#l = :v", names("#l", "list"), item(":v", l(n("7"), s("x"), m("deep", s("v")))))).isFalse();
        assertThat(test("#m.nest = :v", names("#m", "map"), item(":v", m("leaf", n("3"))))).isTrue();
        assertThat(test("tags < :v", item(":v", ss("zzz")))).isFalse();
    }

    @Test
    void between_isInclusive() {
        assertThat(test("#c BETWEEN :a AND :b", names("#c", "count"), item(":a", n("5"), ":b", n("9")))).isTrue();
        assertThat(test("#c BETWEEN :a AND :b", names("#c", "count"), item(":a", n("1"), ":b", n("5")))).isTrue();
        assertThat(test("#c BETWEEN :a AND :b", names("#c", "count"), item(":a", n("6"), ":b", n("9")))).isFalse();
        assertThat(test("id between :a and :b", item(":a", s("k"), ":b", s("l")))).isTrue();
    }

    @Test
    void in_matchesAnyCandidateOfTheSameTypeAndValue() {
        assertThat(test("id IN (:a, :b, :c)", item(":a", s("x"), ":b", n("1"), ":c", s("k1")))).isTrue();
        assertThat(test("id IN (:a, :b)", item(":a", s("x"), ":b", s("y")))).isFalse();
    }

    @Test
    void logicalOperators_followPrecedence_notThenAndThenOr() {
        Map<String, AttributeValue> values = item(":t", bool(true), ":f", bool(false));
        // false AND false OR true -> (false AND false) OR true = true
        assertThat(test("flag = :f AND flag = :f OR flag = :t", values)).isTrue();
        // true OR true AND false -> true OR (true AND false) = true
        assertThat(test("flag = :t OR flag = :t AND flag = :f", values)).isTrue();
        // NOT binds tighter than AND: (NOT true) AND true = false
        assertThat(test("NOT flag = :t AND flag = :t", values)).isFalse();
        assertThat(test("NOT (flag = :f OR flag = :f)", values)).isTrue();
        assertThat(test("(flag = :f OR flag = :t) AND flag = :t", values)).isTrue();
    }

    @Test
    void attributeExistence_functions_lookAtNestedPaths() {
        assertThat(test("attribute_exists(#m.nest.leaf)", names("#m", "map"), null)).isTrue();
        assertThat(test("attribute_exists(#m.arr[1])", names("#m", "map"), null)).isTrue();
        assertThat(test("attribute_exists(#m.arr[2])", names("#m", "map"), null)).isFalse();
        assertThat(test("attribute_not_exists(absent)", null)).isTrue();
        assertThat(test("attribute_not_exists(id)", null)).isFalse();
        assertThat(test("attribute_exists(#l[2].deep)", names("#l", "list"), null)).isTrue();
    }

    @Test
    void attributeType_comparesTheTypeCode() {
        assertThat(test("attribute_type(tags, :t)", item(":t", s("SS")))).isTrue();
        assertThat(test("attribute_type(#n, :t)", names("#n", "nothing"), item(":t", s("NULL")))).isTrue();
        assertThat(test("attribute_type(flag, :t)", item(":t", s("BOOL")))).isTrue();
        assertThat(test("attribute_type(id, :t)", item(":t", s("N")))).isFalse();
        assertThat(test("attribute_type(absent, :t)", item(":t", s("S")))).isFalse();
    }

    @Test
    void beginsWith_worksOnStringsAndBinary() {
        assertThat(test("begins_with(#n, :p)", names("#n", "name"), item(":p", s("al")))).isTrue();
        assertThat(test("begins_with(#n, :p)", names("#n", "name"), item(":p", s("be")))).isFalse();
        assertThat(test("begins_with(#d, :p)", names("#d", "data"), item(":p", b(0x01, 0xFF)))).isTrue();
        assertThat(test("begins_with(#c, :p)", names("#c", "count"), item(":p", s("5")))).isFalse();
    }

    @Test
    void contains_findsSubstringsSetMembersAndListElements() {
        assertThat(test("contains(#n, :p)", names("#n", "name"), item(":p", s("ph")))).isTrue();
        assertThat(test("contains(tags, :p)", item(":p", s("red")))).isTrue();
        assertThat(test("contains(tags, :p)", item(":p", s("re")))).isFalse();
        assertThat(test("contains(scores, :p)", item(":p", n("2.5")))).isTrue();
        assertThat(test("contains(#l, :p)", names("#l", "list"), item(":p", n("7")))).isTrue();
        assertThat(test("contains(#l, :p)", names("#l", "list"), item(":p", m("deep", s("v"))))).isTrue();
        assertThat(test("contains(#d, :p)", names("#d", "data"), item(":p", b(0xFF, 0x10)))).isTrue();
        assertThat(test("contains(absent, :p)", item(":p", s("x")))).isFalse();
    }

    @Test
    void size_measuresStringsBinarySetsListsAndMaps() {
        assertThat(test("size(#n) = :v", names("#n", "name"), item(":v", n("5")))).isTrue();
        assertThat(test("size(#d) = :v", names("#d", "data"), item(":v", n("3")))).isTrue();
        assertThat(test("size(tags) = :v", item(":v", n("2")))).isTrue();
        assertThat(test("size(#l) > :v", names("#l", "list"), item(":v", n("2")))).isTrue();
        assertThat(test("size(#m) = :v", names("#m", "map"), item(":v", n("2")))).isTrue();
        assertThat(test("size(#c) = :v", names("#c", "count"), item(":v", n("1")))).isFalse();
        assertThat(test(":v < size(tags)", item(":v", n("1")))).isTrue();
    }

    @Test
    void parentheses_aroundOperandsAndConditions_areAccepted() {
        assertThat(test("(id) = (:v)", item(":v", s("k1")))).isTrue();
        assertThat(test("(id = :v)", item(":v", s("k1")))).isTrue();
        assertThat(test("((id = :v) AND (id = :v))", item(":v", s("k1")))).isTrue();
    }

    @Test
    void keywordsAndWhitespace_areFlexible() {
        assertThat(test("id=:v\tand\nnot id<>:v", item(":v", s("k1")))).isTrue();
        assertThat(test("  id   In(  :v  )  ", item(":v", s("k1")))).isTrue();
    }

    @Test
    void deeplyNestedParentheses_parseQuickly() {
        String expression = "(id = :v AND ".repeat(40) + "id = :v" + ")".repeat(40);
        assertThat(test(expression, item(":v", s("k1")))).isTrue();
    }

    @Test
    void notEqual_betweenTwoMissingAttributes_isFalse_asInDynalite() {
        assertThat(test("absent <> gone", null)).isFalse();
    }

    @Test
    void attributesRead_areReported_withThoseReadThroughNestedPaths() {
        Condition condition = Expressions.condition("FilterExpression", "a.b = :v OR size(c[0]) > :v AND d = :v",
                new ExpressionContext(null, item(":v", n("1"))));
        assertThat(condition.topLevelAttributes()).containsExactly("a", "c", "d");
        assertThat(condition.nestedAttributes()).containsExactly("a", "c");
    }

    @Test
    void absurdNesting_isRejectedAsInvalid_insteadOfCrashingTheCaller() {
        String expression = "(id = :v AND ".repeat(20_000) + "id = :v" + ")".repeat(20_000);
        assertThatThrownBy(() -> test(expression, item(":v", s("k1"))))
                .isInstanceOf(DynamoException.class)
                .hasMessage("Invalid ConditionExpression: The expression is nested too deeply");
    }

    @Test
    void emptyItem_standsForAnAbsentItem() {
        Condition condition = Expressions.condition("ConditionExpression", "attribute_not_exists(id)",
                ExpressionContext.empty());
        assertThat(condition.test(Map.of())).isTrue();
    }
}
