package dev.spillway.functions.events;

import java.util.List;
import java.util.Optional;

import jakarta.inject.Named;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;

import dev.spillway.core.webhook.JobChangeNotifier;

/**
 * The jobs table's DynamoDB Streams event source ({@code QUARKUS_LAMBDA_HANDLER=notifier}): webhooks for jobs that
 * reached a final state. The first record that failed for a reason that may pass is reported, so Lambda retries the
 * shard from there; the records before it are done.
 */
@Named("notifier")
public class NotifierHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {

    private final JobChangeNotifier notifier;

    public NotifierHandler(JobChangeNotifier notifier) {
        this.notifier = notifier;
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        List<JobChangeNotifier.Change> changes = event == null || event.getRecords() == null ? List.of()
                : event.getRecords().stream().map(StreamImages::change).toList();
        Optional<String> failed = notifier.process(changes);
        return new StreamsEventResponse(failed
                .map(sequence -> List.of(new StreamsEventResponse.BatchItemFailure(sequence)))
                .orElse(List.of()));
    }
}
