package dev.spillway.capacity.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.spillway.capacity.policy.ScalingPolicy;
import dev.spillway.capacity.workload.Phase;
import dev.spillway.capacity.workload.Request;
import dev.spillway.capacity.workload.Tier;
import dev.spillway.capacity.workload.Workload;

/**
 * A discrete-event simulation of Spillway under a workload: the intake (its concurrency limit, the cache, the direct
 * lane, the rule for holding a spilled request open), each model's fleet (tier queues, tasks with batching, cold and
 * warm starts, scale-in with draining) and a scaling policy evaluated once a minute. Deterministic: the same inputs
 * give the same result.
 */
public final class Simulation {

    private final Workload workload;
    private final SystemModel system;
    private final ScalingPolicy policy;
    private final Events events = new Events();
    private final Map<String, FleetSim> fleets = new LinkedHashMap<>();
    private final Random cacheDraws;
    private final double memoryGb;
    private final int intakeLimit;
    private final List<Phase> phases;

    private Iterator<Request> arrivals;
    private int intakeBusy;
    private int intakePeak;
    private int intakePeakThisMinute;
    private int directBusy;
    private long minuteArrivals;
    private long minuteSpilled;

    private long arrivalCount;
    private long throttled;
    private long cacheHits;
    private long direct;
    private long upstream429;
    private long spilled;
    private long heldAnswered;
    private long heldThen202;
    private long answered202;
    private long expired;
    private long unfinished;
    private long polls;
    private double lambdaGbSeconds;
    private long lambdaInvocations;
    private long sqsRequests;
    private long dynamoWrites;
    private long directInputTokens;
    private long directOutputTokens;

    private final Samples waits = new Samples();
    private int[] waitMinutes = new int[1024];
    private final Map<Tier, Samples> waitsByTier = new EnumMap<>(Tier.class);
    private final List<Samples> waitsByPhase = new ArrayList<>();
    private final List<ScalingEvent> scalingEvents = new ArrayList<>();
    private final Timeline timeline = new Timeline();
    private boolean done;

    private Simulation(final Workload workload, final SystemModel system, final ScalingPolicy policy) {
        this.workload = workload;
        this.system = system;
        this.policy = policy;
        this.cacheDraws = new Random(system.seed());
        this.memoryGb = system.intake().memoryMb() / 1024.0;
        this.intakeLimit = system.capacity().reservedConcurrency();
        this.phases = workload.phases();
        phases.forEach(phase -> waitsByPhase.add(new Samples()));
    }

    /** Runs {@code workload} through the system sized by {@code system} and scaled by {@code policy}. */
    public static PlanResult run(final Workload workload, final SystemModel system, final ScalingPolicy policy) {
        return new Simulation(workload, system, policy).run();
    }

    private PlanResult run() {
        createFleets();
        arrivals = workload.requests();
        scheduleNextArrival();
        events.at(Timeline.STEP_SECONDS, this::tick);
        double horizon = workload.duration() + system.drainLimit().toSeconds();
        while (!done && events.runNext(horizon)) {
            // each step runs one event
        }
        double end = done ? events.now() : horizon;
        events.advanceTo(end);
        return result(end);
    }

    /** One fleet per model of the workload, each with its own scaler; the engine is calibrated on their requests. */
    private void createFleets() {
        Map<String, double[]> workByModel = new LinkedHashMap<>();
        for (Iterator<Request> it = workload.requests(); it.hasNext();) {
            Request request = it.next();
            double[] sumAndCount = workByModel.computeIfAbsent(request.model(), model -> new double[2]);
            sumAndCount[0] += StepCost.calibrationWork(system.engine(), request);
            sumAndCount[1]++;
        }
        long fleetSeed = system.seed();
        for (Map.Entry<String, double[]> entry : workByModel.entrySet()) {
            double meanWork = entry.getValue()[0] / entry.getValue()[1];
            StepCost cost = StepCost.of(system.engine(), system.capacity().workerConcurrency(), meanWork,
                    new Random(++fleetSeed * 0x9E3779B97F4A7C15L));
            fleets.put(entry.getKey(), new FleetSim(entry.getKey(), this, events, system, cost,
                    policy.newScaler(system.capacity()), new Random(++fleetSeed * 0x9E3779B97F4A7C15L)));
        }
    }

    private void scheduleNextArrival() {
        if (arrivals.hasNext()) {
            Request request = arrivals.next();
            events.at(request.arrival(), () -> {
                arrive(request);
                scheduleNextArrival();
            });
        } else {
            arrivals = null;
        }
    }

    private void arrive(final Request request) {
        arrivalCount++;
        minuteArrivals++;
        // Drawn for every request, so the same requests hit the cache whatever else differs between two plans.
        boolean hit = cacheDraws.nextDouble() < system.cacheHitRate();
        if (intakeBusy >= intakeLimit) {
            throttled++;
            return;
        }
        if (hit) {
            cacheHits++;
            occupyIntake(system.intake().hitSeconds());
            return;
        }
        DirectLaneModel lane = system.direct();
        if (lane.enabled() && directBusy < lane.bulkhead()) {
            if (directBusy < lane.upstreamConcurrency()) {
                double seconds = lane.callSeconds(request.outputTokens());
                directBusy++;
                direct++;
                directInputTokens += request.promptTokens();
                directOutputTokens += request.outputTokens();
                occupyIntake(seconds);
                events.at(events.now() + seconds, () -> directBusy--);
                return;
            }
            upstream429++;
        }
        spill(request);
    }

    private void spill(final Request request) {
        FleetSim fleet = fleets.get(request.model());
        double now = events.now();
        JobSim job = new JobSim(request, now, fleet.cost.work(request));
        spilled++;
        minuteSpilled++;
        IntakeModel intake = system.intake();
        double budget = request.tier() == Tier.BATCH ? 0 : intake.waitBudget().toMillis() / 1000.0;
        double pollAfter = intake.pollAfter().toMillis() / 1000.0;
        double estimate = fleet.estimateSeconds(request.tier());
        takeIntake();
        if (budget > 0 && (intake.holdRule() == HoldRule.BUDGET || estimate <= budget)) {
            job.holding = true;
            events.at(now + budget, () -> {
                if (job.holding) {
                    job.holding = false;
                    heldThen202++;
                    releaseIntake(events.now() - job.acceptedAt);
                    job.answered202At = events.now();
                    job.firstPollAt = events.now() + pollAfter;
                }
            });
        } else {
            answered202++;
            events.at(now + intake.spillSeconds(), () -> releaseIntake(intake.spillSeconds()));
            if (budget > 0) {
                // batch-tier work is asynchronous (files, webhooks): nobody polls for it
                job.answered202At = now;
                job.firstPollAt = now + (intake.holdRule() == HoldRule.ETA ? Math.max(pollAfter, estimate)
                        : pollAfter);
            }
        }
        fleet.accept(job);
    }

    private void occupyIntake(final double seconds) {
        takeIntake();
        events.at(events.now() + seconds, () -> releaseIntake(seconds));
    }

    private void takeIntake() {
        intakeBusy++;
        lambdaInvocations++;
        intakePeak = Math.max(intakePeak, intakeBusy);
        intakePeakThisMinute = Math.max(intakePeakThisMinute, intakeBusy);
    }

    private void releaseIntake(final double seconds) {
        intakeBusy--;
        lambdaGbSeconds += seconds * memoryGb;
    }

    void jobFinished(final JobSim job) {
        double now = events.now();
        recordWait(job, job.startedAt - job.acceptedAt);
        long heartbeats = (long) ((now - job.startedAt) / 20);
        sqsRequests += 3 + heartbeats;
        dynamoWrites += 3 + heartbeats;
        if (job.holding) {
            job.holding = false;
            heldAnswered++;
            releaseIntake(now - job.acceptedAt);
        } else {
            countPolls(job, now);
        }
    }

    void jobExpired(final JobSim job) {
        expired++;
        recordWait(job, events.now() - job.acceptedAt);
        countPolls(job, events.now());
    }

    void scaled(final ScalingEvent event) {
        scalingEvents.add(event);
    }

    double jobDeadlineSeconds() {
        return system.jobDeadline().toSeconds();
    }

    /** A caller who got a 202 polls at its {@code Retry-After}, then every {@code pollAfter} until the job is done. */
    private void countPolls(final JobSim job, final double doneAt) {
        if (Double.isNaN(job.answered202At)) {
            return;
        }
        double pollAfter = system.intake().pollAfter().toMillis() / 1000.0;
        long count = doneAt <= job.firstPollAt ? 1 : 1 + (long) Math.ceil((doneAt - job.firstPollAt) / pollAfter);
        polls += count;
        lambdaInvocations += count;
        lambdaGbSeconds += count * system.intake().pollSeconds() * memoryGb;
    }

    private void recordWait(final JobSim job, final double wait) {
        int index = waits.size();
        waits.add(wait);
        if (index == waitMinutes.length) {
            waitMinutes = Arrays.copyOf(waitMinutes, index * 2);
        }
        waitMinutes[index] = (int) (job.acceptedAt / Timeline.STEP_SECONDS);
        waitsByTier.computeIfAbsent(job.request.tier(), tier -> new Samples()).add(wait);
        for (int i = 0; i < phases.size(); i++) {
            if (phases.get(i).contains(job.acceptedAt)) {
                waitsByPhase.get(i).add(wait);
                break;
            }
        }
    }

    private void tick() {
        int visible = 0;
        int inFlight = 0;
        int desired = 0;
        int serving = 0;
        int starting = 0;
        boolean quiescent = true;
        for (FleetSim fleet : fleets.values()) {
            fleet.tick(workload.duration());
            visible += fleet.visible();
            inFlight += fleet.inFlight();
            desired += fleet.desired();
            serving += fleet.serving();
            starting += fleet.starting();
            quiescent &= fleet.quiescent();
        }
        timeline.add(minuteArrivals, minuteSpilled, visible, inFlight, desired, serving, starting,
                intakePeakThisMinute);
        minuteArrivals = 0;
        minuteSpilled = 0;
        intakePeakThisMinute = intakeBusy;
        done = arrivals == null && events.now() >= workload.duration() && quiescent && intakeBusy == 0;
        if (!done) {
            events.at(events.now() + Timeline.STEP_SECONDS, this::tick);
        }
    }

    private PlanResult result(final double end) {
        for (FleetSim fleet : fleets.values()) {
            for (JobSim job : fleet.unfinished()) {
                unfinished++;
                recordWait(job, (Double.isNaN(job.startedAt) ? end : job.startedAt) - job.acceptedAt);
                countPolls(job, end);
            }
        }
        timeline.waits(waitMinutes, waits, waits.size());
        Map<Tier, WaitStats> byTier = new EnumMap<>(Tier.class);
        waitsByTier.forEach((tier, samples) -> byTier.put(tier, samples.stats()));
        Map<String, WaitStats> byPhase = new LinkedHashMap<>();
        for (int i = 0; i < phases.size(); i++) {
            byPhase.put(phases.get(i).name(), waitsByPhase.get(i).stats());
        }
        double gpuHours = 0;
        double busySeconds = 0;
        long finished = 0;
        long released = 0;
        int peakTasks = 0;
        int coldStarts = 0;
        int warmStarts = 0;
        int timesAtZero = 0;
        for (FleetSim fleet : fleets.values()) {
            for (InstanceSim instance : fleet.instances) {
                gpuHours += instance.hoursUntil(end);
            }
            busySeconds += fleet.busySeconds();
            finished += fleet.finished;
            released += fleet.released;
            peakTasks += fleet.peakTasks;
            coldStarts += fleet.coldStartCount;
            warmStarts += fleet.warmStartCount;
            timesAtZero += fleet.timesAtZero;
        }
        sqsRequests += 2 * released;
        Counts counts = new Counts(arrivalCount, throttled, cacheHits, direct, upstream429, spilled, heldAnswered,
                heldThen202, answered202, expired, released, unfinished, polls);
        Usage usage = new Usage(system.capacity().instanceType(), gpuHours, lambdaGbSeconds, lambdaInvocations,
                sqsRequests, dynamoWrites, polls, directInputTokens, directOutputTokens);
        return new PlanResult(workload.name(), policy.name(), counts, waits.stats(), byTier, byPhase, intakePeak,
                peakTasks, coldStarts, warmStarts, timesAtZero, usage, List.copyOf(scalingEvents), timeline, end,
                finished == 0 ? Double.NaN : busySeconds / finished);
    }
}
