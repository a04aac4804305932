package dev.spillway.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.ContextValues;
import dev.spillway.capacity.cost.PriceTable;
import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.policy.ScalingPolicy;
import dev.spillway.capacity.sim.DirectLaneModel;
import dev.spillway.capacity.sim.EngineModel;
import dev.spillway.capacity.sim.FleetModel;
import dev.spillway.capacity.sim.HoldRule;
import dev.spillway.capacity.sim.IntakeModel;
import dev.spillway.capacity.sim.PlanResult;
import dev.spillway.capacity.sim.Simulation;
import dev.spillway.capacity.sim.SystemModel;
import dev.spillway.capacity.workload.Profile;
import dev.spillway.capacity.workload.TierMix;
import dev.spillway.capacity.workload.Trace;
import dev.spillway.capacity.workload.Workload;

/**
 * The capacity planner, {@code bench/run plan}: simulates a workload (a generated profile, or a recorded trace with
 * {@code --trace FILE}) through the system sized by the CDK app's own settings ({@code infra-cdk/cdk.json}, any key
 * overridable as {@code --maxTasks 8}), under one scaling policy ({@code --policy NAME}) or several side by side
 * ({@code --compare A,B}, the first being the baseline of the ratios). Prints the requests' fates, queue waits per
 * tier and phase, the fleet, the cost from the price table, writes a chart, and ends with one line per policy:
 * {@code plan PROFILE: wait p99 X s, peak intake concurrency N, GPU-hours H, cost $C}.
 *
 * <p>Every option, its default and what the simulation models are in docs/capacity.md. {@code --validate} replays a
 * small trace against the local stack instead ({@link PlanValidation}).
 */
public final class PlanBenchmark implements Benchmark {

    static final String DEFAULT_MODEL = "deepseek-r1-distill-qwen-7b";

    @Override
    public boolean run(BenchOptions options) throws Exception {
        if (options.flag("validate")) {
            return PlanValidation.run(options);
        }
        Path cdkJson = options.repoDir().resolve("infra-cdk/cdk.json");
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String key : CapacitySettings.KEYS) {
            String value = options.text(key, null);
            if (value != null) {
                overrides.put(key, value);
            }
        }
        Map<String, Object> context = CdkContext.read(cdkJson, overrides);
        CapacitySettings settings = CapacitySettings.fromContext(context::get);
        String model = options.text("model", ContextValues.string(context::get, "modelName", DEFAULT_MODEL));
        long seed = options.integer("seed", 1, 1);

        Workload workload = workload(options, model, seed);
        SystemModel system = system(options, settings, seed);
        List<ScalingPolicy> policies = new ArrayList<>();
        for (String name : options.text("compare", options.text("policy", ScalingPolicies.WEIGHTED.name()))
                .split(",")) {
            policies.add(ScalingPolicies.named(name));
        }
        String pricesFile = options.text("prices", null);
        PriceTable prices = pricesFile == null ? PriceTable.defaults() : PriceTable.read(Path.of(pricesFile));

        List<PlanResult> results = new ArrayList<>();
        long started = System.nanoTime();
        for (ScalingPolicy policy : policies) {
            results.add(Simulation.run(workload, system, policy));
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        PlanReport report = new PlanReport(workload, system, policies, results, prices);
        report.printInputs(System.out, describeSources(cdkJson, overrides, options), seconds);
        report.printTables(System.out);
        Path chart = Path.of(options.text("chart",
                options.repoDir().resolve("bench/target/plan-" + fileName(workload.name()) + ".html").toString()));
        PlanChart.write(chart, report);
        System.out.println();
        System.out.println("chart: " + chart.toAbsolutePath().normalize());
        report.printLastLines(System.out);
        return true;
    }

    private static Workload workload(BenchOptions options, String model, long seed) throws Exception {
        String trace = options.text("trace", null);
        if (trace != null) {
            return Trace.read(Path.of(trace));
        }
        Profile.Parameters parameters = new Profile.Parameters(options.decimal("rate", 2), model,
                TierMix.parse(options.text("tiers", "0.2,0.6,0.2")), options.integer("prompt-tokens", 500, 500),
                options.integer("output-tokens", 300, 300), options.decimal("hours", 6), seed);
        return new Profile(Profile.Shape.ofLabel(options.text("profile", "surge10x")), parameters);
    }

    private static SystemModel system(BenchOptions options, CapacitySettings settings, long seed) {
        int batch = settings.workerConcurrency();
        EngineModel engine = new EngineModel.Batched(options.decimal("task-rate", settings.taskJobsPerSecond()),
                options.decimal("batching-gain", Math.max(1, 0.75 * batch)),
                options.decimal("prefill-tokens-per-step", 100));
        FleetModel fleetDefaults = FleetModel.defaults();
        FleetModel fleet = new FleetModel(options.decimal("dispatch-seconds", fleetDefaults.dispatchSeconds()),
                seconds(options, "warm-start", fleetDefaults.warmStart()),
                seconds(options, "instance-linger", fleetDefaults.instanceLinger()),
                seconds(options, "drain-grace", fleetDefaults.drainGrace()),
                seconds(options, "tier-starvation-limit", fleetDefaults.tierStarvationLimit()),
                options.integer("metric-lag-minutes", fleetDefaults.metricLagMinutes(),
                        fleetDefaults.metricLagMinutes()));
        IntakeModel intakeDefaults = IntakeModel.defaults();
        IntakeModel intake = new IntakeModel(
                options.integer("intake-memory-mb", intakeDefaults.memoryMb(), intakeDefaults.memoryMb()),
                settings.defaultWait(),
                HoldRule.valueOf(options.text("hold", "eta").toUpperCase(Locale.ROOT)),
                seconds(options, "poll-after", intakeDefaults.pollAfter()), intakeDefaults.hitSeconds(),
                intakeDefaults.spillSeconds(), intakeDefaults.pollSeconds());
        int upstream = options.integer("direct-concurrency", 0, 0);
        DirectLaneModel direct = upstream == 0 ? DirectLaneModel.NONE
                : new DirectLaneModel(options.integer("direct-bulkhead", 16, 16), upstream,
                        options.decimal("direct-first-token-seconds", 0.6),
                        options.decimal("direct-tokens-per-second", 40));
        return SystemModel.builder(settings)
                .engine(engine)
                .fleet(fleet)
                .intake(intake)
                .direct(direct)
                .cacheHitRate(options.decimal("cache-hit-rate", 0))
                .seed(seed)
                .build();
    }

    private static Duration seconds(BenchOptions options, String name, Duration fallback) {
        return Duration.ofMillis(Math.round(options.decimal(name, fallback.toMillis() / 1000.0) * 1000));
    }

    private static String describeSources(Path cdkJson, Map<String, String> overrides, BenchOptions options) {
        StringBuilder sources = new StringBuilder(options.repoDir().relativize(cdkJson.toAbsolutePath()).toString());
        sources.append(" context");
        overrides.forEach((key, value) -> sources.append(", --").append(key).append(' ').append(value));
        return sources.toString();
    }

    private static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
