package dev.spillway.functions.events;

import java.util.List;

import jakarta.inject.Named;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.spillway.core.ingest.IngestMessage;
import dev.spillway.core.ingest.IngestService;

/**
 * The SQS ingest queue's event source ({@code QUARKUS_LAMBDA_HANDLER=ingest}): each message becomes a job. Messages
 * that failed for a reason that may pass are reported as batch item failures, so SQS redelivers those only.
 */
@Named("ingest")
public class IngestHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final IngestService ingest;

    public IngestHandler(IngestService ingest) {
        this.ingest = ingest;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<IngestMessage> messages = event == null || event.getRecords() == null ? List.of()
                : event.getRecords().stream().map(m -> new IngestMessage(m.getMessageId(), m.getBody())).toList();
        List<SQSBatchResponse.BatchItemFailure> failures = ingest.process(messages).stream()
                .map(SQSBatchResponse.BatchItemFailure::new).toList();
        return new SQSBatchResponse(failures);
    }
}
