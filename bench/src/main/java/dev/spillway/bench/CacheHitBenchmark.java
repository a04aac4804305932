package dev.spillway.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * Cache-hit path: latency and throughput of a request the intake answers from its cache, next to a trivial
 * loopback HTTP server that returns the same bytes (the floor: what HTTP alone costs on this machine).
 * The hit runs the whole intake path: API-key check, rate limit, parsing, cache-key hashing and lookup. Both are
 * measured with the same lean keep-alive client, so the client's own cost is small and equal on both sides. Both
 * are warmed up with 10,000 requests first: with 1,000 the p99 still caught the JIT compiling the intake's path.
 */
public final class CacheHitBenchmark implements Benchmark {

    private static final String BODY = "{\"model\":\"" + LocalStackProcess.MODEL
            + "\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"What is a spillway?\"}]}";

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int sequential = options.integer("requests", 3000, 200);
        int concurrent = options.integer("concurrent-requests", 6000, 400);
        int concurrency = options.integer("concurrency", 8, 4);
        int warmup = options.integer("warmup", 10_000, 50);

        try (ScriptedUpstream upstream = new ScriptedUpstream();
                LocalStackProcess stack = LocalStackProcess.start(options, "cache-hit", upstream.baseUrl(), Map.of())) {
            HttpResponse<String> first = HttpLoad.client().send(completion(stack).header("Prefer", "wait=60").build(),
                    HttpResponse.BodyHandlers.ofString());
            if (first.statusCode() != 200) {
                System.out.println("the first request was not answered: " + first.statusCode() + " " + first.body());
                return false;
            }
            try (FloorServer floor = new FloorServer(first.body())) {
                Callable<KeepAliveClient> hitClient = () -> new KeepAliveClient(
                        URI.create(stack.baseUrl() + "/v1/chat/completions"),
                        Map.of("Authorization", "Bearer " + LocalStackProcess.DEV_KEY), BODY);
                Callable<KeepAliveClient> floorClient = () -> new KeepAliveClient(URI.create(floor.url()), Map.of(),
                        BODY);

                HttpLoad.keepAlive(warmup, concurrency, hitClient, CacheHitBenchmark::isHit);
                HttpLoad.keepAlive(warmup, concurrency, floorClient, CacheHitBenchmark::isOk);

                HttpLoad.Result hitOne = HttpLoad.keepAlive(sequential, 1, hitClient, CacheHitBenchmark::isHit);
                HttpLoad.Result floorOne = HttpLoad.keepAlive(sequential, 1, floorClient, CacheHitBenchmark::isOk);
                HttpLoad.Result hitMany = HttpLoad.keepAlive(concurrent, concurrency, hitClient,
                        CacheHitBenchmark::isHit);
                HttpLoad.Result floorMany = HttpLoad.keepAlive(concurrent, concurrency, floorClient,
                        CacheHitBenchmark::isOk);

                Table results = new Table("Cache-hit path vs the HTTP floor (loopback, same response bytes)",
                        "path", "clients", "requests", "failed", "p50 ms", "p99 ms", "req/s");
                row(results, "cache hit (intake)", 1, hitOne);
                row(results, "floor (trivial server)", 1, floorOne);
                row(results, "cache hit (intake)", concurrency, hitMany);
                row(results, "floor (trivial server)", concurrency, floorMany);
                results.print(System.out);

                Table ratios = new Table("Cache hit relative to the floor", "measure", "cache hit / floor");
                ratios.row("p50 latency, 1 client", hitOne.latencies().p50() / floorOne.latencies().p50());
                ratios.row("p99 latency, 1 client", hitOne.latencies().p99() / floorOne.latencies().p99());
                ratios.row("throughput, " + concurrency + " clients",
                        hitMany.latencies().perSecond() / floorMany.latencies().perSecond());
                ratios.print(System.out);
                System.out.printf(Locale.ROOT, "%ngoal (1 client): p50 < 1 ms -> %s, p99 < 5 ms -> %s%s%n",
                        verdict(hitOne.latencies().p50() < 1), verdict(hitOne.latencies().p99() < 5),
                        options.quick() ? " (quick run: too few requests to judge)" : "");

                int failures = hitOne.failures() + floorOne.failures() + hitMany.failures() + floorMany.failures();
                if (failures > 0) {
                    System.out.println("wrong answers: " + failures + ", e.g. "
                            + (hitOne.firstFailure() != null ? hitOne.firstFailure() : hitMany.firstFailure()));
                }
                return failures == 0;
            }
        }
    }

    private static HttpRequest.Builder completion(LocalStackProcess stack) {
        return stack.request("/v1/chat/completions")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY));
    }

    private static boolean isHit(KeepAliveClient.Response response) {
        return response.status() == 200 && response.headers().getOrDefault("x-spillway-cache", "").startsWith("hit");
    }

    private static boolean isOk(KeepAliveClient.Response response) {
        return response.status() == 200;
    }

    private static void row(Table table, String path, int clients, HttpLoad.Result result) {
        table.row(path, clients, result.latencies().count(), result.failures(), result.latencies().p50(),
                result.latencies().p99(), result.latencies().perSecond());
    }

    static String verdict(boolean met) {
        return met ? "met" : "NOT met";
    }
}
