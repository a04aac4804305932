package dev.spillway.capacity.cost;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a plan costs, in US dollars, by item. */
public record Cost(Map<String, Double> items) {

    public Cost {
        items = Collections.unmodifiableMap(new LinkedHashMap<>(items));
    }

    public double total() {
        return items.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
