package dev.spillway.capacity.sim;

/**
 * The direct lane: an upstream API the intake calls at once while it has a free slot.
 *
 * @param bulkhead            calls the intake allows in flight ({@code spillway.upstreams.NAME.max-concurrency}); 0
 *                            for no direct lane
 * @param upstreamConcurrency calls the upstream accepts at once; past it, it answers 429 and the request spills
 * @param firstTokenSeconds   time to the upstream's first token
 * @param tokensPerSecond     the upstream's generation speed per request
 */
public record DirectLaneModel(int bulkhead, int upstreamConcurrency, double firstTokenSeconds,
                              double tokensPerSecond) {

    public static final DirectLaneModel NONE = new DirectLaneModel(0, 0, 0, 1);

    public boolean enabled() {
        return bulkhead > 0;
    }

    /** Seconds one direct call takes. */
    public double callSeconds(final int outputTokens) {
        return firstTokenSeconds + outputTokens / tokensPerSecond;
    }
}
