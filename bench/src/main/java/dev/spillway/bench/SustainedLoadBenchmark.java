package dev.spillway.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * Sustained load: a mixed workload at a steady arrival rate (open loop: requests are sent on schedule whether or
 * not earlier ones have been answered) against the local stack, for minutes. Lanes: cache hits, the direct lane
 * (a second model whose requests go straight to an upstream with capacity), the spill lane waited on
 * synchronously, and async jobs submitted with {@code Prefer: respond-async} then long-polled. Reports throughput
 * and p50/p99 per lane, errors, and lost and duplicated requests (the upstreams count their calls per request:
 * each must reach one of them exactly once). The engine alone is the reference row.
 */
public final class SustainedLoadBenchmark implements Benchmark {

    private static final Pattern JOB_ID = Pattern.compile("\"id\"\\s*:\\s*\"(job_[a-z0-9]+)\"");
    private static final String CACHED_BODY = body(LocalStackProcess.MODEL, "What is a spillway?", 0);
    /** A model with a direct target; the bench's main model has none, so its requests spill. */
    private static final String DIRECT_MODEL = "bench-direct";

    /** One lane's tally. */
    private static final class Lane {
        final String name;
        final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final Map<String, String> firstError = new ConcurrentHashMap<>();

        Lane(String name) {
            this.name = name;
        }

        void ok(long startedNanos) {
            nanos.add(System.nanoTime() - startedNanos);
        }

        void error(String what) {
            errors.incrementAndGet();
            firstError.putIfAbsent("first", what);
        }
    }

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int rate = options.integer("rate", 20, 10);
        int seconds = options.integer("seconds", 180, 8);

        try (ScriptedUpstream upstream = new ScriptedUpstream();
                ScriptedUpstream directUpstream = new ScriptedUpstream("direct");
                LocalStackProcess stack = LocalStackProcess.start(options, "sustained-load", upstream.baseUrl(),
                        directLaneConfig(directUpstream, upstream))) {
            HttpResponse<String> warm = HttpLoad.client().send(post(stack, CACHED_BODY).header("Prefer", "wait=60")
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (warm.statusCode() != 200) {
                System.out.println("the first request was not answered: " + warm.statusCode() + " " + warm.body());
                return false;
            }
            Lane cache = new Lane("cache hit");
            Lane direct = new Lane("direct lane");
            Lane spill = new Lane("spill lane (waited on)");
            Lane async = new Lane("async job (202, then long-poll)");
            List<Lane> cycle = List.of(cache, direct, spill, cache, async);
            Map<String, Lane> uniqueContents = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> inFlight = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger tick = new AtomicInteger();
            int total = rate * seconds;

            ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
            long started = System.nanoTime();
            clock.scheduleAtFixedRate(() -> {
                int n = tick.getAndIncrement();
                if (n >= total) {
                    return;
                }
                Lane lane = cycle.get(n % cycle.size());
                lane.sent.incrementAndGet();
                if (lane == cache) {
                    inFlight.add(cacheHit(stack, lane));
                } else {
                    String content = lane.name + " " + n;
                    uniqueContents.put(content, lane);
                    inFlight.add(lane == direct ? answered(stack, lane, DIRECT_MODEL, content, "direct")
                            : lane == spill ? answered(stack, lane, LocalStackProcess.MODEL, content, "spill")
                            : asyncJob(stack, lane, content));
                }
            }, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
            while (tick.get() < total) {
                Thread.sleep(100);
            }
            clock.shutdownNow();
            double sendSeconds = (System.nanoTime() - started) / 1e9;
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            double allSeconds = (System.nanoTime() - started) / 1e9;

            HttpRequest.Builder reference = HttpRequest.newBuilder(URI.create(upstream.baseUrl() + "/chat/completions"))
                    .header("Content-Type", "application/json");
            HttpLoad.Result engine = HttpLoad.run(Math.min(200, total), 1,
                    i -> reference.copy().POST(HttpRequest.BodyPublishers.ofString(
                            body(LocalStackProcess.MODEL, "reference " + i, 1))).build(),
                    response -> response.statusCode() == 200);

            int duplicated = 0;
            int lost = 0;
            for (String content : uniqueContents.keySet()) {
                int calls = upstream.calls(content) + directUpstream.calls(content);
                duplicated += Math.max(0, calls - 1);
                lost += calls == 0 ? 1 : 0;
            }
            Table results = new Table(String.format(Locale.ROOT,
                    "Sustained load: %d req/s for %d s (open loop), local stack", rate, seconds),
                    "lane", "sent", "answered", "errors", "p50 ms", "p99 ms", "answered/s");
            int errors = 0;
            for (Lane lane : List.of(cache, direct, spill, async)) {
                Latencies latencies = latencies(lane, allSeconds);
                results.row(lane.name, lane.sent.get(), latencies.count(), lane.errors.get(), latencies.p50(),
                        latencies.p99(), latencies.count() / allSeconds);
                errors += lane.errors.get();
            }
            results.row("engine alone (reference, 1 client)", engine.latencies().count(), engine.latencies().count(),
                    engine.failures(), engine.latencies().p50(), engine.latencies().p99(),
                    engine.latencies().perSecond());
            results.print(System.out);

            Table totals = new Table("Sustained load: totals", "measure", "value");
            totals.row("offered rate, req/s", (double) total / sendSeconds);
            totals.row("unique requests (direct + spill + async)", uniqueContents.size());
            totals.row("lost (never reached an upstream)", lost);
            totals.row("duplicated (an upstream called more than once)", duplicated);
            totals.row("errors", errors);
            totals.print(System.out);
            System.out.printf(Locale.ROOT, "%ngoal: zero lost, zero duplicated, zero errors -> %s%n",
                    CacheHitBenchmark.verdict(lost == 0 && duplicated == 0 && errors == 0));
            for (Lane lane : List.of(cache, direct, spill, async)) {
                if (!lane.firstError.isEmpty()) {
                    System.out.println(lane.name + ", first error: " + lane.firstError.get("first"));
                }
            }
            return lost == 0 && duplicated == 0 && errors == 0;
        }
    }

    private static Latencies latencies(Lane lane, double seconds) {
        long[] nanos;
        synchronized (lane.nanos) {
            nanos = lane.nanos.stream().mapToLong(Long::longValue).toArray();
        }
        return new Latencies(nanos, (long) (seconds * 1e9));
    }

    private static CompletableFuture<?> cacheHit(LocalStackProcess stack, Lane lane) {
        long start = System.nanoTime();
        return HttpLoad.client().sendAsync(post(stack, CACHED_BODY).build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    if (failure == null && response.statusCode() == 200
                            && response.headers().firstValue("X-Spillway-Cache").orElse("").startsWith("hit")) {
                        lane.ok(start);
                    } else {
                        lane.error(failure != null ? failure.toString() : response.statusCode() + " " + response.body());
                    }
                    return null;
                });
    }

    /** Waited on until answered, by the lane the model's configuration implies. */
    private static CompletableFuture<?> answered(LocalStackProcess stack, Lane lane, String model, String content,
            String expectedLane) {
        long start = System.nanoTime();
        return HttpLoad.client().sendAsync(post(stack, body(model, content, 1)).header("Prefer", "wait=60").build(),
                HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
                    if (failure == null && response.statusCode() == 200 && response.body().contains("echo: " + content)
                            && expectedLane.equals(response.headers().firstValue("X-Spillway-Lane").orElse(""))) {
                        lane.ok(start);
                    } else {
                        lane.error(failure != null ? failure.toString() : response.statusCode() + " " + response.body());
                    }
                    return null;
                });
    }

    private static CompletableFuture<?> asyncJob(LocalStackProcess stack, Lane lane, String content) {
        long start = System.nanoTime();
        return HttpLoad.client().sendAsync(post(stack, body(LocalStackProcess.MODEL, content, 1))
                .header("Prefer", "respond-async").build(),
                HttpResponse.BodyHandlers.ofString()).thenCompose(accepted -> {
                    Matcher id = JOB_ID.matcher(accepted.body());
                    if (accepted.statusCode() != 202 || !id.find()) {
                        throw new IllegalStateException("not accepted: " + accepted.statusCode() + " " + accepted.body());
                    }
                    return awaitJob(stack, id.group(1), 0);
                }).handle((result, failure) -> {
                    if (failure == null && result.contains("echo: " + content)) {
                        lane.ok(start);
                    } else {
                        lane.error(failure != null ? failure.toString() : result);
                    }
                    return null;
                });
    }

    /** Long-polls the job until it is answered (200) or a bounded number of polls ran out. */
    private static CompletableFuture<String> awaitJob(LocalStackProcess stack, String jobId, int polls) {
        HttpRequest poll = stack.request("/v1/jobs/" + jobId + "?wait=30").GET().build();
        return HttpLoad.client().sendAsync(poll, HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
            if (response.statusCode() == 200 && response.body().contains("\"succeeded\"")) {
                return CompletableFuture.completedFuture(response.body());
            }
            if ((response.statusCode() == 200 || response.statusCode() == 202) && polls < 10) {
                return awaitJob(stack, jobId, polls + 1);
            }
            return CompletableFuture.completedFuture(response.statusCode() + " " + response.body());
        });
    }

    private static HttpRequest.Builder post(LocalStackProcess stack, String body) {
        return stack.request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /**
     * The second model: the intake calls {@code direct} first; its spills (none expected) would run on the same
     * fleet upstream as the main model's.
     */
    private static Map<String, String> directLaneConfig(ScriptedUpstream direct, ScriptedUpstream fleet) {
        String model = "spillway.models.\"" + DIRECT_MODEL + "\".";
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("spillway.upstreams.direct.base-url", direct.baseUrl());
        config.put(model + "direct", "direct");
        for (String prefix : List.of("", "spillway.local.worker.")) {
            config.put(prefix + model + "engine", "openai");
            config.put(prefix + model + "base-url", fleet.baseUrl());
        }
        return config;
    }

    private static String body(String model, String content, int temperature) {
        return "{\"model\":\"" + model + "\",\"temperature\":" + temperature
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }
}
