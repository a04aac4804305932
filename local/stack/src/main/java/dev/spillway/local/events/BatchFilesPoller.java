package dev.spillway.local.events;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.spillway.core.batch.files.BatchFileKeys;
import dev.spillway.core.batch.files.BatchFileService;
import dev.spillway.core.batch.files.BatchFilesConfig;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The local stand-in for S3 event notifications: lists the input prefix of the files bucket every couple of seconds
 * (less often while nothing new arrives, up to {@code spillway.local.events.max-poll-interval}) and hands each new or
 * changed batch input to the same {@link BatchFileService} the Lambda handler uses.
 * Handing an object over twice is harmless (its batch id comes from its key and ETag), so a restart simply
 * looks at everything again. Runs only when {@code spillway.files.bucket} is configured.
 *
 * <p>The local S3 server keeps the bucket in a folder, so a user may drop a file straight into it. Such a file has
 * no ETag (S3 computes one only on upload): the poller uploads it once more through the S3 API, which gives it one,
 * and hands it over on the next look.
 */
@ApplicationScoped
@IfBuildProperty(name = "spillway.files.enabled", stringValue = "true")
public class BatchFilesPoller {

    private static final Logger LOG = Logger.getLogger(BatchFilesPoller.class);

    private final BatchFilesConfig config;
    private final BatchFileService files;
    /** Resolved only when batch files are on: without a bucket the S3 client may have nothing to connect to. */
    private final Instance<S3Client> s3;
    private final Duration interval;
    private final Duration longestInterval;
    /** ETag last handed over, by key. */
    private final Map<String, String> handed = new ConcurrentHashMap<>();
    /** Files dropped into the folder without an ETag that were uploaded again to get one. */
    private final Set<String> reuploaded = ConcurrentHashMap.newKeySet();
    private PollingLoop loop;

    public BatchFilesPoller(BatchFilesConfig config, BatchFileService files, Instance<S3Client> s3,
            @ConfigProperty(name = "spillway.files.poll-interval", defaultValue = "PT2S") Duration interval,
            LocalEventsConfig events) {
        this.config = config;
        this.files = files;
        this.s3 = s3;
        this.interval = interval;
        this.longestInterval = events.maxPollInterval().compareTo(interval) > 0 ? events.maxPollInterval() : interval;
    }

    void start(@Observes StartupEvent started) {
        if (config.bucket().isEmpty()) {
            return;
        }
        loop = PollingLoop.start("batch-files-poller", interval, longestInterval, this::poll);
        LOG.infof("batch files: drop OpenAI batch JSONL files under s3://%s/%s", config.bucket().get(),
                config.inputPrefix());
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (loop != null) {
            loop.close();
        }
    }

    /**
     * One look at the input prefix; an object that failed is looked at again next time.
     *
     * @return how many new or changed objects it found
     */
    int poll() {
        String bucket = config.bucket().get();
        int found = 0;
        for (S3Object object : s3.get().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(config.inputPrefix()))
                .contents()) {
            String etag = BatchFileKeys.etag(object.eTag());
            if (files.keys().parse(object.key()).isEmpty() || etag.equals(handed.get(object.key()))) {
                continue;
            }
            found++;
            // Once: on a filesystem without extended attributes even an upload leaves no ETag, and the file is
            // then taken in without one.
            if (etag.isEmpty() && reuploaded.add(object.key())) {
                uploadAgain(bucket, object.key());
                continue;
            }
            try {
                BatchFileService.Ingest ingest = files.ingest(bucket, object.key(), etag);
                LOG.infof("batch file %s: %s %s", object.key(), ingest.outcome(),
                        ingest.batchId() == null ? "" : ingest.batchId());
                if (ingest.outcome() != BatchFileService.Outcome.IN_PROGRESS) {
                    handed.put(object.key(), etag);
                }
            } catch (RuntimeException e) {
                LOG.warnf("batch file %s not read yet (tried again shortly): %s", object.key(), e.toString());
            }
        }
        return found;
    }

    /** A file dropped into the server's folder, put through the API so that it gets an ETag like any upload. */
    private void uploadAgain(String bucket, String key) {
        Path copy = null;
        try {
            copy = Files.createTempFile("spillway-dropped-", ".jsonl");
            try (InputStream in = s3.get().getObject(b -> b.bucket(bucket).key(key))) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            s3.get().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(copy));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("batch file %s dropped into the folder could not be taken in yet: %s", key, e.toString());
        } finally {
            if (copy != null) {
                copy.toFile().delete();
            }
        }
    }
}
