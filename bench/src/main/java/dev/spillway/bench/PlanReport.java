package dev.spillway.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.cost.Cost;
import dev.spillway.capacity.cost.PriceTable;
import dev.spillway.capacity.policy.ScalingPolicy;
import dev.spillway.capacity.sim.EngineModel;
import dev.spillway.capacity.sim.PlanResult;
import dev.spillway.capacity.sim.SystemModel;
import dev.spillway.capacity.sim.WaitStats;
import dev.spillway.capacity.workload.Profile;
import dev.spillway.capacity.workload.Tier;
import dev.spillway.capacity.workload.Workload;

/** The planner's printed report: its inputs, one table per concern with a column per policy, and the last lines. */
final class PlanReport {

    final Workload workload;
    final SystemModel system;
    final List<ScalingPolicy> policies;
    final List<PlanResult> results;
    private final PriceTable prices;
    private final Map<PlanResult, Cost> costs = new IdentityHashMap<>();

    PlanReport(Workload workload, SystemModel system, List<ScalingPolicy> policies, List<PlanResult> results,
            PriceTable prices) {
        this.workload = workload;
        this.system = system;
        this.policies = policies;
        this.results = results;
        this.prices = prices;
        results.forEach(result -> costs.put(result, prices.cost(result.usage())));
    }

    void printInputs(PrintStream out, String settingsSource, double simulatedSeconds) {
        CapacitySettings s = system.capacity();
        out.printf(Locale.ROOT, "plan %s: %,d requests over %.1f h%s%n", workload.name(),
                results.get(0).counts().arrivals(), workload.duration() / 3600, describe(workload));
        out.printf(Locale.ROOT, "settings (%s): %s, tasks %d-%d, %d jobs per task at once, target %.1f messages "
                        + "per task (%d s / %d s), cooldowns out %d s, in %d s, from zero %d s, cold start %d-%d s, "
                        + "intake reserved concurrency %s%n",
                settingsSource, s.instanceType(), s.minTasks(), s.maxTasks(), s.workerConcurrency(),
                s.targetBacklogPerTask(), s.acceptableLatency().toSeconds(), s.meanProcessingTime().toSeconds(),
                s.scaleOutCooldown().toSeconds(), s.scaleInCooldown().toSeconds(),
                s.scaleFromZeroCooldown().toSeconds(), s.coldStartMin().toSeconds(), s.coldStartMax().toSeconds(),
                s.reservedConcurrency());
        double taskRate = taskRate();
        if (system.engine() instanceof EngineModel.Batched batched) {
            out.printf(Locale.ROOT, "engine: %.2f jobs/s per task with a full batch (%s), batching gain %.1fx, a "
                            + "prompt token costs 1/%.0f decode step%n", taskRate,
                    Math.abs(taskRate - s.taskJobsPerSecond()) < 1e-9 ? "1 / meanProcessingSeconds"
                            : "--task-rate; meanProcessingSeconds " + s.meanProcessingTime().toSeconds()
                                    + " says " + String.format(Locale.ROOT, "%.2f", s.taskJobsPerSecond())
                                    + ", and the scaling target assumes that",
                    batched.batchingGain(), batched.prefillTokensPerStep());
        }
        out.printf(Locale.ROOT, "intake: hold rule %s, wait budget %d s (batch tier never held), cache hit rate "
                        + "%.0f%%, direct lane %s; prices: %s%n",
                system.intake().holdRule().name().toLowerCase(Locale.ROOT), system.intake().waitBudget().toSeconds(),
                100 * system.cacheHitRate(),
                system.direct().enabled() ? system.direct().bulkhead() + " slots, upstream limit "
                        + system.direct().upstreamConcurrency() : "none", prices.source());
        for (ScalingPolicy policy : policies) {
            out.printf(Locale.ROOT, "policy %s: %s%n", policy.name(), policy.summary());
        }
        out.printf(Locale.ROOT, "simulated in %.1f s%n", simulatedSeconds);
        double capacity = s.maxTasks() * taskRate;
        double peakSpilled = 0;
        for (double rate : results.get(0).timeline().spilledPerSecond()) {
            peakSpilled = Math.max(peakSpilled, rate);
        }
        if (peakSpilled > capacity) {
            out.printf(Locale.ROOT, "WARNING: at most %d tasks x %.2f jobs/s = %.2f jobs/s, but spilled work peaks at "
                            + "%.2f jobs/s (minute average): the queue grows for as long as that lasts%n",
                    s.maxTasks(), taskRate, capacity, peakSpilled);
        }
    }

    void printTables(PrintStream out) {
        table("Requests", List.of(
                row("arrivals at the API", r -> r.counts().arrivals()),
                row("refused: intake at its concurrency limit", r -> r.counts().throttled()),
                row("answered from the cache", r -> r.counts().cacheHits()),
                row("answered by the direct lane", r -> r.counts().direct()),
                row("direct calls refused by the upstream (429), spilled", r -> r.counts().upstream429()),
                row("spilled to the queue", r -> r.counts().spilled()),
                row("held, answered with the result", r -> r.counts().heldAnswered()),
                row("held until the budget ended, then 202", r -> r.counts().heldThen202()),
                row("202 at once (estimate past the budget, or batch tier)", r -> r.counts().answered202()),
                row("expired in the queue", r -> r.counts().expired()),
                row("unfinished when the simulation ended", r -> r.counts().unfinished()),
                row("polls (GET /v1/jobs/{id})", r -> r.counts().polls()))).print(out);

        List<Row> waits = new ArrayList<>();
        waits.add(row("all tiers p50", r -> r.queueWait().p50()));
        waits.add(row("all tiers p90", r -> r.queueWait().p90()));
        waits.add(row("all tiers p99", r -> r.queueWait().p99()));
        waits.add(row("all tiers max", r -> r.queueWait().max()));
        for (Tier tier : Tier.values()) {
            if (results.get(0).queueWaitByTier().containsKey(tier)) {
                waits.add(row(tier.label() + " p50", r -> stats(r.queueWaitByTier(), tier).p50()));
                waits.add(row(tier.label() + " p99", r -> stats(r.queueWaitByTier(), tier).p99()));
            }
        }
        if (workload.phases().size() > 1) {
            for (String phase : results.get(0).queueWaitByPhase().keySet()) {
                waits.add(row("phase " + phase + " p50", r -> stats(r.queueWaitByPhase(), phase).p50()));
                waits.add(row("phase " + phase + " p90", r -> stats(r.queueWaitByPhase(), phase).p90()));
                waits.add(row("phase " + phase + " p99", r -> stats(r.queueWaitByPhase(), phase).p99()));
            }
        }
        table("Queue wait, seconds (accepted at the intake to started by a worker)", waits).print(out);

        List<Row> fleet = new ArrayList<>();
        fleet.add(row("peak intake concurrency (functions busy at once)", r -> r.peakIntakeConcurrency()));
        fleet.add(row("peak tasks", r -> r.peakTasks()));
        fleet.add(row("GPU-hours (instances up, starts and idle time included)", r -> r.usage().gpuInstanceHours()));
        fleet.add(row("cold starts (new instance)", r -> r.coldStarts()));
        fleet.add(row("warm starts (instance still up)", r -> r.warmStarts()));
        fleet.add(row("times the fleet went to zero while requests arrived", r -> r.timesAtZero()));
        fleet.add(row("runs cut short by a scale-in and queued again", r -> r.counts().released()));
        fleet.add(row("task busy time per job, s (meanProcessingSeconds as simulated)", r -> r.busySecondsPerJob()));
        fleet.add(row("hours until the queues drained and the fleet came to rest", r -> r.endTime() / 3600));
        for (String item : costs.get(results.get(0)).items().keySet()) {
            fleet.add(row("cost $: " + item, r -> costs.get(r).items().get(item)));
        }
        fleet.add(row("cost $: total", r -> costs.get(r).total()));
        table("Fleet and cost", fleet).print(out);
    }

    void printLastLines(PrintStream out) {
        for (int i = 0; i < results.size(); i++) {
            out.println(lastLine(i));
        }
    }

    /** {@code plan surge10x (in-flight): wait p99 12.3 s, peak intake concurrency 41, GPU-hours 9.8, cost $12.04}. */
    String lastLine(int index) {
        PlanResult result = results.get(index);
        String label = results.size() == 1 ? result.workload() : result.workload() + " (" + result.policy() + ")";
        return String.format(Locale.ROOT, "plan %s: wait p99 %.1f s, peak intake concurrency %d, GPU-hours %.1f, "
                        + "cost $%.2f", label, result.queueWait().p99(), result.peakIntakeConcurrency(),
                result.usage().gpuInstanceHours(), costs.get(result).total());
    }

    /** Jobs per second one task finishes with a full batch. */
    double taskRate() {
        int batch = system.capacity().workerConcurrency();
        if (system.engine() instanceof EngineModel.Batched batched) {
            return batched.jobsPerSecond();
        }
        if (system.engine() instanceof EngineModel.Fixed fixed) {
            return batch / fixed.jobSeconds();
        }
        List<Double> times = system.engine() instanceof EngineModel.Sampled sampled ? sampled.jobSeconds()
                : ((EngineModel.Replayed) system.engine()).jobSeconds();
        return batch / times.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    private static <K> WaitStats stats(Map<K, WaitStats> map, K key) {
        return map.getOrDefault(key, WaitStats.NONE);
    }

    private static String describe(Workload workload) {
        if (workload instanceof Profile profile) {
            return String.format(Locale.ROOT, ", base rate %.2f/s, peak %.2f/s", profile.baseRate(),
                    peak(profile));
        }
        return " (trace)";
    }

    private static double peak(Profile profile) {
        double peak = 0;
        for (double t = 0; t < profile.duration(); t += 60) {
            peak = Math.max(peak, profile.rateAt(t));
        }
        return peak;
    }

    private record Row(String measure, ToDoubleFunction<PlanResult> value) {
    }

    private static Row row(String measure, ToDoubleFunction<PlanResult> value) {
        return new Row(measure, value);
    }

    /** A column per policy, then each policy's ratio to the first (the baseline). */
    private Table table(String title, List<Row> rows) {
        List<String> header = new ArrayList<>();
        header.add("measure");
        policies.forEach(policy -> header.add(policy.name()));
        for (int i = 1; i < policies.size(); i++) {
            header.add(policies.get(i).name() + " / " + policies.get(0).name());
        }
        Table table = new Table(title + (policies.size() > 1 ? " (ratios against " + policies.get(0).name() + ")"
                : ""), header.toArray(String[]::new));
        for (Row row : rows) {
            List<Object> cells = new ArrayList<>();
            cells.add(row.measure());
            double[] values = results.stream().mapToDouble(row.value()).toArray();
            for (double value : values) {
                cells.add(format(value));
            }
            for (int i = 1; i < values.length; i++) {
                cells.add(values[0] == 0 ? (values[i] == 0 ? "1.00" : "-") : String.format(Locale.ROOT, "%.2f",
                        values[i] / values[0]));
            }
            table.row(cells.toArray());
        }
        return table;
    }

    private static String format(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) value);
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%,.0f" : "%.2f", value);
    }

    /** For the chart's title and series. */
    List<String> lastLines() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            lines.add(lastLine(i));
        }
        return lines;
    }
}
