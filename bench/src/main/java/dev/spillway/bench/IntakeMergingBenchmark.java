package dev.spillway.bench;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * Intake merging gain: async jobs accepted per second on the spill lane when concurrent requests share their
 * DynamoDB and SQS calls ({@code spillway.intake.merge.enabled=true}) vs one call of each per request, from many
 * concurrent clients. Two local stacks, one after the other, differing only in that setting. The worker is parked
 * on held jobs during the burst, so the figures are the intake's alone; afterwards it drains every accepted job,
 * which proves each was both stored and queued, exactly once. Each stack is warmed up with 1,000 jobs first, so
 * the JIT has compiled the intake's and the emulators' paths before the burst.
 */
public final class IntakeMergingBenchmark implements Benchmark {

    private static final Pattern JOB_ID = Pattern.compile("\"id\"\\s*:\\s*\"(job_[0-9a-z]{26})\"");
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z_]+)\"");
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(120);
    /** The local stack passes properties under this prefix on to its worker. */
    private static final String WORKER = "spillway.local.worker.";

    /** One configuration's burst and what became of its jobs. */
    private record Run(String path, HttpLoad.Result load, int accepted, int succeeded, int engineCalls,
            Calls store, Calls queue, double stackCpuMillis) {

        int lost() {
            return accepted - succeeded;
        }

        /** CPU the stack process (intake and emulators) spent per accepted job during the burst. */
        double cpuMillisPerJob() {
            return accepted == 0 ? Double.NaN : stackCpuMillis / accepted;
        }
    }

    /** Write calls to one downstream and the items they carried, from the stack's metrics. */
    private record Calls(double calls, double items) {

        Calls minus(Calls earlier) {
            return new Calls(calls - earlier.calls, items - earlier.items);
        }

        String perCall() {
            return calls == 0 ? "-" : String.format(Locale.ROOT, "%.1f", items / calls);
        }
    }

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int requests = options.integer("requests", 1000, 60);
        int clients = options.integer("clients", 64, 16);
        int warmup = options.integer("warmup", 1000, 10);
        int workerSlots = options.integer("worker-slots", 4, 4);
        // 0: the intake's default spillway.intake.merge.max-concurrent-calls
        int maxConcurrentCalls = options.integer("max-concurrent-calls", 0, 0);

        Run single = measure(options, "one call per request", Map.of("spillway.intake.merge.enabled", "false"),
                requests, clients, warmup, workerSlots);
        Map<String, String> merging = new HashMap<>(Map.of("spillway.intake.merge.enabled", "true"));
        if (maxConcurrentCalls > 0) {
            merging.put("spillway.intake.merge.max-concurrent-calls", Integer.toString(maxConcurrentCalls));
        }
        Run merged = measure(options, "merged calls", merging, requests, clients, warmup, workerSlots);

        Table results = new Table(String.format(Locale.ROOT,
                "Async jobs accepted per second on the spill lane (%d clients, local emulators)", clients),
                "path", "requests", "failed", "p50 ms", "p99 ms", "accepted/s", "jobs per DynamoDB call",
                "jobs per SQS call", "stack CPU ms per job");
        for (Run run : List.of(single, merged)) {
            Latencies latencies = run.load().latencies();
            results.row(run.path(), latencies.count(), run.load().failures(), latencies.p50(), latencies.p99(),
                    latencies.perSecond(), run.store().perCall(), run.queue().perCall(), run.cpuMillisPerJob());
        }
        results.print(System.out);

        double gain = merged.load().latencies().perSecond() / single.load().latencies().perSecond();
        Table checks = new Table("Intake merging gain and integrity", "measure", "value");
        checks.row("throughput ratio (merged / one call per request)", gain);
        int cores = Runtime.getRuntime().availableProcessors();
        for (Run run : List.of(single, merged)) {
            // What the CPU alone allows if the stack had every core to itself (it shares them with this client).
            checks.row(run.path() + ": CPU ceiling, jobs/s (" + cores + " cores x 1000 / stack CPU ms per job)",
                    cores * 1000 / run.cpuMillisPerJob());
        }
        for (Run run : List.of(single, merged)) {
            checks.row(run.path() + ": accepted jobs lost (not stored or not queued)", run.lost());
            checks.row(run.path() + ": engine calls per accepted job (1 = no loss, no duplicate)",
                    run.accepted() == 0 ? 0.0 : (double) run.engineCalls() / run.accepted());
        }
        checks.print(System.out);
        System.out.printf(Locale.ROOT, "%ngoal: accepted/s gain >= 3x -> %s (%.2fx)%s%n",
                CacheHitBenchmark.verdict(gain >= 3), gain,
                options.quick() ? " (quick run: too few requests to judge)" : "");

        boolean intact = true;
        for (Run run : List.of(single, merged)) {
            if (run.load().failures() > 0) {
                System.out.println(run.path() + ": wrong answers: " + run.load().failures() + ", e.g. "
                        + run.load().firstFailure());
                intact = false;
            }
            if (run.lost() != 0 || run.engineCalls() != run.accepted()) {
                System.out.println(run.path() + ": " + run.accepted() + " jobs accepted, " + run.succeeded()
                        + " succeeded, engine called " + run.engineCalls() + " times");
                intact = false;
            }
        }
        return intact;
    }

    private static Run measure(BenchOptions options, String path, Map<String, String> intakeConfig, int requests,
            int clients, int warmup, int workerSlots) throws Exception {
        String name = "intake-merging-merge-" + intakeConfig.get("spillway.intake.merge.enabled");
        Map<String, String> config = new HashMap<>(intakeConfig);
        config.put(WORKER + "spillway.worker.concurrency", Integer.toString(workerSlots));
        // The adaptive in-flight limit backs off when the warm-up's load slows the engine's answers; below the
        // slots, parked jobs would wait for it instead of reaching the engine, and the worker would not be parked.
        config.put(WORKER + "spillway.batching.adaptive.min", Integer.toString(workerSlots));
        config.put(WORKER + "spillway.batching.adaptive.initial", Integer.toString(workerSlots));
        try (ScriptedUpstream upstream = new ScriptedUpstream();
                LocalStackProcess stack = LocalStackProcess.start(options, name, upstream.baseUrl(), config)) {
            Set<String> warmIds = ConcurrentHashMap.newKeySet();
            HttpLoad.run(warmup, clients, i -> submit(stack, "warm-up " + i), response -> accepted(response, warmIds));
            if (!awaitEngineCalls(upstream, warmIds.size(), false)) {
                throw new IllegalStateException(path + ": the worker did not drain the warm-up within " + DRAIN_LIMIT
                        + " (engine calls " + upstream.totalCalls() + " of " + warmIds.size() + ")");
            }

            // Park the worker: every slot holds a job until released, so it takes nothing during the burst.
            Set<String> parkedIds = ConcurrentHashMap.newKeySet();
            HttpLoad.run(workerSlots, workerSlots, i -> submit(stack, "hold park " + i),
                    response -> accepted(response, parkedIds));
            if (!awaitEngineCalls(upstream, warmIds.size() + workerSlots, false)) {
                throw new IllegalStateException(path + ": the worker did not take all " + workerSlots
                        + " parked jobs within " + DRAIN_LIMIT);
            }
            int callsBefore = upstream.totalCalls();
            StackMetrics before = StackMetrics.read(stack);

            Set<String> burstIds = ConcurrentHashMap.newKeySet();
            HttpLoad.Result burst = HttpLoad.run(requests, clients, i -> submit(stack, "burst " + i),
                    response -> accepted(response, burstIds));

            StackMetrics after = StackMetrics.read(stack);
            upstream.releaseHeld();
            boolean drained = awaitEngineCalls(upstream, callsBefore + burstIds.size(), true);
            int engineCalls = upstream.totalCalls() - callsBefore;
            int succeeded = drained ? succeeded(stack, burstIds, clients) : 0;
            return new Run(path, burst, burstIds.size(), succeeded, engineCalls,
                    after.writes().get("dynamodb-create").minus(before.writes().get("dynamodb-create")),
                    after.writes().get("sqs-send").minus(before.writes().get("sqs-send")),
                    after.cpuMillis() - before.cpuMillis());
        }
    }

    /** Sampled (temperature 1), so never cached or coalesced; {@code respond-async} answers 202 at once. */
    private static java.net.http.HttpRequest submit(LocalStackProcess stack, String question) {
        return stack.request("/v1/chat/completions")
                .header("Content-Type", "application/json")
                .header("Prefer", "respond-async")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"" + LocalStackProcess.MODEL
                        + "\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"" + question
                        + "\"}]}"))
                .build();
    }

    /** A 202 carrying a job id, which is collected. */
    private static boolean accepted(HttpResponse<String> response, Set<String> ids) {
        if (response.statusCode() != 202) {
            return false;
        }
        Matcher id = JOB_ID.matcher(response.body());
        return id.find() && ids.add(id.group(1));
    }

    /**
     * Waits until the engine has been called {@code expected} times: every job reached the worker through its
     * queue. While {@code releasing}, a held job that reaches the engine late (redelivered) is released too. False
     * when it does not happen within the limit.
     */
    private static boolean awaitEngineCalls(ScriptedUpstream upstream, int expected, boolean releasing)
            throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        while (upstream.totalCalls() < expected) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            if (releasing) {
                upstream.releaseHeld();
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** How many of the jobs read back from the store as succeeded. */
    private static int succeeded(LocalStackProcess stack, Set<String> ids, int clients) throws Exception {
        List<String> all = List.copyOf(ids);
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        int succeeded;
        do {
            // The engine answered; the worker's write of the result may still be on its way.
            succeeded = HttpLoad.run(all.size(), Math.min(clients, 16), i -> stack.request("/v1/jobs/" + all.get(i))
                    .GET().build(), response -> response.statusCode() == 200 && statusOf(response).equals("succeeded"))
                    .latencies().count();
            if (succeeded == all.size()) {
                return succeeded;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return succeeded;
    }

    private static String statusOf(HttpResponse<String> response) {
        Matcher status = STATUS.matcher(response.body());
        return status.find() ? status.group(1) : "";
    }

    /**
     * One scrape of the stack's Prometheus endpoint: the intake's {@code spillway.write.batch.size} summaries per
     * downstream, and the CPU time its JVM has used so far (Micrometer's {@code process.cpu.time}), in milliseconds.
     */
    private record StackMetrics(Map<String, Calls> writes, double cpuMillis) {

        static StackMetrics read(LocalStackProcess stack) throws Exception {
            String metrics = HttpLoad.client().send(stack.request("/q/metrics").GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Calls> writes = new HashMap<>();
            for (String downstream : List.of("dynamodb-create", "sqs-send")) {
                double count = sample(metrics, "spillway_write_batch_size_count", downstream);
                double sum = sample(metrics, "spillway_write_batch_size_sum", downstream);
                writes.put(downstream, new Calls(count, sum));
            }
            Matcher cpu = Pattern.compile("(?m)^process_cpu_time_(ns|seconds)_total(?:\\{[^}]*\\})?\\s+(\\S+)$")
                    .matcher(metrics);
            if (!cpu.find()) {
                throw new IllegalStateException("the stack's /q/metrics has no process_cpu_time");
            }
            double value = Double.parseDouble(cpu.group(2));
            return new StackMetrics(writes, cpu.group(1).equals("ns") ? value / 1e6 : value * 1e3);
        }
    }

    private static double sample(String metrics, String name, String downstream) {
        Matcher line = Pattern.compile("(?m)^" + name + "\\{[^}]*downstream=\"" + downstream + "\"[^}]*\\}\\s+(\\S+)$")
                .matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }
}
