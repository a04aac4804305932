package dev.spillway.bench;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.sim.EngineModel;
import dev.spillway.capacity.sim.FleetModel;
import dev.spillway.capacity.sim.Simulation;
import dev.spillway.capacity.sim.SystemModel;
import dev.spillway.capacity.sim.WaitStats;
import dev.spillway.capacity.workload.Request;
import dev.spillway.capacity.workload.Tier;
import dev.spillway.capacity.workload.Trace;
import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * {@code bench/run plan --validate}: replays a small trace against the real local stack (intake, ElasticMQ, the
 * DynamoDB emulator, Redis, one worker process running one job at a time against an engine that takes 500 ms), then
 * simulates the same arrivals and compares the queue waits. A job's measured wait runs from the client sending it to
 * the engine receiving it.
 *
 * <p>The simulator gets what the run measured: the send times; each job's service time, the gap from its start to
 * the next start when that next job was already waiting (the worker's whole cycle: engine, result, delete, receive,
 * claim), or the median of those for a job the worker went idle after; and the dispatch latency, the median wait of
 * the jobs that found the worker idle. Given the same work, the comparison checks what the simulator itself models:
 * the queue, its order, dispatch, one job at a time. This machine's speed drifts with its other load, so a second
 * simulation drawing service times at random from the same measurements (averaged over {@link #DRAWS} draws) is shown
 * beside it, not judged. Agreement: mean, p50 and p90 each within {@link #ABSOLUTE_BOUND_SECONDS} s plus
 * {@link #RELATIVE_BOUND} of the measured value. {@code --quick} replays the first 18 s of the trace.
 */
final class PlanValidation {

    static final String TRACE_RESOURCE = "/plan-validation-trace.csv";
    static final int ENGINE_MILLIS = 500;
    static final double ABSOLUTE_BOUND_SECONDS = 0.25;
    static final double RELATIVE_BOUND = 0.25;
    static final int DRAWS = 200;
    private static final double QUICK_SECONDS = 18;

    private PlanValidation() {
    }

    /** One replayed request: when it was sent and when the engine got it, seconds from the first send. */
    record Replayed(double sent, double started) {

        double waited() {
            return started - sent;
        }
    }

    static boolean run(BenchOptions options) throws Exception {
        List<Request> trace = trace(options.quick());
        Map<String, String> oneJobAtATime = Map.of("spillway.local.worker.spillway.worker.concurrency", "1");
        List<Replayed> replayed = new ArrayList<>();
        Failures wrong;
        try (ScriptedUpstream engine = new ScriptedUpstream();
                LocalStackProcess stack = LocalStackProcess.start(options, "plan-validation", engine.baseUrl(),
                        oneJobAtATime)) {
            // One job first, unmeasured: the worker's first claim pays for its JIT and connections.
            warmUp(stack);
            wrong = replay(stack, engine, trace, replayed);
        }
        Path record = options.repoDir().resolve("bench/target/plan-validation-replay.csv");
        Files.writeString(record, "sent_seconds,started_seconds\n" + replayed.stream()
                .map(r -> String.format(Locale.ROOT, "%.6f,%.6f", r.sent(), r.started()))
                .collect(Collectors.joining("\n")) + "\n");
        if (wrong.count() > 0 || replayed.size() != trace.size()) {
            System.out.println("wrong or missing answers: " + wrong.count() + " of " + trace.size() + ", e.g. "
                    + wrong.example());
            return false;
        }

        Double[] cycles = cycles(replayed);
        List<Double> services = Arrays.stream(cycles).filter(Objects::nonNull).toList();
        if (services.size() < 5) {
            throw new IllegalStateException("only " + services.size() + " jobs queued behind another: too few to "
                    + "measure the service time");
        }
        double service = services.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double median = services.stream().mapToDouble(Double::doubleValue).sorted().toArray()[services.size() / 2];
        double spread = Math.sqrt(services.stream().mapToDouble(s -> (s - service) * (s - service)).average()
                .orElseThrow());
        double dispatch = dispatchSeconds(replayed, service);
        List<Double> perJob = Arrays.stream(cycles).map(cycle -> cycle == null ? median : cycle).toList();
        float[] measuredWaits = new float[replayed.size()];
        List<Request> sent = new ArrayList<>();
        double first = replayed.get(0).sent();
        for (int i = 0; i < replayed.size(); i++) {
            measuredWaits[i] = (float) replayed.get(i).waited();
            sent.add(new Request(replayed.get(i).sent() - first, LocalStackProcess.MODEL, Tier.INTERACTIVE, 20, 16));
        }
        WaitStats measured = WaitStats.of(measuredWaits);
        Trace replay = new Trace("replayed", sent);
        WaitStats simulated = Simulation.run(replay, system(new EngineModel.Replayed(perJob), dispatch, 1),
                ScalingPolicies.FIXED).queueWait();
        WaitStats drawn = expected(replay, new EngineModel.Sampled(services), dispatch);

        System.out.printf(Locale.ROOT, "plan --validate: %d requests replayed over %.1f s against the local stack "
                        + "(1 worker, 1 job at a time, engine %d ms)%n", replayed.size(),
                replayed.get(replayed.size() - 1).sent() - first, ENGINE_MILLIS);
        System.out.printf(Locale.ROOT, "measured in this run: service time %.3f s per job, standard deviation %.3f s "
                        + "(%d samples: engine %d ms plus the worker's cycle), dispatch latency %.3f s; utilisation "
                        + "%.2f%n", service, spread, services.size(), ENGINE_MILLIS, dispatch,
                replayed.size() * service / (replayed.get(replayed.size() - 1).started() - first + service));
        Table table = new Table("Queue wait, seconds: the local stack vs the simulator fed the same arrivals",
                "measure", "measured", "simulated", "difference", "bound", "within",
                "simulated, service times drawn at random (not judged)");
        boolean agree = true;
        agree &= compare(table, "mean", measured.mean(), simulated.mean(), drawn.mean());
        agree &= compare(table, "p50", measured.p50(), simulated.p50(), drawn.p50());
        agree &= compare(table, "p90", measured.p90(), simulated.p90(), drawn.p90());
        table.row("p99 (not judged: one or two jobs)", measured.p99(), simulated.p99(),
                simulated.p99() - measured.p99(), "-", "-", drawn.p99());
        table.row("max (not judged)", measured.max(), simulated.max(), simulated.max() - measured.max(), "-", "-",
                drawn.max());
        table.print(System.out);
        System.out.printf(Locale.ROOT, "%ngoal: mean, p50 and p90 within %.2f s + %.0f%% of the measured wait -> %s%n",
                ABSOLUTE_BOUND_SECONDS, 100 * RELATIVE_BOUND, agree ? "met" : "NOT MET");
        return agree;
    }

    private static boolean compare(Table table, String measure, double measured, double simulated,
            double drawn) {
        double bound = ABSOLUTE_BOUND_SECONDS + RELATIVE_BOUND * measured;
        boolean within = Math.abs(simulated - measured) <= bound;
        table.row(measure, measured, simulated, simulated - measured, bound, within ? "yes" : "NO", drawn);
        return within;
    }

    /** Mean, p50 and p90 (and p99, max) averaged over simulations with different draws of the service times. */
    private static WaitStats expected(Trace replay, EngineModel engine, double dispatch) {
        double[] sums = new double[5];
        for (int seed = 1; seed <= DRAWS; seed++) {
            WaitStats waits = Simulation.run(replay, system(engine, dispatch, seed), ScalingPolicies.FIXED)
                    .queueWait();
            sums[0] += waits.mean();
            sums[1] += waits.p50();
            sums[2] += waits.p90();
            sums[3] += waits.p99();
            sums[4] += waits.max();
        }
        return new WaitStats(replay.size(), sums[0] / DRAWS, sums[1] / DRAWS, sums[2] / DRAWS, sums[3] / DRAWS,
                sums[4] / DRAWS);
    }

    private static SystemModel system(EngineModel engine, double dispatch, long seed) {
        FleetModel defaults = FleetModel.defaults();
        Map<String, Object> oneSlot = Map.of(CapacitySettings.MAX_TASKS, 1, CapacitySettings.WORKER_CONCURRENCY, 1);
        return SystemModel.builder(CapacitySettings.fromContext(oneSlot::get))
                .engine(engine)
                .fleet(new FleetModel(dispatch, defaults.warmStart(), defaults.instanceLinger(), defaults.drainGrace(),
                        defaults.tierStarvationLimit(), defaults.metricLagMinutes()))
                .seed(seed)
                .build();
    }

    static List<Request> trace(boolean quick) throws IOException {
        try (Reader reader = new InputStreamReader(PlanValidation.class.getResourceAsStream(TRACE_RESOURCE),
                StandardCharsets.UTF_8)) {
            List<Request> requests = new ArrayList<>();
            for (Iterator<Request> it = Trace.parse(TRACE_RESOURCE, reader).requests(); it.hasNext();) {
                Request request = it.next();
                if (!quick || request.arrival() < QUICK_SECONDS) {
                    requests.add(request);
                }
            }
            return requests;
        }
    }

    private static void warmUp(LocalStackProcess stack) throws Exception {
        HttpResponse<String> response = HttpLoad.client().send(chat(stack, "warm-up"),
                HttpResponse.BodyHandlers.ofString());
        if (!isSpilled(response)) {
            throw new IllegalStateException("the warm-up job was not answered by the spill lane: "
                    + response.statusCode() + " " + response.body());
        }
    }

    /** Answers that were not the spill lane's 200, or jobs the engine did not see exactly once. */
    private static final class Failures {
        private int count;
        private String example;

        synchronized void add(String what) {
            count++;
            if (example == null) {
                example = what;
            }
        }

        synchronized int count() {
            return count;
        }

        synchronized String example() {
            return example;
        }
    }

    /** Sends each request at its trace time, and records when the engine received it. */
    private static Failures replay(LocalStackProcess stack, ScriptedUpstream engine, List<Request> trace,
            List<Replayed> replayed) throws Exception {
        long origin = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        Instant[] sent = new Instant[trace.size()];
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        Failures wrong = new Failures();
        for (int i = 0; i < trace.size(); i++) {
            long due = origin + (long) (trace.get(i).arrival() * 1e9);
            for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            HttpRequest request = chat(stack, content(i));
            sent[i] = Instant.now();
            answers.add(HttpLoad.client().sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .thenAccept(response -> {
                        if (!isSpilled(response)) {
                            wrong.add(response.statusCode() + " " + response.headers().firstValue("X-Spillway-Lane")
                                    .orElse("(no lane)") + " " + response.body());
                        }
                    }));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        Instant zero = sent[0];
        for (int i = 0; i < trace.size(); i++) {
            List<Instant> calls = engine.arrivals(content(i));
            if (calls.size() != 1) {
                wrong.add("the engine received job " + i + " " + calls.size() + " times");
                continue;
            }
            replayed.add(new Replayed(seconds(zero, sent[i]), seconds(zero, calls.get(0))));
        }
        return wrong;
    }

    /**
     * The worker's time for each job, in the order given: the gap from its start to the next start when that next
     * job was already waiting; null when the worker went idle after it.
     */
    static Double[] cycles(List<Replayed> replayed) {
        List<Replayed> byStart = new ArrayList<>(replayed);
        byStart.sort((a, b) -> Double.compare(a.started(), b.started()));
        Double[] cycles = new Double[replayed.size()];
        for (int i = 0; i + 1 < byStart.size(); i++) {
            Replayed job = byStart.get(i);
            Replayed next = byStart.get(i + 1);
            if (next.sent() < job.started()) {
                cycles[replayed.indexOf(job)] = next.started() - job.started();
            }
        }
        return cycles;
    }

    /** Median wait of the jobs that found nothing running and nothing queued. */
    static double dispatchSeconds(List<Replayed> replayed, double service) {
        List<Double> idle = new ArrayList<>();
        for (Replayed job : replayed) {
            boolean busy = false;
            for (Replayed other : replayed) {
                if (other != job && (other.started() <= job.sent() && job.sent() < other.started() + service
                        || other.sent() < job.sent() && other.started() > job.sent())) {
                    busy = true;
                    break;
                }
            }
            if (!busy) {
                idle.add(job.waited());
            }
        }
        if (idle.isEmpty()) {
            throw new IllegalStateException("no job found the worker idle: the dispatch latency cannot be measured");
        }
        double[] sorted = idle.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[(sorted.length - 1) / 2];
    }

    private static HttpRequest chat(LocalStackProcess stack, String content) {
        // Sampled (temperature 1), so never cached or coalesced: every request is a job of its own.
        return stack.request("/v1/chat/completions")
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=120")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + LocalStackProcess.MODEL
                        + "\",\"temperature\":1,\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\""
                        + content + "\"}]}"))
                .build();
    }

    private static String content(int index) {
        return "sleep:" + ENGINE_MILLIS + " validation job " + index;
    }

    private static boolean isSpilled(HttpResponse<String> response) {
        return response.statusCode() == 200
                && "spill".equals(response.headers().firstValue("X-Spillway-Lane").orElse(""));
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }
}
