package dev.spillway.core.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.spillway.core.job.Job;
import dev.spillway.core.job.Tier;

/**
 * The queues that carry job ids from the intake to the workers: one per fleet ({@link Fleets}) and tier.
 * At-least-once, like SQS.
 */
public interface WorkQueue {

    void send(String fleet, Tier tier, String jobId);

    /**
     * Sends many job ids to one fleet's tier queue; implementations merge them into as few calls as the queue allows.
     *
     * @return the failure of each job id that was not sent, by job id; empty when every one was
     */
    default Map<String, RuntimeException> sendAll(String fleet, Tier tier, List<String> jobIds) {
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        for (String jobId : jobIds) {
            try {
                send(fleet, tier, jobId);
            } catch (RuntimeException e) {
                failures.put(jobId, e);
            }
        }
        return failures;
    }

    /**
     * Sends each job to its model's fleet, on its tier's queue: one {@link #sendAll} per queue.
     *
     * @return the failure of each job id that was not sent, by job id; empty when every one was
     */
    default Map<String, RuntimeException> sendJobs(Fleets fleets, List<Job> jobs) {
        Map<String, Map<Tier, List<String>>> byQueue = new TreeMap<>();
        for (Job job : jobs) {
            byQueue.computeIfAbsent(fleets.of(job.model()), fleet -> new TreeMap<>())
                    .computeIfAbsent(job.tier(), tier -> new ArrayList<>()).add(job.id());
        }
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        byQueue.forEach((fleet, tiers) -> tiers.forEach((tier, ids) -> failures.putAll(sendAll(fleet, tier, ids))));
        return failures;
    }

    /** The queue's approximate message counts. */
    QueueDepth depth(String fleet, Tier tier);

    /** Long-polls one queue for up to {@code wait}; received messages stay invisible for {@code visibility}. */
    List<QueuedMessage> receive(String fleet, Tier tier, int max, Duration wait, Duration visibility);

    /** Messages the queue gave up on after its maximum number of receives. */
    List<QueuedMessage> receiveDeadLetters(String fleet, Tier tier, int max);

    void delete(QueuedMessage message);

    /** Makes the message invisible for {@code timeout} from now; zero hands it to the next poller at once. */
    void changeVisibility(QueuedMessage message, Duration timeout);
}
