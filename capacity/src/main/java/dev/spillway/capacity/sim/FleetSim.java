package dev.spillway.capacity.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.policy.Decision;
import dev.spillway.capacity.policy.FleetMetrics;
import dev.spillway.capacity.policy.FleetScaler;
import dev.spillway.capacity.workload.Tier;

/**
 * One model's fleet: its tier queues, its tasks and their instances, and its scaling policy. Workers serve the
 * highest tier first, except that a tier not served for {@code tierStarvationLimit} goes first (aging).
 */
final class FleetSim {

    /** Step counts are compared with this slack: a job due now must not wait for rounding. */
    private static final double STEP_EPSILON = 1e-6;
    /** Weight of the newest job in the running mean of job times the ETA uses. */
    private static final double JOB_TIME_SMOOTHING = 0.1;

    final String model;
    private final Simulation simulation;
    private final Events events;
    private final CapacitySettings settings;
    private final FleetModel behaviour;
    final StepCost cost;
    final FleetScaler scaler;
    private final Random coldStarts;

    private final Map<Tier, ArrayDeque<JobSim>> queues = new EnumMap<>(Tier.class);
    private final double[] lastServed = new double[Tier.values().length];
    private final List<TaskSim> tasks = new ArrayList<>();
    final List<InstanceSim> instances = new ArrayList<>();
    private final ArrayDeque<FleetMetrics> lagging = new ArrayDeque<>();
    private int desired;
    private int inTransit;
    private int arrivalsThisPeriod;
    private double meanJobSeconds;
    private double stoppedBusySeconds;

    int coldStartCount;
    int warmStartCount;
    int timesAtZero;
    long released;
    long finished;
    int peakTasks;

    FleetSim(final String model, final Simulation simulation, final Events events, final SystemModel system,
             final StepCost cost, final FleetScaler scaler, final Random coldStarts) {
        this.model = model;
        this.simulation = simulation;
        this.events = events;
        this.settings = system.capacity();
        this.behaviour = system.fleet();
        this.cost = cost;
        this.scaler = scaler;
        this.coldStarts = coldStarts;
        this.meanJobSeconds = cost.fullBatchJobSeconds();
        for (Tier tier : Tier.values()) {
            queues.put(tier, new ArrayDeque<>());
        }
        // A fleet that starts with tasks has them warm: its instances were launched before the plan began.
        for (int i = 0; i < scaler.initialTasks(); i++) {
            InstanceSim instance = new InstanceSim(events.now(), events.now());
            TaskSim task = new TaskSim(events.now());
            task.instance = instance;
            instance.task = task;
            task.readyAt = events.now();
            task.state = TaskSim.State.SERVING;
            instances.add(instance);
            tasks.add(task);
        }
        desired = scaler.initialTasks();
        peakTasks = tasks.size();
    }

    /** A job the intake accepted: claimable once it has travelled through SQS. */
    void accept(final JobSim job) {
        arrivalsThisPeriod++;
        if (behaviour.dispatchSeconds() > 0) {
            inTransit++;
            events.at(events.now() + behaviour.dispatchSeconds(), () -> {
                inTransit--;
                enqueue(job);
            });
        } else {
            enqueue(job);
        }
    }

    private void enqueue(final JobSim job) {
        queues.get(job.request.tier()).addLast(job);
        dispatch();
    }

    /** Hands queued jobs to serving tasks with free slots, the least loaded task first. */
    private void dispatch() {
        while (true) {
            TaskSim task = freestServingTask();
            if (task == null) {
                return;
            }
            JobSim job = nextJob();
            if (job == null) {
                return;
            }
            start(task, job);
        }
    }

    private TaskSim freestServingTask() {
        TaskSim freest = null;
        for (TaskSim task : tasks) {
            if (task.state == TaskSim.State.SERVING && task.running.size() < settings.workerConcurrency()
                    && (freest == null || task.running.size() < freest.running.size())) {
                freest = task;
            }
        }
        return freest;
    }

    private JobSim nextJob() {
        double now = events.now();
        double starvation = behaviour.tierStarvationLimit().toMillis() / 1000.0;
        Tier chosen = null;
        for (Tier tier : Tier.values()) {
            if (tier != Tier.INTERACTIVE && !queues.get(tier).isEmpty()
                    && now - lastServed[tier.ordinal()] >= starvation) {
                chosen = tier;
                break;
            }
        }
        if (chosen == null) {
            for (Tier tier : Tier.values()) {
                if (!queues.get(tier).isEmpty()) {
                    chosen = tier;
                    break;
                }
            }
        }
        if (chosen == null) {
            return null;
        }
        lastServed[chosen.ordinal()] = now;
        return queues.get(chosen).pollFirst();
    }

    private void start(final TaskSim task, final JobSim job) {
        task.advance(events.now(), cost);
        job.startedAt = events.now();
        job.finishMark = task.steps() + job.work;
        task.running.add(job);
        reschedule(task);
    }

    private void reschedule(final TaskSim task) {
        long version = ++task.version;
        double until = task.untilNextCompletion(cost);
        if (!Double.isNaN(until)) {
            events.at(events.now() + until, () -> {
                if (task.version == version) {
                    complete(task);
                }
            });
        }
    }

    private void complete(final TaskSim task) {
        double now = events.now();
        task.advance(now, cost);
        for (Iterator<JobSim> it = task.running.iterator(); it.hasNext();) {
            JobSim job = it.next();
            if (job.finishMark <= task.steps() + STEP_EPSILON) {
                it.remove();
                finished++;
                meanJobSeconds += JOB_TIME_SMOOTHING * ((now - job.startedAt) - meanJobSeconds);
                simulation.jobFinished(job);
            }
        }
        if (task.state == TaskSim.State.DRAINING && task.running.isEmpty()) {
            stop(task);
            return;
        }
        dispatch();
        reschedule(task);
    }

    /**
     * The intake's estimate of how long a job of {@code tier} would take to finish if queued now: the backlog at its
     * tier and above drained at the fleet's rate, plus its own run, plus the rest of a start when nothing serves.
     */
    double estimateSeconds(final Tier tier) {
        int ahead = 0;
        for (Tier t : Tier.values()) {
            if (t.ordinal() <= tier.ordinal()) {
                ahead += queues.get(t).size();
            }
        }
        double perTask = settings.workerConcurrency() / meanJobSeconds;
        int serving = 0;
        double firstReady = Double.POSITIVE_INFINITY;
        for (TaskSim task : tasks) {
            if (task.state == TaskSim.State.SERVING) {
                serving++;
            } else if (task.state == TaskSim.State.STARTING) {
                firstReady = Math.min(firstReady, task.readyAt);
            }
        }
        if (serving > 0) {
            return ahead / (serving * perTask) + meanJobSeconds;
        }
        double startIn = firstReady < Double.POSITIVE_INFINITY ? firstReady - events.now()
                // nothing starting: the scaler's next period, then a cold start
                : Timeline.STEP_SECONDS + settings.coldStartMax().toSeconds();
        return startIn + ahead / perTask + meanJobSeconds;
    }

    /** Once per metric period: the reaper, then the scaling policy on metrics as late as CloudWatch has them. */
    void tick(final double workloadEnd) {
        double now = events.now();
        expireOverdue(now);
        lagging.addLast(new FleetMetrics(now, desired, visible(), weightedVisible(), inFlight(), runningTasks(),
                arrivalsThisPeriod));
        arrivalsThisPeriod = 0;
        if (lagging.size() <= behaviour.metricLagMinutes()) {
            return;
        }
        FleetMetrics seen = lagging.removeFirst();
        Decision decision = scaler.decide(new FleetMetrics(now, desired, seen.visible(), seen.weightedVisible(),
                seen.inFlight(), seen.runningTasks(), seen.arrivals()));
        if (decision.desired() != desired) {
            simulation.scaled(new ScalingEvent(now, model, desired, decision.desired(), decision.reason()));
            if (decision.desired() == 0 && now < workloadEnd) {
                timesAtZero++;
            }
            desired = decision.desired();
            reconcile();
        }
    }

    private void expireOverdue(final double now) {
        double deadline = simulation.jobDeadlineSeconds();
        for (ArrayDeque<JobSim> queue : queues.values()) {
            // Released jobs go back to the front, so the queue stays in acceptance order and the oldest are first.
            while (!queue.isEmpty() && now - queue.peekFirst().acceptedAt >= deadline) {
                simulation.jobExpired(queue.pollFirst());
            }
        }
    }

    /** Starts or stops tasks until as many are up as desired. */
    private void reconcile() {
        List<TaskSim> up = new ArrayList<>();
        for (TaskSim task : tasks) {
            if (task.isUp()) {
                up.add(task);
            }
        }
        for (int i = up.size(); i < desired; i++) {
            launch();
        }
        // ECS stops tasks that have not started before running ones; among equals, the newest.
        up.sort((a, b) -> {
            int byState = Integer.compare(a.state.ordinal(), b.state.ordinal());
            return byState != 0 ? byState : Double.compare(b.launchedAt, a.launchedAt);
        });
        for (int i = 0; i < up.size() - desired; i++) {
            TaskSim task = up.get(i);
            if (task.state == TaskSim.State.SERVING) {
                drain(task);
            } else {
                stop(task);
            }
        }
        peakTasks = Math.max(peakTasks, tasks.size());
    }

    private void launch() {
        TaskSim task = new TaskSim(events.now());
        tasks.add(task);
        place(task);
    }

    /** Puts a task on an idle instance (a warm start), else on a new one (a cold start), else leaves it pending. */
    private void place(final TaskSim task) {
        double now = events.now();
        InstanceSim instance = null;
        for (InstanceSim candidate : instances) {
            if (candidate.idle()) {
                instance = candidate;
                break;
            }
        }
        if (instance != null) {
            warmStartCount++;
            task.readyAt = Math.max(now + behaviour.warmStart().toSeconds(), instance.bootedAt);
        } else if (instances.stream().filter(InstanceSim::alive).count() < settings.maxTasks()) {
            coldStartCount++;
            double min = settings.coldStartMin().toMillis() / 1000.0;
            double max = settings.coldStartMax().toMillis() / 1000.0;
            double coldStart = min + (max - min) * coldStarts.nextDouble();
            instance = new InstanceSim(now, now + coldStart);
            instances.add(instance);
            task.readyAt = now + coldStart;
        } else {
            task.state = TaskSim.State.PENDING;
            return;
        }
        task.instance = instance;
        instance.task = task;
        task.state = TaskSim.State.STARTING;
        events.at(task.readyAt, () -> {
            if (task.state == TaskSim.State.STARTING) {
                task.state = TaskSim.State.SERVING;
                dispatch();
            }
        });
    }

    /** A serving task asked to stop: it takes nothing new and has {@code drainGrace} to finish what it runs. */
    private void drain(final TaskSim task) {
        task.state = TaskSim.State.DRAINING;
        if (task.running.isEmpty()) {
            stop(task);
            return;
        }
        events.at(events.now() + behaviour.drainGrace().toMillis() / 1000.0, () -> {
            if (task.state != TaskSim.State.DRAINING) {
                return;
            }
            task.advance(events.now(), cost);
            for (int i = task.running.size() - 1; i >= 0; i--) {
                JobSim job = task.running.get(i);
                job.startedAt = Double.NaN;
                queues.get(job.request.tier()).addFirst(job);
                released++;
            }
            task.running.clear();
            stop(task);
            dispatch();
        });
    }

    private void stop(final TaskSim task) {
        double now = events.now();
        task.advance(now, cost);
        task.state = TaskSim.State.STOPPED;
        task.version++;
        stoppedBusySeconds += task.busySeconds;
        tasks.remove(task);
        InstanceSim instance = task.instance;
        if (instance == null) {
            return;
        }
        instance.task = null;
        instance.idleSince = now;
        for (TaskSim pending : tasks) {
            if (pending.state == TaskSim.State.PENDING) {
                place(pending);
                return;
            }
        }
        events.at(now + behaviour.instanceLinger().toMillis() / 1000.0, () -> {
            if (instance.idle() && instance.idleSince == now) {
                instance.terminatedAt = events.now();
            }
        });
    }

    int visible() {
        int count = 0;
        for (ArrayDeque<JobSim> queue : queues.values()) {
            count += queue.size();
        }
        return count;
    }

    double weightedVisible() {
        double weighted = 0;
        for (Map.Entry<Tier, ArrayDeque<JobSim>> queue : queues.entrySet()) {
            weighted += queue.getKey().scalingWeight() * queue.getValue().size();
        }
        return weighted;
    }

    int inFlight() {
        int count = 0;
        for (TaskSim task : tasks) {
            count += task.running.size();
        }
        return count;
    }

    /** Tasks whose containers run: serving or draining. */
    int runningTasks() {
        return count(TaskSim.State.SERVING) + count(TaskSim.State.DRAINING);
    }

    int serving() {
        return count(TaskSim.State.SERVING);
    }

    int starting() {
        return count(TaskSim.State.STARTING) + count(TaskSim.State.PENDING);
    }

    int desired() {
        return desired;
    }

    private int count(final TaskSim.State state) {
        int count = 0;
        for (TaskSim task : tasks) {
            if (task.state == state) {
                count++;
            }
        }
        return count;
    }

    /** Nothing queued, travelling or running, and (for a fleet that scales) no task nor instance left. */
    boolean quiescent() {
        if (visible() > 0 || inTransit > 0 || inFlight() > 0) {
            return false;
        }
        if (scaler.initialTasks() > 0) {
            return true;
        }
        return tasks.isEmpty() && instances.stream().noneMatch(InstanceSim::alive);
    }

    /** The jobs still queued or running, for the end of the simulation. */
    List<JobSim> unfinished() {
        List<JobSim> jobs = new ArrayList<>();
        queues.values().forEach(jobs::addAll);
        tasks.forEach(task -> jobs.addAll(task.running));
        return jobs;
    }

    /** Task time with at least one job running, up to now. */
    double busySeconds() {
        double busy = stoppedBusySeconds;
        for (TaskSim task : tasks) {
            task.advance(events.now(), cost);
            busy += task.busySeconds;
        }
        return busy;
    }
}
