package dev.spillway.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.auth.dynamo.DynamoApiKeyStore;
import dev.spillway.core.job.Tier;
import dev.spillway.local.emulators.LocalCloud;

/**
 * Direct-lane overhead: a request the intake forwards to an upstream target with capacity, next to the same request
 * sent straight to that upstream, in one run, with the whole local stack up. The upstream is a
 * {@link CannedCompletionServer} on loopback, so what separates the two rows is Spillway's forwarding path: HTTP in,
 * the key check, parsing, the rate limit, the target's guard, the upstream call, the answer out. The request is
 * uncacheable (temperature 0.7), so every one is forwarded; the upstream counts its requests to prove each reached it
 * exactly once (no retry, no spill). Measured with the dev key (no rate limits) and with a key that has limits, whose
 * buckets live in Redis. One connection gives the latency overhead (p50, p99), {@code --connections} (50) the
 * throughput, each client on its own kept-alive connection.
 *
 * <p>Options: {@code --requests} (one connection), {@code --concurrent-requests}, {@code --connections},
 * {@code --warmup} (requests per path before measuring, for the JIT), {@code --rounds} (the paths take turns this
 * many times, each turn a share of the requests).
 */
public final class DirectLaneBenchmark implements Benchmark {

    private static final String TARGET = "canned";
    private static final String BODY = "{\"model\":\"" + LocalStackProcess.MODEL
            + "\",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"What is a spillway?\"}]}";
    private static final String ANSWER = "A spillway lets a dam pass a flood without breaking.";
    private static final String COMPLETION = "{\"id\":\"chatcmpl-canned\",\"object\":\"chat.completion\","
            + "\"created\":1767225600,\"model\":\"canned-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
            + "\"assistant\",\"content\":\"" + ANSWER + "\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":14,\"completion_tokens\":11,\"total_tokens\":25}}";
    private static final String LIMITED_KEY = "spillway-bench-limited-key";

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int sequential = options.integer("requests", 5000, 200);
        int concurrent = options.integer("concurrent-requests", 50_000, 400);
        int connections = options.integer("connections", 50, 8);
        int warmup = options.integer("warmup", 20_000, 100);
        int rounds = options.integer("rounds", 10, 2);

        try (CannedCompletionServer upstream = new CannedCompletionServer(COMPLETION);
                LocalStackProcess stack = LocalStackProcess.start(options, "direct-lane", upstream.baseUrl(),
                        directTarget(upstream, connections))) {
            createLimitedKey(stack);
            URI intake = URI.create(stack.baseUrl() + "/v1/chat/completions");
            try (Route mock = new Route("upstream alone (canned server)", upstream, stack,
                    () -> new KeepAliveClient(URI.create(upstream.baseUrl() + "/chat/completions"), Map.of(), BODY),
                    false);
                    Route direct = new Route("direct lane, key without limits", upstream, stack,
                            () -> new KeepAliveClient(intake,
                                    Map.of("Authorization", "Bearer " + LocalStackProcess.DEV_KEY), BODY), true);
                    Route limited = new Route("direct lane, key with rate limits", upstream, stack,
                            () -> new KeepAliveClient(intake, Map.of("Authorization", "Bearer " + LIMITED_KEY),
                                    BODY), true)) {
                List<Route> routes = List.of(mock, direct, limited);
                for (Route route : routes) {
                    route.measure(warmup, connections);
                }
                // Interleaved in rounds, so that load from outside the benchmark (a shared machine) falls on every
                // route alike instead of on whichever ran when it came.
                Map<Route, Measured> one = interleaved(routes, sequential, 1, rounds);
                Map<Route, Measured> many = interleaved(routes, concurrent, connections, rounds);
                Measured mockOne = one.get(mock);
                Measured directOne = one.get(direct);
                Measured limitedOne = one.get(limited);
                Measured mockMany = many.get(mock);
                Measured directMany = many.get(direct);
                Measured limitedMany = many.get(limited);

                Table results = new Table("Direct lane vs calling the upstream directly (loopback, local stack up)",
                        "path", "connections", "requests", "failed", "p50 ms", "p99 ms", "req/s");
                for (Measured measured : new Measured[] {mockOne, directOne, limitedOne, mockMany, directMany,
                        limitedMany}) {
                    measured.row(results);
                }
                results.print(System.out);

                Table overhead = new Table("What the direct lane adds", "measure", "key without limits",
                        "key with rate limits");
                overhead.row("p50 overhead, ms (1 connection, lane p50 - upstream p50)",
                        directOne.p50() - mockOne.p50(), limitedOne.p50() - mockOne.p50());
                overhead.row("p99 overhead, ms (1 connection, lane p99 - upstream p99)",
                        directOne.p99() - mockOne.p99(), limitedOne.p99() - mockOne.p99());
                overhead.row("req/s at " + connections + " connections", directMany.perSecond(),
                        limitedMany.perSecond());
                overhead.row("req/s relative to the upstream alone", directMany.perSecond() / mockMany.perSecond(),
                        limitedMany.perSecond() / mockMany.perSecond());
                overhead.row("stack CPU per request, us (" + connections + " connections)",
                        directMany.stackCpuMicrosPerRequest(), limitedMany.stackCpuMicrosPerRequest());
                overhead.row("stack CPU per request, us (1 connection)", directOne.stackCpuMicrosPerRequest(),
                        limitedOne.stackCpuMicrosPerRequest());
                overhead.print(System.out);

                System.out.printf(Locale.ROOT, "%ngoal (key without limits): p50 overhead <= 0.35 ms -> %s, >= 3,500 "
                        + "req/s at %d connections -> %s%s%n", CacheHitBenchmark.verdict(directOne.p50() - mockOne.p50()
                                <= 0.35), connections, CacheHitBenchmark.verdict(directMany.perSecond() >= 3500),
                        options.quick() ? " (quick run: too few requests to judge)" : "");

                int failures = 0;
                for (Measured measured : new Measured[] {mockOne, directOne, limitedOne, mockMany, directMany,
                        limitedMany}) {
                    failures += measured.report();
                }
                return failures == 0;
            }
        }
    }

    /** Each route measured {@code rounds} times in turn, {@code requests / rounds} requests a time. */
    private static Map<Route, Measured> interleaved(List<Route> routes, int requests, int connections, int rounds)
            throws Exception {
        Map<Route, List<Measured>> parts = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            // Each round starts with another route: the first after a pause pays for waking the threads.
            for (int i = 0; i < routes.size(); i++) {
                Route route = routes.get((round + i) % routes.size());
                parts.computeIfAbsent(route, r -> new ArrayList<>())
                        .add(route.measure(Math.max(1, requests / rounds), connections));
            }
        }
        Map<Route, Measured> combined = new LinkedHashMap<>();
        parts.forEach((route, measured) -> combined.put(route, Measured.combined(route, connections, measured)));
        return combined;
    }

    /** The stack's model goes direct to the canned upstream, with room in the bulkhead for every connection. */
    private static Map<String, String> directTarget(CannedCompletionServer upstream, int connections) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("spillway.upstreams." + TARGET + ".base-url", upstream.baseUrl());
        // Twice the connections: a slot may be released a moment after its answer reached the client, and a
        // full bulkhead would spill the next request instead of measuring the lane.
        config.put("spillway.upstreams." + TARGET + ".max-concurrency", Integer.toString(2 * connections));
        config.put("spillway.models.\"" + LocalStackProcess.MODEL + "\".direct", TARGET);
        return config;
    }

    /** A second key for tenant {@code dev} whose limits are far above the load, so it is never refused. */
    private static void createLimitedKey(LocalStackProcess stack) {
        try (var dynamo = LocalCloud.dynamoClient(stack.emulators().dynamo())) {
            new DynamoApiKeyStore(dynamo, "spillway-api-keys").put(new ApiKey(ApiKeys.hash(LIMITED_KEY), "dev",
                    Tier.INTERACTIVE, Set.of(), 1_000_000_000, 2_000_000_000, Instant.now(), null));
        }
    }

    private static boolean isDirectAnswer(KeepAliveClient.Response response) {
        return response.status() == 200 && "direct".equals(response.headers().get("x-spillway-lane"))
                && response.body().contains(ANSWER);
    }

    private static boolean isCannedAnswer(KeepAliveClient.Response response) {
        return response.status() == 200 && response.body().contains(ANSWER);
    }

    /**
     * One way to the upstream: straight, or through the intake's direct lane. Its connections stay open from one
     * run to the next, so no run pays for connecting.
     */
    private static final class Route implements AutoCloseable {

        private final String name;
        private final CannedCompletionServer upstream;
        private final LocalStackProcess stack;
        private final Callable<KeepAliveClient> connect;
        private final Predicate<KeepAliveClient.Response> expected;
        private final Map<Integer, List<KeepAliveClient>> connections = new HashMap<>();

        Route(String name, CannedCompletionServer upstream, LocalStackProcess stack, Callable<KeepAliveClient> connect,
                boolean throughSpillway) {
            this.name = name;
            this.upstream = upstream;
            this.stack = stack;
            this.connect = connect;
            this.expected = throughSpillway ? DirectLaneBenchmark::isDirectAnswer : DirectLaneBenchmark::isCannedAnswer;
        }

        String name() {
            return name;
        }

        Measured measure(int requests, int clients) throws Exception {
            List<KeepAliveClient> open = connections.get(clients);
            if (open == null) {
                open = new ArrayList<>();
                connections.put(clients, open);
                for (int c = 0; c < clients; c++) {
                    open.add(connect.call());
                }
            }
            long before = upstream.answered();
            Duration cpuBefore = stack.cpuTime();
            HttpLoad.Result result = HttpLoad.keepAlive(requests, open, expected);
            return new Measured(this, clients, result, upstream.answered() - before,
                    stack.cpuTime().minus(cpuBefore));
        }

        @Override
        public void close() throws IOException {
            for (List<KeepAliveClient> open : connections.values()) {
                for (KeepAliveClient client : open) {
                    client.close();
                }
            }
        }
    }

    /** One measured run, how many requests the upstream saw during it, and the CPU the stack used meanwhile. */
    private record Measured(Route route, int connections, HttpLoad.Result result, long upstreamCalls,
            Duration stackCpu) {

        static Measured combined(Route route, int connections, List<Measured> runs) {
            Latencies latencies = Latencies.combined(runs.stream().map(run -> run.result().latencies()).toList());
            String firstFailure = runs.stream().map(run -> run.result().firstFailure()).filter(Objects::nonNull)
                    .findFirst().orElse(null);
            return new Measured(route, connections, new HttpLoad.Result(latencies,
                    runs.stream().mapToInt(run -> run.result().failures()).sum(), firstFailure),
                    runs.stream().mapToLong(Measured::upstreamCalls).sum(),
                    runs.stream().map(Measured::stackCpu).reduce(Duration.ZERO, Duration::plus));
        }

        double p50() {
            return result.latencies().p50();
        }

        double p99() {
            return result.latencies().p99();
        }

        double perSecond() {
            return result.latencies().perSecond();
        }

        /** CPU the stack used per request answered, in microseconds (its background work included). */
        double stackCpuMicrosPerRequest() {
            return stackCpu.toNanos() / 1e3 / Math.max(1, result.latencies().count());
        }

        void row(Table table) {
            table.row(route.name(), connections, result.latencies().count(), result.failures(), p50(), p99(),
                    perSecond());
        }

        /** Prints what went wrong, if anything, and counts it: wrong answers, upstream calls not one per request. */
        int report() {
            int sent = result.latencies().count() + result.failures();
            int wrong = result.failures();
            if (wrong > 0) {
                System.out.println(route.name() + ": " + wrong + " wrong answers, e.g. " + result.firstFailure());
            }
            if (upstreamCalls != sent) {
                System.out.println(route.name() + ": " + sent + " requests made " + upstreamCalls
                        + " upstream calls (a retry or a spill)");
                wrong++;
            }
            return wrong;
        }
    }
}
