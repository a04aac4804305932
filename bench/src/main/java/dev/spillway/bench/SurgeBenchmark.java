package dev.spillway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

/**
 * A surge of waiting clients against the default local stack (its worker serves a tiny random-weight llama.cpp
 * model, so most jobs cannot finish within the budget): {@code clients} requests at once, each with its own prompt
 * and {@code Prefer: wait=N}, while a cache hit is requested every {@code hit-interval-ms}. Every client must be
 * answered 200 (its job finished) or 202 (the budget ran out) within its budget plus a margin, with no 5xx, no 429
 * and no refused or reset connection, and the cache hits must stay fast. Prints statuses, errors, each client's
 * time to answer against its budget, the surge's duration, the cache hits' p50/p99 during the surge next to the
 * same hits with no surge (the baseline, same run), and the stack process's live threads and heap used from its
 * Prometheus scrape, with the most requests it held waiting at once. Before measuring, the cache-hit path and the
 * spill path are warmed up ({@code warmup-jobs} requests with {@code Prefer: respond-async}), so the JIT compiling
 * them is not what is measured, and each client opens its connection, as SDK clients keep theirs open
 * ({@code --connect-first 0} opens them with the surge instead, so the time to answer includes setting up 2,000
 * connections). Options: {@code --clients}, {@code --wait} (seconds), {@code --margin-ms},
 * {@code --hit-interval-ms}, {@code --baseline-hits}, {@code --warmup-jobs}, {@code --connect-first}.
 */
public final class SurgeBenchmark implements Benchmark {

    private static final String HIT_BODY = "{\"model\":\"" + LocalStackProcess.MODEL
            + "\",\"temperature\":0,\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"What is a spillway?\"}]}";
    private static final Pattern JOB_ID = Pattern.compile("\"id\"\\s*:\\s*\"job_[0-9a-z]+\"");
    private static final double HIT_P99_GOAL_MS = 50;

    /**
     * One surge client's outcome.
     *
     * @param status HTTP status, 0 when the exchange failed
     * @param nanos from its send to its answer
     * @param answeredAt {@link System#nanoTime()} when it was answered
     * @param problem what was wrong with the answer, or null
     */
    private record Answer(int status, long nanos, long answeredAt, String problem) {
    }

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int clients = options.integer("clients", 2000, 100);
        int waitSeconds = options.integer("wait", 15, 5);
        int marginMillis = options.integer("margin-ms", 1000, 1000);
        int hitIntervalMillis = options.integer("hit-interval-ms", 50, 50);
        int baselineHits = options.integer("baseline-hits", 200, 40);
        int warmUpJobs = options.integer("warmup-jobs", 300, 20);
        boolean connectFirst = options.integer("connect-first", 1, 1) == 1;

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try (LocalStackProcess stack = LocalStackProcess.start(options, "surge", null, Map.of())) {
            HttpResponse<String> first = HttpLoad.client().send(stack.request("/v1/chat/completions")
                    .header("Content-Type", "application/json").header("Prefer", "wait=60")
                    .POST(HttpRequest.BodyPublishers.ofString(HIT_BODY)).build(), HttpResponse.BodyHandlers.ofString());
            if (first.statusCode() != 200) {
                System.out.println("the request to be cached was not answered: " + first.statusCode() + " "
                        + first.body());
                return false;
            }
            try (HitLoop hits = new HitLoop(URI.create(stack.baseUrl() + "/v1/chat/completions"), hitIntervalMillis)) {
                HttpClient http = client(vertx, stack, clients, waitSeconds);
                hits.warmUp(2000);
                // The spill path too, so the surge does not measure the JIT compiling it.
                List<CompletableFuture<Answer>> warmUp = sendAll(http, warmUpJobs, "warm-up", "respond-async",
                        new AtomicInteger());
                CompletableFuture.allOf(warmUp.toArray(CompletableFuture[]::new)).join();
                if (warmUp.stream().anyMatch(answer -> answer.join().problem() != null)) {
                    System.out.println("the warm-up was not accepted: " + warmUp.stream().map(CompletableFuture::join)
                            .filter(answer -> answer.problem() != null).findFirst().orElseThrow().problem());
                    return false;
                }
                if (connectFirst) {
                    connectAll(http, clients);
                }
                Scrape idle = Scrape.of(stack);
                HitLoop.Tally baseline = hits.run(baselineHits);

                AtomicInteger answered = new AtomicInteger();
                MetricsSampler sampler = new MetricsSampler(stack, idle.spilled(), answered);
                HitLoop.Running duringSurge = hits.start();
                long surgeStart = System.nanoTime();
                List<CompletableFuture<Answer>> answers = sendAll(http, clients, "surge client",
                        "wait=" + waitSeconds, answered);
                CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
                long surgeEnd = answers.stream().mapToLong(a -> a.join().answeredAt()).max().orElse(surgeStart);
                HitLoop.Tally surgeHits = duringSurge.stop();
                Peak peak = sampler.stop();
                Scrape after = Scrape.of(stack);

                return report(clients, waitSeconds, marginMillis, hitIntervalMillis, answers, surgeStart, surgeEnd,
                        baseline, surgeHits, idle, peak, after, options.quick());
            }
        } finally {
            vertx.close();
        }
    }

    /** Vert.x's client holds thousands of connections on one event loop: its own work stays small next to what it measures. */
    private static HttpClient client(Vertx vertx, LocalStackProcess stack, int connections, int waitSeconds) {
        URI base = URI.create(stack.baseUrl());
        return vertx.createHttpClient(new HttpClientOptions().setDefaultHost(base.getHost())
                .setDefaultPort(base.getPort()).setConnectTimeout(30_000)
                .setIdleTimeout(waitSeconds + 60).setIdleTimeoutUnit(TimeUnit.SECONDS),
                new PoolOptions().setHttp1MaxSize(connections));
    }

    /**
     * Opens every client's connection before the surge (each answers a cache hit on it), as SDK clients hold their
     * connections open: the surge then measures requests, not connection set-up.
     */
    private static void connectAll(HttpClient http, int clients) {
        List<CompletableFuture<Integer>> opened = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            CompletableFuture<Integer> status = new CompletableFuture<>();
            http.request(HttpMethod.POST, "/v1/chat/completions")
                    .compose(request -> request
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Authorization", "Bearer " + LocalStackProcess.DEV_KEY)
                            .send(HIT_BODY)
                            .compose(response -> response.body().map(body -> response.statusCode())))
                    .onSuccess(status::complete)
                    .onFailure(status::completeExceptionally);
            opened.add(status);
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).join();
    }

    /** Every client at once, each on its own connection, with its own prompt and the given {@code Prefer}. */
    private static List<CompletableFuture<Answer>> sendAll(HttpClient http, int clients, String prompt, String prefer,
            AtomicInteger answered) {
        List<CompletableFuture<Answer>> answers = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            String body = "{\"model\":\"" + LocalStackProcess.MODEL + "\",\"max_tokens\":16,\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"" + prompt + " " + i + ": tell me about spillways\"}]}";
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            long sent = System.nanoTime();
            http.request(HttpMethod.POST, "/v1/chat/completions")
                    .compose(request -> request
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Authorization", "Bearer " + LocalStackProcess.DEV_KEY)
                            .putHeader("Prefer", prefer)
                            .send(body)
                            .compose(response -> response.body().map(content -> {
                                long at = System.nanoTime();
                                return new Answer(response.statusCode(), at - sent, at,
                                        problem(response.statusCode(), content.toString(),
                                                response.getHeader("Location") != null));
                            })))
                    .onSuccess(answer::complete)
                    .onFailure(failure -> {
                        long at = System.nanoTime();
                        answer.complete(new Answer(0, at - sent, at,
                                failure.getClass().getSimpleName() + ": " + failure.getMessage()));
                    })
                    .onComplete(ignored -> answered.incrementAndGet());
            answers.add(answer);
        }
        return answers;
    }

    /** What is wrong with an answer, or null: 200 must be a completion, 202 must name the job and where to poll. */
    private static String problem(int status, String body, boolean hasLocation) {
        return switch (status) {
            case 200 -> body.contains("\"chat.completion\"") ? null : "200 without a completion";
            case 202 -> JOB_ID.matcher(body).find() && hasLocation ? null : "202 without a job";
            default -> status + " " + body;
        };
    }

    private static boolean report(int clients, int waitSeconds, int marginMillis, int hitIntervalMillis,
            List<CompletableFuture<Answer>> answers, long surgeStart, long surgeEnd, HitLoop.Tally baseline,
            HitLoop.Tally surgeHits, Scrape idle, Peak peak, Scrape after, boolean quick) {
        Map<String, Integer> byStatus = new TreeMap<>();
        Map<String, String> problems = new TreeMap<>();
        long[] nanos = new long[answers.size()];
        long budgetNanos = TimeUnit.SECONDS.toNanos(waitSeconds) + TimeUnit.MILLISECONDS.toNanos(marginMillis);
        int late = 0;
        int wrong = 0;
        for (int i = 0; i < answers.size(); i++) {
            Answer answer = answers.get(i).join();
            byStatus.merge(answer.status() == 0 ? "connection error" : Integer.toString(answer.status()), 1,
                    Integer::sum);
            nanos[i] = answer.nanos();
            late += answer.nanos() > budgetNanos ? 1 : 0;
            if (answer.problem() != null) {
                wrong++;
                problems.putIfAbsent(answer.status() == 0 ? "connection error" : Integer.toString(answer.status()),
                        answer.problem());
            }
        }
        Latencies times = new Latencies(nanos, surgeEnd - surgeStart);

        Table statuses = new Table(clients + " clients at once, each its own prompt and Prefer: wait=" + waitSeconds,
                "answer", "clients");
        byStatus.forEach(statuses::row);
        statuses.print(System.out);
        if (!problems.isEmpty()) {
            System.out.println();
            problems.forEach((kind, sample) -> System.out.println("wrong answer (" + kind + "), e.g.: " + sample));
        }

        Table timing = new Table("Time to answer, per client, against its budget", "measure", "value");
        timing.row("budget s", (double) waitSeconds);
        timing.row("min s", times.percentileMillis(0) / 1000);
        timing.row("p50 s", times.p50() / 1000);
        timing.row("p99 s", times.p99() / 1000);
        timing.row("max s", times.percentileMillis(100) / 1000);
        timing.row("answered after budget + " + marginMillis + " ms", late);
        timing.row("surge duration s (first send to last answer)", (surgeEnd - surgeStart) / 1e9);
        timing.print(System.out);

        Table hitTable = new Table("Cache hit every " + hitIntervalMillis + " ms (open loop, from the tick)",
                "when", "hits", "failed", "p50 ms", "p99 ms", "max ms");
        hitTable.row("no surge (baseline)", baseline.latencies().count(), baseline.failures(),
                baseline.latencies().p50(), baseline.latencies().p99(), baseline.latencies().percentileMillis(100));
        hitTable.row("during the surge", surgeHits.latencies().count(), surgeHits.failures(),
                surgeHits.latencies().p50(), surgeHits.latencies().p99(), surgeHits.latencies().percentileMillis(100));
        hitTable.print(System.out);
        Table ratios = new Table("Cache hit during the surge relative to no surge", "measure", "surge / baseline");
        ratios.row("p50", surgeHits.latencies().p50() / baseline.latencies().p50());
        ratios.row("p99", surgeHits.latencies().p99() / baseline.latencies().p99());
        ratios.print(System.out);
        if (baseline.firstFailure() != null || surgeHits.firstFailure() != null) {
            System.out.println("cache request failed, e.g.: "
                    + (baseline.firstFailure() != null ? baseline.firstFailure() : surgeHits.firstFailure()));
        }

        Table process = new Table("Stack process (intake, emulators) from /q/metrics, scraped every 0.5 s", "when",
                "requests waiting", "live threads", "heap used MiB");
        process.row("before the surge", "-", idle.threads(), idle.heapMiB());
        process.row("peak during the surge", (int) peak.waiting(), peak.threads(), peak.heapMiB());
        process.row("after the surge", "-", after.threads(), after.heapMiB());
        process.print(System.out);

        int refused = byStatus.entrySet().stream()
                .filter(e -> !e.getKey().equals("200") && !e.getKey().equals("202"))
                .mapToInt(Map.Entry::getValue).sum();
        System.out.printf(Locale.ROOT, "%ngoal: every client 200 or 202 within %d s + %d ms, no 5xx/429/connection "
                + "errors -> %s (%d late, %d other answers); cache hit p99 < %.0f ms during the surge -> %s%s%n",
                waitSeconds, marginMillis, CacheHitBenchmark.verdict(late == 0 && refused == 0), late, refused,
                HIT_P99_GOAL_MS, CacheHitBenchmark.verdict(surgeHits.latencies().p99() < HIT_P99_GOAL_MS),
                quick ? " (quick run: too few clients to judge)" : "");
        return wrong == 0 && baseline.failures() == 0 && surgeHits.failures() == 0;
    }

    /**
     * Cache hits on a fixed schedule, whether or not earlier ones were answered (open loop), each on a kept-alive
     * connection that is idle at that moment (a new one if none is). Latency runs from the tick, so a hit that
     * waited for its turn counts in full.
     */
    private static final class HitLoop implements AutoCloseable {

        record Tally(Latencies latencies, int failures, String firstFailure) {
        }

        private final URI url;
        private final int intervalMillis;
        private final ConcurrentLinkedQueue<KeepAliveClient> idle = new ConcurrentLinkedQueue<>();
        private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        private final ExecutorService senders = Executors.newCachedThreadPool();

        HitLoop(URI url, int intervalMillis) {
            this.url = url;
            this.intervalMillis = intervalMillis;
        }

        /** Back to back on one connection, so the intake's hit path is compiled before it is measured. */
        void warmUp(int requests) throws IOException {
            KeepAliveClient client = connect();
            for (int i = 0; i < requests; i++) {
                client.send();
            }
            idle.add(client);
        }

        Tally run(int hits) throws InterruptedException {
            Running running = start();
            while (running.ticked.get() < hits) {
                Thread.sleep(intervalMillis);
            }
            return running.stop();
        }

        Running start() {
            Running running = new Running();
            running.schedule = ticks.scheduleAtFixedRate(() -> {
                long tick = System.nanoTime();
                running.ticked.incrementAndGet();
                running.sent.add(CompletableFuture.runAsync(() -> running.hit(tick), senders));
            }, 0, intervalMillis, TimeUnit.MILLISECONDS);
            return running;
        }

        final class Running {
            private final AtomicInteger ticked = new AtomicInteger();
            private final List<CompletableFuture<Void>> sent = Collections.synchronizedList(new ArrayList<>());
            private final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
            private final AtomicInteger failures = new AtomicInteger();
            private final AtomicReference<String> firstFailure = new AtomicReference<>();
            private final long started = System.nanoTime();
            private ScheduledFuture<?> schedule;

            private void hit(long tick) {
                KeepAliveClient client = idle.poll();
                try {
                    if (client == null) {
                        client = connect();
                    }
                    KeepAliveClient.Response response = client.send();
                    long took = System.nanoTime() - tick;
                    idle.add(client);
                    if (response.status() == 200
                            && response.headers().getOrDefault("x-spillway-cache", "").startsWith("hit")) {
                        nanos.add(took);
                    } else {
                        fail(response.status() + " " + response.body());
                    }
                } catch (IOException e) {
                    fail(e.toString());
                }
            }

            private void fail(String what) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, what);
            }

            /** Stops ticking and waits for the hits already sent. */
            Tally stop() {
                schedule.cancel(false);
                long elapsed = System.nanoTime() - started;
                List<CompletableFuture<Void>> all;
                synchronized (sent) {
                    all = new ArrayList<>(sent);
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
                long[] values;
                synchronized (nanos) {
                    values = nanos.stream().mapToLong(Long::longValue).toArray();
                }
                return new Tally(new Latencies(values, elapsed), failures.get(), firstFailure.get());
            }
        }

        private KeepAliveClient connect() throws IOException {
            return new KeepAliveClient(url, Map.of("Authorization", "Bearer " + LocalStackProcess.DEV_KEY), HIT_BODY);
        }

        @Override
        public void close() throws IOException {
            ticks.shutdownNow();
            senders.shutdownNow();
            for (KeepAliveClient client : idle) {
                client.close();
            }
        }
    }

    /**
     * One scrape of the stack's Prometheus endpoint: its live threads and heap used, and the requests the intake has
     * admitted as jobs of their own so far.
     */
    private record Scrape(double threads, double heapMiB, double spilled) {

        private static final Pattern THREADS = Pattern.compile("(?m)^jvm_threads_live_threads(?:\\{[^}]*\\})?\\s+(\\S+)$");
        private static final Pattern HEAP = Pattern.compile(
                "(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\}\\s+(\\S+)$");
        private static final Pattern SPILLED = Pattern.compile(
                "(?m)^spillway_requests_total\\{cache=\"bypass\",lane=\"spill\"\\}\\s+(\\S+)$");

        static Scrape of(LocalStackProcess stack) throws IOException, InterruptedException {
            String metrics = HttpLoad.client().send(stack.request("/q/metrics").GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher threads = THREADS.matcher(metrics);
            if (!threads.find()) {
                throw new IllegalStateException("the stack's /q/metrics has no jvm_threads_live_threads");
            }
            double heap = 0;
            Matcher pools = HEAP.matcher(metrics);
            while (pools.find()) {
                heap += Double.parseDouble(pools.group(1));
            }
            Matcher spilled = SPILLED.matcher(metrics);
            return new Scrape(Double.parseDouble(threads.group(1)), heap / (1024 * 1024),
                    spilled.find() ? Double.parseDouble(spilled.group(1)) : 0);
        }
    }

    /** What the sampler saw at its peak: live threads, heap used, and surge requests admitted and not yet answered. */
    private record Peak(double threads, double heapMiB, double waiting) {
    }

    /** Scrapes the stack every half second until stopped and keeps the highest figures. */
    private static final class MetricsSampler {

        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final AtomicReference<Peak> peak = new AtomicReference<>(new Peak(0, 0, 0));

        /**
         * @param spilledBefore the intake's count of admitted requests before the surge
         * @param answered surge requests answered so far
         */
        MetricsSampler(LocalStackProcess stack, double spilledBefore, AtomicInteger answered) {
            timer.scheduleWithFixedDelay(() -> {
                try {
                    Scrape now = Scrape.of(stack);
                    double waiting = now.spilled() - spilledBefore - answered.get();
                    peak.accumulateAndGet(new Peak(now.threads(), now.heapMiB(), waiting), (a, b) -> new Peak(
                            Math.max(a.threads(), b.threads()), Math.max(a.heapMiB(), b.heapMiB()),
                            Math.max(a.waiting(), b.waiting())));
                } catch (IOException | RuntimeException e) {
                    // a scrape that fails under load is just a missing sample
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
        }

        Peak stop() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
            return peak.get();
        }
    }
}
