package dev.spillway.bench;

/**
 * One benchmark: measures a Spillway configuration next to a baseline in the same run, prints a table with the
 * ratio, and fails (non-zero exit) when the workload itself went wrong (lost or wrong answers), never on speed.
 * {@code bench/run NAME} finds the implementation by name: {@code cache-hit} is {@code CacheHitBenchmark}.
 */
public interface Benchmark {

    /** @return true when every request of the workload was answered as expected */
    boolean run(BenchOptions options) throws Exception;
}
