package dev.spillway.core.ingest;

/**
 * One message from the ingest queue, as any consumer (the Lambda event source, a poller) receives it.
 *
 * @param messageId the SQS message id
 * @param body the envelope JSON (see {@link IngestService})
 */
public record IngestMessage(String messageId, String body) {
}
