package dev.spillway.local.dynamo.expression;

import java.util.Map;
import java.util.Set;

import dev.spillway.local.dynamo.value.AttributeValue;

/** A parsed ProjectionExpression. */
public interface Projection {

    /** The projected part of the item; nested paths keep their structure ({@code a.b} gives {@code {a:{M:{b}}}}). */
    Map<String, AttributeValue> apply(Map<String, AttributeValue> item);

    /** The top-level attributes the projection reads. */
    Set<String> topLevelAttributes();

    /** The top-level attributes projected through a nested path ({@code a.b}, {@code a[0]}): never allowed on keys. */
    Set<String> nestedAttributes();
}
