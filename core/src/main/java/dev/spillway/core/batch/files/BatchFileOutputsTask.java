package dev.spillway.core.batch.files;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.schedule.ScheduledTask;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * On every scheduler tick, writes the result files of the file batches that have ended, and carries on reading
 * any whose reader died. Only the open file batches are visited (one item lists them), never the whole table.
 * Late, repeated or concurrent runs are safe: each batch's result files are claimed on its record and linked
 * once. Does nothing when batch files are off ({@code spillway.files.bucket} unset).
 */
@ApplicationScoped
@IfBuildProperty(name = "spillway.files.enabled", stringValue = "true")
public class BatchFileOutputsTask implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(BatchFileOutputsTask.class);

    private final BatchFilesConfig config;
    private final FileBatchStore fileBatches;
    private final BatchFileService files;

    public BatchFileOutputsTask(BatchFilesConfig config, FileBatchStore fileBatches, BatchFileService files) {
        this.config = config;
        this.fileBatches = fileBatches;
        this.files = files;
    }

    @Override
    public String name() {
        return "batch-file-outputs";
    }

    @Override
    public void run(Instant now) {
        if (config.bucket().isEmpty()) {
            return;
        }
        RuntimeException first = null;
        int failed = 0;
        for (String batchId : fileBatches.openIds()) {
            try {
                files.finish(batchId);
            } catch (RuntimeException e) {
                // One batch's trouble (a downstream hiccup) must not hold back the others; the next tick retries.
                LOG.warnf("result files of batch %s not written this time: %s", batchId, e.toString());
                failed++;
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw new IllegalStateException(failed + " file batches could not be finished", first);
        }
    }
}
