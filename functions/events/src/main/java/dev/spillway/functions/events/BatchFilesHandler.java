package dev.spillway.functions.events;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;

import dev.spillway.core.batch.files.BatchFileService;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * S3 {@code ObjectCreated} notifications on the files bucket: each batch input file becomes a batch
 * ({@link BatchFileService#ingest}). Every record is handled on its own and reported; a record that is not a batch
 * input, or is malformed, is reported and skipped. When a downstream failed for some record the invocation fails
 * after the others were handled, so Lambda delivers the event again: records already done are then no-ops.
 */
@Named("batch-files")
public class BatchFilesHandler implements RequestHandler<S3Event, BatchFilesHandler.Report> {

    private static final Logger LOG = Logger.getLogger(BatchFilesHandler.class);

    private final BatchFileService files;

    public BatchFilesHandler(BatchFileService files) {
        this.files = files;
    }

    /** What became of each record of the event, in order. */
    @RegisterForReflection
    public record Report(List<RecordReport> records) {
    }

    /**
     * @param outcome a {@link BatchFileService.Outcome}, {@code MALFORMED} for a record without bucket or key, or
     *        {@code FAILED} when a downstream failed (the event is then delivered again)
     */
    @RegisterForReflection
    public record RecordReport(String bucket, String key, String outcome, String batchId, int jobs, int rejected,
            String detail) {
    }

    @Override
    public Report handleRequest(S3Event event, Context context) {
        List<RecordReport> reports = new ArrayList<>();
        RuntimeException failure = null;
        List<S3EventNotificationRecord> records = event == null || event.getRecords() == null ? List.of()
                : event.getRecords();
        for (S3EventNotificationRecord record : records) {
            String bucket = null;
            String key = null;
            try {
                if (record == null || record.getS3() == null || record.getS3().getBucket() == null
                        || record.getS3().getObject() == null || record.getS3().getBucket().getName() == null
                        || record.getS3().getObject().getKey() == null) {
                    reports.add(new RecordReport(null, null, "MALFORMED", null, 0, 0, "no bucket or object key"));
                    continue;
                }
                bucket = record.getS3().getBucket().getName();
                key = record.getS3().getObject().getUrlDecodedKey();
                if (record.getEventName() == null || !record.getEventName().startsWith("ObjectCreated")) {
                    reports.add(new RecordReport(bucket, key, BatchFileService.Outcome.IGNORED.name(), null, 0, 0,
                            "not an ObjectCreated event: " + record.getEventName()));
                    continue;
                }
                BatchFileService.Ingest ingest = files.ingest(bucket, key, record.getS3().getObject().geteTag());
                reports.add(new RecordReport(bucket, key, ingest.outcome().name(), ingest.batchId(), ingest.jobs(),
                        ingest.rejected(), ingest.detail()));
            } catch (RuntimeException e) {
                LOG.errorf(e, "batch file s3://%s/%s not read; the event will be delivered again", bucket, key);
                reports.add(new RecordReport(bucket, key, "FAILED", null, 0, 0, e.toString()));
                failure = failure == null ? e : failure;
            }
        }
        LOG.infof("batch files: %s", reports);
        if (failure != null) {
            throw new IllegalStateException("some batch files were not read (" + reports + ")", failure);
        }
        return new Report(reports);
    }
}
