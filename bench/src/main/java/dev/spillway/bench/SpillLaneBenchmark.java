package dev.spillway.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;

import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * Spill-lane overhead: a request that goes intake → job store → queue → worker → engine → store → notice →
 * intake, on the local emulators, next to the engine's own time (the same request sent straight to the engine's
 * upstream server). The difference is what the spill lane costs. Each request is distinct and uncacheable, so
 * every one runs as its own job; the upstream counts its calls to prove each ran exactly once. A third run, the
 * {@link EmulatorFloor}, makes the lane's unavoidable store and queue round trips with a bare client, so the table
 * shows how much of the overhead is the emulators' and how much Spillway's own.
 *
 * <p>The warm-up is long because the stack's emulators and both JVMs need about a thousand requests before the JIT
 * has compiled their hot paths; a shorter one measures the compiler (twice the latency here).
 */
public final class SpillLaneBenchmark implements Benchmark {

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int requests = options.integer("requests", 300, 20);
        int warmup = options.integer("warmup", 1000, 5);

        try (ScriptedUpstream upstream = new ScriptedUpstream();
                LocalStackProcess stack = LocalStackProcess.start(options, "spill-lane", upstream.baseUrl(), Map.of())) {
            HttpRequest.Builder direct = HttpRequest.newBuilder(URI.create(upstream.baseUrl() + "/chat/completions"))
                    .header("Content-Type", "application/json");

            HttpLoad.run(warmup, 1, i -> spill(stack, "warm-up " + i), SpillLaneBenchmark::isSpilled);
            HttpLoad.run(warmup, 1, i -> direct.copy().POST(body("warm-up direct " + i)).build(),
                    response -> response.statusCode() == 200);
            int callsBefore = upstream.totalCalls();

            HttpLoad.Result spilled = HttpLoad.run(requests, 1, i -> spill(stack, "question " + i),
                    SpillLaneBenchmark::isSpilled);
            int spillCalls = upstream.totalCalls() - callsBefore;
            HttpLoad.Result engine = HttpLoad.run(requests, 1,
                    i -> direct.copy().POST(body("direct question " + i)).build(),
                    response -> response.statusCode() == 200);
            Latencies floor = EmulatorFloor.measure(stack.emulators(), warmup, requests);

            Table results = new Table("Spill lane end to end vs the engine alone (1 client, local emulators)",
                    "path", "requests", "failed", "p50 ms", "p99 ms", "req/s");
            row(results, "spill lane (intake → SQS → worker → DynamoDB → notice)", spilled);
            row(results, "engine alone (its upstream, called directly)", engine);
            row(results, "emulator floor (PutItem, SendMessage → long poll, 2 conditional UpdateItems; bare client)",
                    new HttpLoad.Result(floor, 0, null));
            results.print(System.out);

            double overheadP50 = spilled.latencies().p50() - engine.latencies().p50();
            Table overhead = new Table("Spill-lane overhead", "measure", "value");
            overhead.row("p50 overhead, ms (spill p50 - engine p50)", overheadP50);
            overhead.row("p99 overhead, ms (spill p99 - engine p99)",
                    spilled.latencies().p99() - engine.latencies().p99());
            overhead.row("of which the emulator floor, ms (floor p50)", floor.p50());
            overhead.row("Spillway's own share, ms (p50 overhead - floor p50)", overheadP50 - floor.p50());
            overhead.row("p50 ratio (spill / engine)", spilled.latencies().p50() / engine.latencies().p50());
            overhead.row("engine calls per spilled request (1 = no duplicate, no loss)",
                    (double) spillCalls / requests);
            overhead.print(System.out);
            System.out.printf(Locale.ROOT, "%ngoal: p50 overhead < 20 ms -> %s%s%n",
                    CacheHitBenchmark.verdict(overheadP50 < 20),
                    options.quick() ? " (quick run: too few requests to judge)" : "");

            boolean exactlyOnce = spillCalls == requests;
            if (!exactlyOnce) {
                System.out.println("the engine was called " + spillCalls + " times for " + requests + " jobs");
            }
            if (spilled.failures() + engine.failures() > 0) {
                System.out.println("wrong answers: " + (spilled.failures() + engine.failures()) + ", e.g. "
                        + (spilled.firstFailure() != null ? spilled.firstFailure() : engine.firstFailure()));
            }
            return exactlyOnce && spilled.failures() == 0 && engine.failures() == 0;
        }
    }

    /** Sampled (temperature 1), so never cached or coalesced: every request is a job of its own. */
    private static HttpRequest spill(LocalStackProcess stack, String question) {
        return stack.request("/v1/chat/completions")
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=60")
                .POST(body(question)).build();
    }

    private static HttpRequest.BodyPublisher body(String question) {
        return HttpRequest.BodyPublishers.ofString("{\"model\":\"" + LocalStackProcess.MODEL
                + "\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}");
    }

    private static boolean isSpilled(HttpResponse<String> response) {
        return response.statusCode() == 200
                && "spill".equals(response.headers().firstValue("X-Spillway-Lane").orElse(""))
                && response.body().contains("echo: ");
    }

    private static void row(Table table, String path, HttpLoad.Result result) {
        table.row(path, result.latencies().count(), result.failures(), result.latencies().p50(),
                result.latencies().p99(), result.latencies().perSecond());
    }
}
