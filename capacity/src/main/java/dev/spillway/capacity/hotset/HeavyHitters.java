package dev.spillway.capacity.hotset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code k} most frequent keys of a stream in bounded memory: a {@link CountMinSketch} counts every key, and a
 * candidate table of at most {@code k} keys keeps those with the highest estimates seen (a key whose estimate passes
 * the smallest candidate's takes its place). Estimates are never below the true counts and, with the sketch's
 * probability, at most {@code epsilon x N} above them, so a key is left out only for k others whose counts come
 * within that margin of its own or above.
 * One per tenant keeps tenants apart: a tenant's hot set is made of its own requests only.
 */
public final class HeavyHitters {

    private final int k;
    private final CountMinSketch sketch;
    private final Map<Long, Long> candidates = new HashMap<>();

    public HeavyHitters(final int k, final CountMinSketch sketch) {
        if (k < 1) {
            throw new IllegalArgumentException("k is at least 1, got " + k);
        }
        this.k = k;
        this.sketch = sketch;
    }

    public CountMinSketch sketch() {
        return sketch;
    }

    /** Counts one occurrence of {@code key}. */
    public void add(final long key) {
        long estimate = sketch.add(key, 1);
        if (candidates.containsKey(key) || candidates.size() < k) {
            candidates.put(key, estimate);
            return;
        }
        Map.Entry<Long, Long> smallest = null;
        for (Map.Entry<Long, Long> entry : candidates.entrySet()) {
            if (smallest == null || entry.getValue() < smallest.getValue()) {
                smallest = entry;
            }
        }
        if (estimate > smallest.getValue()) {
            candidates.remove(smallest.getKey());
            candidates.put(key, estimate);
        }
    }

    /** Halves the counts (see {@link CountMinSketch#decay()}). */
    public void decay() {
        sketch.decay();
        candidates.replaceAll((key, estimate) -> sketch.estimate(key));
    }

    /** The candidates, most frequent first, with their estimates. */
    public List<Map.Entry<Long, Long>> top() {
        List<Map.Entry<Long, Long>> top = new ArrayList<>(candidates.entrySet());
        top.sort(Map.Entry.<Long, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        return top.stream().map(entry -> Map.entry(entry.getKey(), entry.getValue())).toList();
    }
}
