package dev.spillway.core.queue;

import java.time.Duration;
import java.util.List;

import dev.spillway.core.job.Tier;

/** The tier queues that carry job ids from the intake to the workers. At-least-once, like SQS. */
public interface WorkQueue {

    void send(Tier tier, String jobId);

    /** Long-polls one tier for up to {@code wait}; received messages stay invisible for {@code visibility}. */
    List<QueuedMessage> receive(Tier tier, int max, Duration wait, Duration visibility);

    /** Messages the tier's queue gave up on after its maximum number of receives. */
    List<QueuedMessage> receiveDeadLetters(Tier tier, int max);

    void delete(QueuedMessage message);

    /** Makes the message invisible for {@code timeout} from now; zero hands it to the next poller at once. */
    void changeVisibility(QueuedMessage message, Duration timeout);
}
