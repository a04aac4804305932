package dev.spillway.core.webhook;

import java.util.Map;
import java.util.Optional;

import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.dynamo.DynamoJobStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Which jobs-table stream records call for a webhook: a job with a callback URL moving INTO a final state (old image
 * absent or not final, new image final). Everything else, including the notifier's own writes to a final job, is
 * skipped.
 */
public final class FinalTransitions {

    private FinalTransitions() {
    }

    /**
     * @return the id of the job to notify, or empty when the record does not call for a webhook
     * @throws IllegalArgumentException when the new image is not a job (no id, unknown status)
     */
    public static Optional<String> jobToNotify(Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage) {
        if (newImage == null || newImage.isEmpty()) {
            return Optional.empty(); // a removal (TTL, withdraw)
        }
        String id = string(newImage, DynamoJobStore.ID);
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("stream record without a job id");
        }
        JobStatus now = status(newImage);
        if (now == null) {
            throw new IllegalArgumentException("stream record of job " + id + " without a valid status");
        }
        if (!now.isFinal() || string(newImage, DynamoJobStore.CALLBACK_URL) == null) {
            return Optional.empty();
        }
        JobStatus before = oldImage == null || oldImage.isEmpty() ? null : status(oldImage);
        return before != null && before.isFinal() ? Optional.empty() : Optional.of(id);
    }

    private static JobStatus status(Map<String, AttributeValue> image) {
        String status = string(image, "status");
        if (status == null) {
            return null;
        }
        try {
            return JobStatus.valueOf(status);
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static String string(Map<String, AttributeValue> image, String name) {
        AttributeValue value = image.get(name);
        return value == null ? null : value.s();
    }
}
