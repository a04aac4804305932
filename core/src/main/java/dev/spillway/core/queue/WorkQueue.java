package dev.spillway.core.queue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.core.job.Tier;

/** The tier queues that carry job ids from the intake to the workers. At-least-once, like SQS. */
public interface WorkQueue {

    void send(Tier tier, String jobId);

    /**
     * Sends many job ids to one tier; implementations merge them into as few calls as the queue allows.
     *
     * @return the failure of each job id that was not sent, by job id; empty when every one was
     */
    default Map<String, RuntimeException> sendAll(Tier tier, List<String> jobIds) {
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        for (String jobId : jobIds) {
            try {
                send(tier, jobId);
            } catch (RuntimeException e) {
                failures.put(jobId, e);
            }
        }
        return failures;
    }

    /** The tier queue's approximate message counts. */
    QueueDepth depth(Tier tier);

    /** Long-polls one tier for up to {@code wait}; received messages stay invisible for {@code visibility}. */
    List<QueuedMessage> receive(Tier tier, int max, Duration wait, Duration visibility);

    /** Messages the tier's queue gave up on after its maximum number of receives. */
    List<QueuedMessage> receiveDeadLetters(Tier tier, int max);

    void delete(QueuedMessage message);

    /** Makes the message invisible for {@code timeout} from now; zero hands it to the next poller at once. */
    void changeVisibility(QueuedMessage message, Duration timeout);
}
