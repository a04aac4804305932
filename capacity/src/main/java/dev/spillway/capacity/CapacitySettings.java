package dev.spillway.capacity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How the worker fleet and the intake are sized and scaled: the numbers the CDK app synthesizes into the scaling
 * policies and the capacity planner simulates, read from the same CDK context keys with the same defaults. Change
 * a number here (or in {@code cdk.json}, or with {@code -c key=value}) and both the deployment and the plan follow.
 * The defaults were chosen with the planner; docs/capacity.md ("How the defaults were chosen") has the runs.
 *
 * @param instanceType          {@code instanceType}: GPU instance type, one task per instance
 * @param minTasks              {@code minTasks}: fewest worker tasks; 0 lets the fleet scale to zero
 * @param maxTasks              {@code maxTasks}: most worker tasks (and GPU instances)
 * @param workerConcurrency     {@code workerConcurrency}: jobs one worker runs at once (its dynamic batch)
 * @param acceptableLatency     {@code acceptableLatencySeconds}: how long a message may wait before the fleet should
 *                              have grown
 * @param meanProcessingTime    {@code meanProcessingSeconds}: task time per message, concurrency included (task busy
 *                              time / messages); the planner's default throughput per task is its inverse
 * @param scaleOutCooldown      {@code scaleOutCooldownSeconds}: target tracking's scale-out cooldown
 * @param scaleInCooldown       {@code scaleInCooldownSeconds}: target tracking's scale-in cooldown
 * @param scaleFromZeroCooldown {@code scaleFromZeroCooldownSeconds}: cooldown of the step policy that starts the first
 *                              task; at least a cold start, or a second task is added while the first still loads
 * @param coldStartMin          {@code coldStartMinSeconds}: shortest GPU cold start (instance launch, image pull,
 *                              weight download, model load); not synthesized, it is what the cooldown above assumes
 * @param coldStartMax          {@code coldStartMaxSeconds}: longest GPU cold start
 * @param reservedConcurrency   {@code reservedConcurrency}: the intake function's reserved concurrency, which bounds
 *                              the requests it holds at once
 * @param defaultWait           {@code defaultWaitSeconds}: how long the intake holds a request that names no wait
 *                              ({@code spillway.intake.default-wait}) while its job can finish within it
 */
public record CapacitySettings(String instanceType, int minTasks, int maxTasks, int workerConcurrency,
                               Duration acceptableLatency, Duration meanProcessingTime, Duration scaleOutCooldown,
                               Duration scaleInCooldown, Duration scaleFromZeroCooldown, Duration coldStartMin,
                               Duration coldStartMax, int reservedConcurrency,
                               Duration defaultWait) {

    public static final String INSTANCE_TYPE = "instanceType";
    public static final String MIN_TASKS = "minTasks";
    public static final String MAX_TASKS = "maxTasks";
    public static final String WORKER_CONCURRENCY = "workerConcurrency";
    public static final String ACCEPTABLE_LATENCY = "acceptableLatencySeconds";
    public static final String MEAN_PROCESSING = "meanProcessingSeconds";
    public static final String SCALE_OUT_COOLDOWN = "scaleOutCooldownSeconds";
    public static final String SCALE_IN_COOLDOWN = "scaleInCooldownSeconds";
    public static final String SCALE_FROM_ZERO_COOLDOWN = "scaleFromZeroCooldownSeconds";
    public static final String COLD_START_MIN = "coldStartMinSeconds";
    public static final String COLD_START_MAX = "coldStartMaxSeconds";
    public static final String RESERVED_CONCURRENCY = "reservedConcurrency";
    public static final String DEFAULT_WAIT = "defaultWaitSeconds";

    /** Every context key read here, for tools that accept overrides by key. */
    public static final List<String> KEYS = List.of(INSTANCE_TYPE, MIN_TASKS, MAX_TASKS, WORKER_CONCURRENCY, ACCEPTABLE_LATENCY,
            MEAN_PROCESSING, SCALE_OUT_COOLDOWN, SCALE_IN_COOLDOWN, SCALE_FROM_ZERO_COOLDOWN, COLD_START_MIN,
            COLD_START_MAX, RESERVED_CONCURRENCY, DEFAULT_WAIT);

    public static final String DEFAULT_INSTANCE_TYPE = "g6.xlarge";
    /**
     * Every request the API stage admits within one stream limit, each holding an intake for all of it: a burst of
     * 100 plus 5 per second for 120 s (infra-cdk's {@code ConcurrencyBudget} checks the two against each other).
     */
    public static final int DEFAULT_RESERVED_CONCURRENCY = 700;
    public static final int DEFAULT_WAIT_SECONDS = 20;

    /** The values without any context. */
    public static CapacitySettings defaults() {
        return fromContext(key -> null);
    }

    /** @param context the value of a context key, null when it is not set */
    public static CapacitySettings fromContext(final Function<String, Object> context) {
        return new CapacitySettings(
                ContextValues.string(context, INSTANCE_TYPE, DEFAULT_INSTANCE_TYPE),
                ContextValues.integer(context, MIN_TASKS, 1),
                ContextValues.integer(context, MAX_TASKS, 6),
                ContextValues.integer(context, WORKER_CONCURRENCY, 8),
                seconds(context, ACCEPTABLE_LATENCY, 30),
                seconds(context, MEAN_PROCESSING, 2),
                seconds(context, SCALE_OUT_COOLDOWN, 60),
                seconds(context, SCALE_IN_COOLDOWN, 300),
                seconds(context, SCALE_FROM_ZERO_COOLDOWN, 600),
                seconds(context, COLD_START_MIN, 360),
                seconds(context, COLD_START_MAX, 480),
                ContextValues.integer(context, RESERVED_CONCURRENCY, DEFAULT_RESERVED_CONCURRENCY),
                seconds(context, DEFAULT_WAIT, DEFAULT_WAIT_SECONDS));
    }

    private static Duration seconds(final Function<String, Object> context, final String key, final int fallback) {
        return Duration.ofSeconds(ContextValues.integer(context, key, fallback));
    }

    /** The same settings for a fleet of {@code minTasks} to {@code maxTasks} tasks. */
    public CapacitySettings withTasks(final int minTasks, final int maxTasks) {
        return new CapacitySettings(instanceType, minTasks, maxTasks, workerConcurrency, acceptableLatency,
                meanProcessingTime, scaleOutCooldown, scaleInCooldown, scaleFromZeroCooldown, coldStartMin,
                coldStartMax, reservedConcurrency, defaultWait);
    }

    /** Visible messages per running task that target tracking aims for: acceptable latency / mean processing time. */
    public double targetBacklogPerTask() {
        double processing = seconds(meanProcessingTime);
        return processing > 0 ? seconds(acceptableLatency) / processing : 0;
    }

    /** Jobs per second one task finishes with its batch full, as {@code meanProcessingTime} states it. */
    public double taskJobsPerSecond() {
        return 1 / seconds(meanProcessingTime);
    }

    /** What makes these settings unusable, empty when none. */
    public List<String> problems() {
        List<String> errors = new ArrayList<>();
        if (maxTasks < 1) {
            errors.add("maxTasks must be at least 1, got " + maxTasks);
        }
        if (minTasks < 0 || minTasks > maxTasks) {
            errors.add("minTasks must be between 0 and maxTasks (" + maxTasks + "), got " + minTasks);
        }
        if (workerConcurrency < 1) {
            errors.add("workerConcurrency must be at least 1, got " + workerConcurrency);
        }
        double latency = seconds(acceptableLatency);
        double processing = seconds(meanProcessingTime);
        if (latency <= 0 || processing <= 0) {
            errors.add("acceptableLatency and meanProcessingTime must both be positive");
        } else if (latency < processing) {
            errors.add("acceptableLatency (" + latency + " s) is shorter than meanProcessingTime (" + processing
                    + " s): the backlog-per-task target would be below one message");
        }
        if (scaleOutCooldown.isNegative() || scaleInCooldown.isNegative() || scaleFromZeroCooldown.isNegative()) {
            errors.add("cooldowns cannot be negative");
        }
        if (coldStartMin.isNegative() || coldStartMax.compareTo(coldStartMin) < 0) {
            errors.add("cold start must satisfy 0 <= coldStartMinSeconds <= coldStartMaxSeconds, got "
                    + coldStartMin.toSeconds() + " and " + coldStartMax.toSeconds());
        }
        if (defaultWait.isNegative()) {
            errors.add("defaultWaitSeconds cannot be negative, got " + defaultWait.toSeconds());
        }
        if (reservedConcurrency < 1) {
            errors.add("reservedConcurrency must be at least 1, got " + reservedConcurrency);
        }
        return errors;
    }

    private static double seconds(final Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
