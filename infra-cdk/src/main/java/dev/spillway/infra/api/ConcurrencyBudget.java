package dev.spillway.infra.api;

import java.util.ArrayList;
import java.util.List;

import dev.spillway.capacity.CapacitySettings;

/**
 * The Lambda concurrency each Spillway function reserves, and what the API stage admits, sized by Little's law:
 * concurrency = arrival rate x time spent in the function.
 *
 * <p>A streamed chat completion holds an intake instance until its last chunk, at most the intake's Lambda timeout
 * ({@code maxHold}, the stream limit of {@link IntakeTimeouts}); a waiting one for its wait budget, which nests inside
 * it. The stage's token bucket admits at most {@code throttleBurst + throttleRate x maxHold} requests within any
 * {@code maxHold}, so if every one of them streamed that long that many instances would be busy at once: the intake's
 * reservation must hold them all.
 * Then a surge is answered 429 by API Gateway (which OpenAI SDKs retry), never by a Lambda throttle, which API
 * Gateway turns into a 500. Every event function has its own reservation, so a busy intake can never starve the
 * scheduler (whose backlog metric starts the fleet from zero) or the notifier.
 *
 * <p>The defaults fit the default account limit of 1,000 (738 reserved, 262 left unreserved; Lambda keeps at least
 * 100 unreserved): 5 requests/s with a burst of 100 and streams of up to 120 s. More needs a larger quota (see the
 * runbook). The capacity planner ({@code bench/run plan}) checked the intake's against waiting requests at the
 * stage's full rate (docs/capacity.md, "How the defaults were chosen").
 *
 * @param intake        reserved concurrency of the intake
 * @param maxHoldSec    longest an admitted request may hold an intake instance: its Lambda timeout, seconds
 * @param throttleRate  requests per second the API stage admits
 * @param throttleBurst requests the stage admits at once above the rate
 * @param batchFiles    batch files: each reads one input for up to 15 min; S3 events beyond wait in Lambda's retry
 *                      queue (up to 6 h)
 * @param ingest        ingest: the queue trigger runs at most this many batches of 10 at once (~0.5 s each), so it
 *                      never receives messages it cannot run
 * @param notifier      notifier: shards of the jobs stream x parallelization factor 4; a throttled batch is retried
 * @param scheduler     scheduler: one tick a minute, a slow tick may overlap the next
 */
public record ConcurrencyBudget(int intake, int maxHoldSec, int throttleRate, int throttleBurst, int batchFiles,
                                int ingest, int notifier, int scheduler) {

    public static final int DEFAULT_THROTTLE_RATE = 5;
    public static final int DEFAULT_THROTTLE_BURST = 100;
    /** {@code DEFAULT_THROTTLE_BURST + DEFAULT_THROTTLE_RATE x} the default 120 s stream. */
    public static final int DEFAULT_INTAKE = CapacitySettings.DEFAULT_RESERVED_CONCURRENCY;
    public static final int DEFAULT_BATCH_FILES = 5;
    public static final int DEFAULT_INGEST = 10;
    public static final int DEFAULT_NOTIFIER = 20;
    public static final int DEFAULT_SCHEDULER = 3;
    /** The least an SQS event source's maximum concurrency may be. */
    static final int MIN_QUEUE_TRIGGER_CONCURRENCY = 2;

    /** Requests the stage may admit within one longest hold: how many intake instances they can hold at once. */
    public int admittedWithinOneHold() {
        return throttleBurst + throttleRate * maxHoldSec;
    }

    /** Concurrency reserved by all five functions together. */
    public int totalReserved() {
        return intake + batchFiles + ingest + notifier + scheduler;
    }

    /** What does not hold together, each as one sentence; empty when the budget is sound. */
    public List<String> validate() {
        List<String> errors = new ArrayList<>();
        if (throttleRate < 1 || throttleBurst < 1) {
            errors.add("apiThrottleRate and apiThrottleBurst must be at least 1");
        }
        if (admittedWithinOneHold() > intake) {
            errors.add("The API stage admits up to " + admittedWithinOneHold() + " requests within one " + maxHoldSec
                    + " s stream (burst " + throttleBurst + " + rate " + throttleRate + "/s x " + maxHoldSec
                    + " s), more than the intake's reserved concurrency of " + intake + ": raise reservedConcurrency "
                    + "or lower the throttle or maxStreamSeconds, else Lambda throttles turn into 500s");
        }
        if (batchFiles < 1 || notifier < 1 || scheduler < 1) {
            errors.add("batchFilesConcurrency, notifierConcurrency and schedulerConcurrency must be at least 1");
        }
        if (ingest < MIN_QUEUE_TRIGGER_CONCURRENCY) {
            errors.add("ingestConcurrency must be at least " + MIN_QUEUE_TRIGGER_CONCURRENCY
                    + " (an SQS trigger's smallest maximum concurrency)");
        }
        return errors;
    }
}
