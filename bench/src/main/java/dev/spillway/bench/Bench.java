package dev.spillway.bench;

import java.util.Locale;

/** Entry point of {@code bench/run NAME [--quick] [--PARAMETER VALUE ...]}. */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: bench/run NAME [--quick] [--PARAMETER VALUE ...]  (see docs/benchmarks.md)");
            System.exit(2);
        }
        Benchmark benchmark;
        try {
            benchmark = (Benchmark) Class.forName(Bench.class.getPackageName() + "." + className(args[0]))
                    .getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            System.err.println("no benchmark named " + args[0]);
            System.exit(2);
            return;
        }
        boolean answeredAll = benchmark.run(BenchOptions.parse(args, 1));
        // Exit explicitly: embedded llama.cpp and HTTP clients keep non-daemon threads.
        System.exit(answeredAll ? 0 : 1);
    }

    /** {@code cache-hit} → {@code CacheHitBenchmark}. */
    static String className(String name) {
        StringBuilder result = new StringBuilder();
        for (String part : name.split("-")) {
            if (!part.isEmpty()) {
                result.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        return result.append("Benchmark").toString();
    }
}
