package dev.spillway.local.dynamo.expression;

import static dev.spillway.local.dynamo.expression.Items.b;
import static dev.spillway.local.dynamo.expression.Items.item;
import static dev.spillway.local.dynamo.expression.Items.l;
import static dev.spillway.local.dynamo.expression.Items.m;
import static dev.spillway.local.dynamo.expression.Items.n;
import static dev.spillway.local.dynamo.expression.Items.names;
import static dev.spillway.local.dynamo.expression.Items.ns;
import static dev.spillway.local.dynamo.expression.Items.s;
import static dev.spillway.local.dynamo.expression.Items.ss;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

class UpdateExpressionTest {

    private static Map<String, AttributeValue> apply(String expression, Map<String, AttributeValue> values,
            Map<String, AttributeValue> item) {
        return Expressions.update(expression, new ExpressionContext(null, values)).apply(item);
    }

    private static String runtimeError(String expression, Map<String, AttributeValue> values,
            Map<String, AttributeValue> item) {
        Update update = Expressions.update(expression, new ExpressionContext(null, values));
        return catchThrowableOfType(DynamoException.class, () -> update.apply(item)).getMessage();
    }

    @Test
    void set_writesValuesAndArithmetic_fromTheItemBeforeTheUpdate() {
        // GIVEN an item with numbers
        Map<String, AttributeValue> item = item("id", s("k"), "b", n("10"));
        // WHEN values, sums and differences are set, b being read before it changes
        Map<String, AttributeValue> updated = apply("SET a = :v, b = b + :n, c = :n - b", item(":v", s("x"),
                ":n", n("1.5")), item);
        // THEN every value was computed from the original item
        assertThat(updated).isEqualTo(item("id", s("k"), "b", n("11.5"), "a", s("x"), "c", n("-8.5")));
        assertThat(item).containsEntry("b", n("10")).doesNotContainKey("a");
    }

    @Test
    void set_ifNotExists_keepsAnExistingValue() {
        Map<String, AttributeValue> updated = apply("SET a = if_not_exists(a, :v), d = if_not_exists(d, :v)",
                item(":v", n("0")), item("a", n("7")));
        assertThat(updated).isEqualTo(item("a", n("7"), "d", n("0")));
    }

    @Test
    void set_listAppend_joinsInEitherOrder() {
        Map<String, AttributeValue> values = item(":l", l(s("z")));
        assertThat(apply("SET e = list_append(e, :l)", values, item("e", l(s("a")))))
                .isEqualTo(item("e", l(s("a"), s("z"))));
        assertThat(apply("SET e = list_append(:l, e)", values, item("e", l(s("a")))))
                .isEqualTo(item("e", l(s("z"), s("a"))));
    }

    @Test
    void set_onNestedPaths_replacesInsideMapsAndLists() {
        Map<String, AttributeValue> item = item("m", m("x", n("1"), "l", l(n("1"), n("2"))));
        Map<String, AttributeValue> updated = apply("SET m.y = :v, m.l[1] = :v, m.l[9] = :w",
                item(":v", s("v"), ":w", s("w")), item);
        assertThat(updated).isEqualTo(item("m", m("x", n("1"), "l", l(n("1"), s("v"), s("w")), "y", s("v"))));
    }

    @Test
    void set_pastTheEndOfAList_appendsInTheOrderOfTheIndexes() {
        Map<String, AttributeValue> updated = apply("SET l[9] = :v, l[7] = :w", item(":v", s("v"), ":w", s("w")),
                item("l", l(s("0"))));
        assertThat(updated).isEqualTo(item("l", l(s("0"), s("w"), s("v"))));
    }

    @Test
    void set_underAMissingParent_isInvalidForUpdate() {
        assertThat(runtimeError("SET m.y = :v", item(":v", s("v")), item()))
                .isEqualTo("The document path provided in the update expression is invalid for update");
        assertThat(runtimeError("SET m[0] = :v", item(":v", s("v")), item("m", m())))
                .isEqualTo("The document path provided in the update expression is invalid for update");
    }

    @Test
    void set_fromAMissingAttribute_failsAtRuntime() {
        assertThat(runtimeError("SET a = b", null, item()))
                .isEqualTo("The provided expression refers to an attribute that does not exist in the item");
        assertThat(runtimeError("SET a = b + :n", item(":n", n("1")), item()))
                .isEqualTo("The provided expression refers to an attribute that does not exist in the item");
    }

    @Test
    void arithmetic_onANonNumber_failsAtRuntime() {
        assertThat(runtimeError("SET a = b + :n", item(":n", n("1")), item("b", s("x"))))
                .isEqualTo("An operand in the update expression has an incorrect data type");
        assertThat(runtimeError("SET a = list_append(b, :l)", item(":l", l()), item("b", s("x"))))
                .isEqualTo("An operand in the update expression has an incorrect data type");
    }

    @Test
    void arithmetic_beyond38Digits_isRejected() {
        String error = runtimeError("SET a = a + :n", item(":n", n("1")), item("a", n("1" + "0".repeat(37) + ".5")));
        assertThat(error).isEqualTo("Attempting to store more than 38 significant digits in a Number");
        assertThat(apply("SET a = a + :n", item(":n", n("0.1")), item("a", n("0.2")))).containsEntry("a", n("0.3"));
    }

    @Test
    void remove_deletesAttributesMapKeysAndListElementsByOriginalIndex() {
        Map<String, AttributeValue> item = item("a", n("1"), "b", m("c", n("2"), "d", n("3")),
                "l", l(s("0"), s("1"), s("2"), s("3")));
        Map<String, AttributeValue> updated = apply("REMOVE a, b.c, l[1], l[2], l[7], zz", null, item);
        assertThat(updated).isEqualTo(item("b", m("d", n("3")), "l", l(s("0"), s("3"))));
    }

    @Test
    void add_toNumbers_startsMissingAttributesAtZero() {
        assertThat(apply("ADD n :v", item(":v", n("5")), item("n", n("2")))).containsEntry("n", n("7"));
        assertThat(apply("ADD n :v", item(":v", n("-5")), item())).containsEntry("n", n("-5"));
    }

    @Test
    void add_toSets_makesTheUnion_orCreatesTheSet() {
        assertThat(apply("ADD s :v", item(":v", ss("b", "c")), item("s", ss("a", "b"))))
                .containsEntry("s", ss("a", "b", "c"));
        assertThat(apply("ADD s :v", item(":v", ns("1")), item())).containsEntry("s", ns("1"));
    }

    @Test
    void add_ofAnotherType_failsAtRuntime() {
        assertThat(runtimeError("ADD s :v", item(":v", ss("x")), item("s", n("1"))))
                .isEqualTo("An operand in the update expression has an incorrect data type");
    }

    @Test
    void delete_removesMembers_andTheAttributeWhenNothingIsLeft() {
        assertThat(apply("DELETE s :v", item(":v", ss("a", "x")), item("s", ss("a", "b"))))
                .containsEntry("s", ss("b"));
        assertThat(apply("DELETE s :v", item(":v", ss("a", "b")), item("s", ss("a", "b")))).doesNotContainKey("s");
        assertThat(apply("DELETE s :v", item(":v", ss("a")), item())).isEmpty();
        assertThat(runtimeError("DELETE s :v", item(":v", ss("a")), item("s", ns("1"))))
                .isEqualTo("An operand in the update expression has an incorrect data type");
    }

    @Test
    void clauses_inAnyOrderAndCase_allApply() {
        Map<String, AttributeValue> updated = Expressions.update(
                "remove gone add n :one delete s :a set #t = :t",
                new ExpressionContext(names("#t", "text"), item(":one", n("1"), ":a", ss("a"), ":t", s("t"))))
                .apply(item("gone", b(1), "s", ss("a", "b")));
        assertThat(updated).isEqualTo(item("s", ss("b"), "n", n("1"), "text", s("t")));
    }

    @Test
    void topLevelAttributes_listEveryWrittenOrRemovedHead() {
        Update update = Expressions.update("SET a.b = :v, c[0] = :v REMOVE d ADD e :n DELETE f :s",
                new ExpressionContext(null, item(":v", s("v"), ":n", n("1"), ":s", ss("x"))));
        assertThat(update.topLevelAttributes()).containsExactly("a", "c", "d", "e", "f");
        assertThat(update.nestedAttributes()).containsExactly("a", "c");
    }

    @Test
    void staticTypeOf_tellsTheTypeATopLevelActionWrites_whenKnownBeforeEvaluation() {
        Update update = Expressions.update("SET a = :s, b = c + :n, d = list_append(d, :l), e = c, "
                + "f = if_not_exists(f, :s) REMOVE g ADD h :ns",
                new ExpressionContext(null, item(":s", s("x"), ":n", n("1"), ":l", l(), ":ns", ns("1"))));
        assertThat(update.staticTypeOf("a")).contains("S");
        assertThat(update.staticTypeOf("b")).contains("N");
        assertThat(update.staticTypeOf("d")).contains("L");
        assertThat(update.staticTypeOf("e")).isEmpty();
        assertThat(update.staticTypeOf("f")).contains("S");
        assertThat(update.staticTypeOf("g")).isEmpty();
        assertThat(update.staticTypeOf("h")).contains("NS");
        assertThat(update.staticTypeOf("zz")).isEmpty();
    }

    @Test
    void updatedPart_returnsOnlyTheUpdatedPaths() {
        Update update = Expressions.update("SET m.x = :v, l[1] = :v, top = :v",
                new ExpressionContext(null, item(":v", s("new"))));
        Map<String, AttributeValue> old = item("m", m("x", s("old"), "y", s("keep")), "l", l(s("0"), s("1")),
                "other", s("o"));
        assertThat(update.updatedPart(old)).isEqualTo(item("m", m("x", s("old")), "l", l(s("1"))));
        assertThat(update.updatedPart(update.apply(old)))
                .isEqualTo(item("m", m("x", s("new")), "l", l(s("new")), "top", s("new")));
    }
}
