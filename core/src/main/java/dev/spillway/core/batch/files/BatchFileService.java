package dev.spillway.core.batch.files;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.admission.RequestChecks;
import dev.spillway.core.api.ApiError;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.AuthConfig;
import dev.spillway.core.batch.Batch;
import dev.spillway.core.batch.BatchRequestParser;
import dev.spillway.core.batch.BatchRequestParser.ParsedLine;
import dev.spillway.core.batch.BatchResultLine;
import dev.spillway.core.batch.BatchService;
import dev.spillway.core.batch.BatchSnapshot;
import dev.spillway.core.batch.BatchStore;
import dev.spillway.core.batch.FileSource;
import dev.spillway.core.cache.CacheKeys;
import dev.spillway.core.cache.ResultCache;
import dev.spillway.core.config.BatchesConfig;
import dev.spillway.core.config.IntakeConfig;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.job.BatchLine;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.webhook.CallbackUrls;
import dev.spillway.core.webhook.RefusedCallback;
import io.quarkus.arc.properties.IfBuildProperty;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Batch files on S3: an OpenAI batch input file (JSON Lines of {@code custom_id, method, url, body}) dropped under
 * the input prefix becomes a batch whose valid lines run as jobs on the batch tier; when the batch ends its output
 * and error files are written next to the input, and linked from the batch record.
 *
 * <p><b>Tenant.</b> With authentication on, the first key segment under the input prefix names the tenant
 * ({@code <input-prefix><tenant>/<name>.jsonl}); it must own an API key that is not revoked, and a line may use
 * only models one of those keys allows. Writing under a tenant's segment is itself the authorisation (bucket
 * policy / IAM per prefix). With authentication off every file belongs to the default tenant, as every API call
 * does.
 *
 * <p><b>Streaming.</b> The object is read line by line from its stream; jobs are stored
 * ({@link JobStore#createAll}) and queued ({@link WorkQueue#sendJobs}) a chunk at a time, and the lines that
 * never become jobs are streamed to a working object. Memory is bounded by one chunk, whatever the file's size.
 *
 * <p><b>Idempotency.</b> The batch id is derived from bucket, key and ETag, and each job id from the batch id and
 * line number, so every delivery of one upload names the same batch and jobs. One reader at a time holds a lease
 * on the batch record; before writing a chunk it records the chunk's last line ({@code ingestWriting}), after
 * queueing it the checkpoint ({@code ingestCheckpoint}). A reader that takes over (a retried delivery, a replayed
 * event, the outputs task) reads the file again from the start, writes nothing for lines up to the checkpoint,
 * stores only the missing jobs of lines up to the recorded writing mark (and queues them all again: a worker
 * ignores a message for a job that is no longer queued), and carries on. A batch already accepted is left alone.
 */
@ApplicationScoped
@IfBuildProperty(name = "spillway.files.enabled", stringValue = "true")
public class BatchFileService {

    private static final Logger LOG = Logger.getLogger(BatchFileService.class);
    private static final Duration COMPLETION_WINDOW = Duration.ofHours(24);
    /**
     * User metadata of an input object ({@code x-amz-meta-spillway-callback-url}) naming where to POST the batch
     * object once the batch is final and its result files are written; checked like {@code Spillway-Callback-Url}.
     */
    public static final String CALLBACK_METADATA = "spillway-callback-url";
    /** Room for the line's own fields around its body. */
    private static final int LINE_OVERHEAD_BYTES = 8 * 1024;

    private final BatchFilesConfig config;
    private final BatchesConfig batchesConfig;
    private final IntakeConfig intake;
    private final AuthConfig auth;
    private final ApiKeyStore keys;
    private final BatchRequestParser parser;
    private final BatchStore batches;
    private final FileBatchStore fileBatches;
    private final BatchService batchService;
    private final JobStore jobs;
    private final WorkQueue queue;
    private final Fleets fleets;
    private final ResultCache cache;
    private final S3Client s3;
    private final ObjectMapper json;
    private final Clock clock;
    private final CallbackUrls callbackUrls;
    private final Event<BatchFileProgress> progress;
    private final BatchFileKeys keyLayout;

    public BatchFileService(BatchFilesConfig config, BatchesConfig batchesConfig, IntakeConfig intake,
            ModelsConfig models, AuthConfig auth, ApiKeyStore keys, BatchStore batches, FileBatchStore fileBatches,
            BatchService batchService, JobStore jobs, WorkQueue queue, Fleets fleets, ResultCache cache, S3Client s3,
            ObjectMapper json, Clock clock, Event<BatchFileProgress> progress, CallbackUrls callbackUrls) {
        this.config = config;
        this.batchesConfig = batchesConfig;
        this.intake = intake;
        this.auth = auth;
        this.keys = keys;
        // Each line is parsed alone, so the parser's own request count limit does not apply here.
        this.parser = new BatchRequestParser(
                RequestChecks.parserFor(models, intake.maxTokensLimit()),
                Integer.MAX_VALUE, intake.maxBodyBytes());
        this.batches = batches;
        this.fileBatches = fileBatches;
        this.batchService = batchService;
        this.jobs = jobs;
        this.queue = queue;
        this.fleets = fleets;
        this.cache = cache;
        this.s3 = s3;
        this.json = json;
        this.clock = clock;
        this.callbackUrls = callbackUrls;
        this.progress = progress;
        this.keyLayout = new BatchFileKeys(config.inputPrefix(), config.workPrefix(), auth.enabled());
    }

    /** The key layout in use. */
    public BatchFileKeys keys() {
        return keyLayout;
    }

    /** What became of one input object. */
    public enum Outcome {
        /** Read whole: the batch is accepted and its jobs queued (by this call). */
        ACCEPTED,
        /** An earlier delivery already made the batch; nothing was done. */
        ALREADY_ACCEPTED,
        /** Another reader holds the batch's input; it (or, if it dies, the outputs task) finishes it. */
        IN_PROGRESS,
        /** Not a batch input (another prefix or bucket, a result file, no tenant segment). */
        IGNORED,
        /** A batch input refused whole (unknown tenant, too large); an error file says why. */
        REFUSED,
        /** The object changed or vanished since the event; the event of the newer upload covers it. */
        SUPERSEDED,
        /** Its reading was interrupted for longer than a batch may take to create; it reports itself failed. */
        ABANDONED
    }

    public record Ingest(Outcome outcome, String batchId, int jobs, int rejected, String detail) {

        static Ingest of(Outcome outcome, String batchId, String detail) {
            return new Ingest(outcome, batchId, 0, 0, detail);
        }
    }

    /**
     * Turns the object {@code key} of {@code bucket}, as uploaded with {@code etag}, into a batch, or carries on
     * with it. Safe to call any number of times, concurrently, and after a crash half-way.
     *
     * @throws RuntimeException when a downstream (S3, DynamoDB, SQS) failed: call again; nothing is lost or doubled
     */
    public Ingest ingest(String bucket, String key, String etag) {
        if (config.bucket().isEmpty() || !config.bucket().get().equals(bucket)) {
            return Ingest.of(Outcome.IGNORED, null, "not the files bucket");
        }
        Optional<BatchFileKeys.InputKey> input = keyLayout.parse(key);
        if (input.isEmpty()) {
            return Ingest.of(Outcome.IGNORED, null, "not a batch input key");
        }
        String version = BatchFileKeys.etag(etag);
        String batchId = BatchFileKeys.batchId(bucket, key, version);
        Optional<Batch> existing = batches.find(batchId);
        if (existing.isPresent()) {
            return carryOn(existing.get());
        }
        String tenant = input.get().tenant() == null ? intake.defaultTenant() : input.get().tenant();
        if (auth.enabled() && activeKeys(tenant).isEmpty()) {
            refuse(bucket, key, "unknown_tenant", "The key's tenant segment '" + tenant
                    + "' names no tenant with an active API key; nothing of the file was run.");
            return Ingest.of(Outcome.REFUSED, null, "unknown tenant " + tenant);
        }
        long size;
        String callbackUrl;
        try {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            if (!BatchFileKeys.etag(head.eTag()).equals(version)) {
                return Ingest.of(Outcome.SUPERSEDED, null, "the object was replaced since the event");
            }
            size = head.contentLength();
            callbackUrl = head.metadata().get(CALLBACK_METADATA);
        } catch (NoSuchKeyException gone) {
            return Ingest.of(Outcome.SUPERSEDED, null, "the object no longer exists");
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return Ingest.of(Outcome.SUPERSEDED, null, "the object no longer exists");
            }
            throw e;
        }
        if (size > config.maxBytes()) {
            refuse(bucket, key, "file_too_large", "The file is " + size + " bytes; the limit is " + config.maxBytes()
                    + ". Nothing of it was run; split it into smaller files.");
            return Ingest.of(Outcome.REFUSED, null, "too large: " + size + " bytes");
        }
        if (callbackUrl != null) {
            try {
                callbackUrl = callbackUrls.check(callbackUrl).uri().toString();
            } catch (RefusedCallback refused) {
                refuse(bucket, key, refused.code(), "The object's x-amz-meta-" + CALLBACK_METADATA + " was refused: "
                        + refused.getMessage() + " Nothing of the file was run.");
                return Ingest.of(Outcome.REFUSED, null, "callback refused: " + refused.code());
            }
        }
        Instant now = clock.instant();
        Batch batch = new Batch(batchId, tenant, BatchRequestParser.CHAT_COMPLETIONS, BatchRequestParser.COMPLETION_WINDOW,
                Map.of(), 0, now, now.plus(COMPLETION_WINDOW), null, null,
                new FileSource(bucket, key, version, 0, null, null, null)).withCallbackUrl(callbackUrl);
        if (!fileBatches.create(batch)) {
            return carryOn(batches.find(batchId).orElseThrow());
        }
        LOG.infof("batch %s created from s3://%s/%s for tenant %s", batchId, bucket, key, tenant);
        return read(batch);
    }

    /** Resumes reading the input of a batch that is not accepted yet (the outputs task, for an interrupted read). */
    public Ingest resume(String batchId) {
        return batches.find(batchId).map(this::carryOn)
                .orElseGet(() -> Ingest.of(Outcome.IGNORED, batchId, "no such batch"));
    }

    private Ingest carryOn(Batch batch) {
        if (batch.accepted() != null) {
            return new Ingest(Outcome.ALREADY_ACCEPTED, batch.id(), batch.total(), batch.file().rejected(), null);
        }
        return read(batch);
    }

    private Ingest read(Batch batch) {
        Instant now = clock.instant();
        if (!now.isBefore(batch.created().plus(BatchSnapshot.CREATION_GRACE))) {
            return Ingest.of(Outcome.ABANDONED, batch.id(), "interrupted for longer than "
                    + BatchSnapshot.CREATION_GRACE);
        }
        String owner = UUID.randomUUID().toString();
        Optional<FileBatchStore.IngestState> state = fileBatches.acquireIngest(batch.id(), owner, now,
                now.plus(config.ingestLease()));
        if (state.isEmpty()) {
            return batches.find(batch.id()).filter(found -> found.accepted() != null)
                    .map(found -> new Ingest(Outcome.ALREADY_ACCEPTED, found.id(), found.total(),
                            found.file().rejected(), null))
                    .orElseGet(() -> Ingest.of(Outcome.IN_PROGRESS, batch.id(), "another reader holds it"));
        }
        FileSource file = batch.file();
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(file.bucket())
                .key(file.inputKey()))) {
            if (!BatchFileKeys.etag(in.response().eTag()).equals(file.version())) {
                in.abort();
                return Ingest.of(Outcome.SUPERSEDED, batch.id(), "the object was replaced while being read");
            }
            return new Reading(batch, owner, state.get(), in.response().contentLength()).run(new LineReader(in,
                    intake.maxBodyBytes() + LINE_OVERHEAD_BYTES));
        } catch (NoSuchKeyException gone) {
            release(batch.id(), owner);
            return Ingest.of(Outcome.SUPERSEDED, batch.id(), "the object no longer exists");
        } catch (IOException e) {
            release(batch.id(), owner);
            throw new UncheckedIOException("reading s3://" + file.bucket() + "/" + file.inputKey(), e);
        } catch (RuntimeException e) {
            // A failure this process saw: the next delivery may carry on at once. A reader that dies outright
            // keeps its lease until it lapses.
            release(batch.id(), owner);
            throw e;
        }
    }

    private void release(String batchId, String owner) {
        try {
            fileBatches.releaseIngest(batchId, owner);
        } catch (RuntimeException e) {
            LOG.debugf("lease on batch %s not released (it lapses): %s", batchId, e.toString());
        }
    }

    /** One pass over an input file by the holder of its lease. */
    private final class Reading {

        private final Batch batch;
        private final String owner;
        private final FileBatchStore.IngestState state;
        private final long objectBytes;
        private final Predicate<String> modelAllowed;
        private final Set<String> customIds = new HashSet<>();
        private final List<Job> chunk = new ArrayList<>();
        private final S3UploadStream rejectedOut;
        private long chunkBytes;
        private int accepted;
        private int rejected;
        private LineReader reader;

        Reading(Batch batch, String owner, FileBatchStore.IngestState state, long objectBytes) {
            this.batch = batch;
            this.owner = owner;
            this.state = state;
            this.objectBytes = objectBytes;
            this.modelAllowed = modelsOf(batch.tenant());
            this.rejectedOut = new S3UploadStream(s3, batch.file().bucket(), keyLayout.rejectedKey(batch.id()),
                    config.partSize());
        }

        Ingest run(LineReader lines) throws IOException {
            this.reader = lines;
            boolean done = false;
            try {
                for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                    if (!line.isBlank()) {
                        take(line);
                    }
                }
                flush();
                rejectedOut.close();
                done = true;
            } finally {
                if (!done) {
                    rejectedOut.abort();
                }
            }
            fileBatches.markAccepted(batch.id(), owner, accepted, rejected, clock.instant());
            LOG.infof("batch %s accepted: %d jobs queued, %d lines rejected", batch.id(), accepted, rejected);
            return new Ingest(Outcome.ACCEPTED, batch.id(), accepted, rejected, null);
        }

        private void take(LineReader.Line line) throws IOException {
            long number = line.number();
            int index = Math.toIntExact(number - 1);
            if (accepted + rejected >= batchesConfig.maxRequests()) {
                reject(number, null, "too_many_requests_in_batch", null,
                        "A batch may hold at most " + batchesConfig.maxRequests() + " requests; this line was not read.");
                return;
            }
            if (line.tooLong()) {
                reject(number, null, "request_too_large", null, "The line is longer than "
                        + (intake.maxBodyBytes() + LINE_OVERHEAD_BYTES) + " bytes.");
                return;
            }
            ParsedLine parsed;
            try {
                parsed = parser.parseLine(line.bytes(), index);
            } catch (ApiException e) {
                ApiError.Detail detail = e.toBody().error();
                reject(number, customIdOf(line.bytes()), detail.code(), detail.param(), detail.message());
                return;
            }
            if (!customIds.add(parsed.customId())) {
                reject(number, parsed.customId(), "duplicate_custom_id", "custom_id", "custom_id '"
                        + parsed.customId() + "' is used by an earlier line; each must be unique.");
                return;
            }
            String model = parsed.request().model();
            if (!modelAllowed.test(model)) {
                reject(number, parsed.customId(), "model_not_allowed", "body.model",
                        "No API key of this tenant may use the model `" + model + "`.");
                return;
            }
            accepted++;
            if (number <= state.checkpoint()) {
                return; // stored and queued by an earlier reader
            }
            String cacheKey = cache.enabled() && parsed.request().isDeterministic()
                    ? CacheKeys.of(batch.tenant(), parsed.request()) : null;
            chunk.add(Job.queued(BatchFileKeys.jobId(batch.id(), number), batch.tenant(), Tier.BATCH,
                    parsed.request(), cacheKey, batch.created(), batch.deadline())
                    .withBatchLine(new BatchLine(batch.id(), parsed.customId(), index)));
            chunkBytes += line.bytes().length;
            if (chunk.size() >= config.chunkSize() || chunkBytes >= config.chunkBytes()) {
                flush();
            }
        }

        private void reject(long number, String customId, String code, String param, String message)
                throws IOException {
            rejected++;
            RejectedLine line = new RejectedLine("batch_req_" + BatchFileKeys.jobId(batch.id(), number).substring(4),
                    customId, null, new RejectedLine.Error(code, message, param, number));
            rejectedOut.write((number + " ").getBytes(StandardCharsets.US_ASCII));
            rejectedOut.write(json.writeValueAsBytes(line));
            rejectedOut.write('\n');
        }

        /** Stores and queues the chunk, then checkpoints it. */
        private void flush() {
            if (chunk.isEmpty()) {
                return;
            }
            long last = chunk.get(chunk.size() - 1).batchLine().index() + 1L;
            Instant now = clock.instant();
            List<Job> toStore = chunk;
            if (chunk.get(0).batchLine().index() + 1L <= state.writing()) {
                // An earlier reader may have stored some of these: store only the missing ones, so none is reset.
                toStore = chunk.stream().filter(job -> jobs.find(job.id()).isEmpty()).toList();
            }
            fileBatches.markWriting(batch.id(), owner, last, now.plus(config.ingestLease()));
            Map<String, RuntimeException> notStored = toStore.isEmpty() ? Map.of() : jobs.createAll(toStore);
            if (!notStored.isEmpty()) {
                throw notStored.values().iterator().next();
            }
            progress.fire(new BatchFileProgress(batch.id(), BatchFileProgress.Step.STORED, last, chunk.size(),
                    reader.bytesRead(), objectBytes));
            Map<String, RuntimeException> notSent = queue.sendJobs(fleets, chunk);
            if (!notSent.isEmpty()) {
                throw notSent.values().iterator().next();
            }
            fileBatches.checkpoint(batch.id(), owner, last, accepted, clock.instant().plus(config.ingestLease()));
            progress.fire(new BatchFileProgress(batch.id(), BatchFileProgress.Step.CHECKPOINTED, last, chunk.size(),
                    reader.bytesRead(), objectBytes));
            chunk.clear();
            chunkBytes = 0;
        }
    }

    /** The {@code custom_id} of a line that failed validation, when it can be read at all. */
    private String customIdOf(byte[] line) {
        try {
            JsonNode node = json.readTree(line);
            JsonNode customId = node == null ? null : node.get("custom_id");
            return customId != null && customId.isTextual() ? customId.textValue() : null;
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    private List<ApiKey> activeKeys(String tenant) {
        return keys.list(tenant).stream().filter(key -> !key.isRevoked()).toList();
    }

    /** Models the tenant's lines may use: any that one of its active keys allows (all, without authentication). */
    private Predicate<String> modelsOf(String tenant) {
        if (!auth.enabled()) {
            return model -> true;
        }
        List<ApiKey> active = activeKeys(tenant);
        return model -> active.stream().anyMatch(key -> key.allows(model));
    }

    /** An input refused whole: its error file says why, in one line. */
    private void refuse(String bucket, String key, String code, String message) {
        LOG.warnf("batch file s3://%s/%s refused: %s", bucket, key, message);
        RejectedLine line = new RejectedLine(null, null, null, new RejectedLine.Error(code, message, null, 0));
        try {
            byte[] body = (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            s3.putObject(b -> b.bucket(bucket).key(BatchFileKeys.errorsKey(key)).contentType(S3UploadStream.CONTENT_TYPE),
                    RequestBody.fromBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What became of a batch's result files. */
    public enum Finish {
        /** Written now and linked from the batch. */
        WRITTEN,
        /** Written earlier. */
        ALREADY_WRITTEN,
        /** The batch is still running (or still being read). */
        NOT_FINISHED,
        /** Another writer holds them. */
        BUSY,
        /** The batch no longer exists. */
        GONE
    }

    /**
     * Writes the result files of a file batch that has ended, once: the output file (successful responses) and the
     * error file (lines rejected on reading, and requests that failed, expired or were cancelled), in line order,
     * next to the input; then links them from the batch and takes it off the open list. Safe to run late, twice,
     * or concurrently; a batch still being read is read on ({@link #resume}) when its reader died.
     */
    public Finish finish(String batchId) {
        Optional<Batch> found = batches.find(batchId);
        if (found.isEmpty()) {
            fileBatches.close(batchId);
            return Finish.GONE;
        }
        Batch batch = found.get();
        if (batch.file() == null || batch.file().outputsWritten() != null) {
            fileBatches.close(batchId);
            return Finish.ALREADY_WRITTEN;
        }
        if (batch.accepted() == null) {
            Ingest ingest = resume(batchId);
            if (ingest.outcome() == Outcome.ACCEPTED || ingest.outcome() == Outcome.ALREADY_ACCEPTED) {
                batch = batches.find(batchId).orElseThrow();
            }
        }
        BatchSnapshot snapshot = batchService.snapshot(batch);
        if (!snapshot.status().isFinal()) {
            return Finish.NOT_FINISHED;
        }
        String owner = UUID.randomUUID().toString();
        Instant now = clock.instant();
        if (!fileBatches.claimOutputs(batchId, owner, now, now.plus(config.outputsLease()))) {
            return batches.find(batchId).map(b -> b.file().outputsWritten() != null).orElse(true)
                    ? Finish.ALREADY_WRITTEN : Finish.BUSY;
        }
        FileSource file = batch.file();
        String outputKey = BatchFileKeys.outputKey(file.inputKey());
        String errorKey = BatchFileKeys.errorsKey(file.inputKey());
        boolean wroteOutput = writeResults(snapshot, outputKey, true);
        boolean wroteErrors = writeResults(snapshot, errorKey, false);
        if (!fileBatches.markOutputsWritten(batchId, owner, wroteOutput ? outputKey : null,
                wroteErrors ? errorKey : null, clock.instant())) {
            return Finish.BUSY;
        }
        fileBatches.close(batchId);
        try {
            s3.deleteObject(b -> b.bucket(file.bucket()).key(keyLayout.rejectedKey(batchId)));
        } catch (RuntimeException e) {
            LOG.debugf("rejected lines of batch %s not removed: %s", batchId, e.toString());
        }
        LOG.infof("batch %s ended %s: results written next to s3://%s/%s", batchId, snapshot.status().wireName(),
                file.bucket(), file.inputKey());
        return Finish.WRITTEN;
    }

    /**
     * Streams one result file to S3: the successful lines, or the unsuccessful ones merged by line number with
     * the lines rejected on reading. False (and nothing written) when the file would be empty.
     */
    private boolean writeResults(BatchSnapshot snapshot, String key, boolean successes) {
        FileSource file = snapshot.batch().file();
        S3UploadStream out = new S3UploadStream(s3, file.bucket(), key, config.partSize());
        boolean done = false;
        try (RejectedLines rejected = successes ? RejectedLines.NONE : openRejected(snapshot.batch())) {
            batches.forEachJob(snapshot.batch().id(), job -> {
                BatchResultLine line = BatchResultLine.of(job, snapshot.status());
                if (line == null || line.succeeded() != successes) {
                    return;
                }
                rejected.writeUpTo(job.batchLine().index() + 1L, out);
                write(out, line);
            });
            rejected.writeUpTo(Long.MAX_VALUE, out);
            out.close();
            done = true;
            return out.written() > 0;
        } finally {
            if (!done) {
                out.abort();
            }
        }
    }

    private void write(S3UploadStream out, Object line) {
        try {
            out.write(json.writeValueAsBytes(line));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RejectedLines openRejected(Batch batch) {
        if (batch.file().rejected() == 0) {
            return RejectedLines.NONE;
        }
        ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(batch.file().bucket())
                .key(keyLayout.rejectedKey(batch.id())));
        return new RejectedLines(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    }

    /** The staged rejected lines of a batch ({@code <line> <json>} each, in line order), read as they merge in. */
    private static class RejectedLines implements AutoCloseable {

        static final RejectedLines NONE = new RejectedLines(null);

        private final BufferedReader reader;
        private String pending;

        RejectedLines(BufferedReader reader) {
            this.reader = reader;
        }

        /** Copies the rejected lines numbered below {@code line}. */
        void writeUpTo(long line, S3UploadStream out) {
            if (reader == null) {
                return;
            }
            try {
                while (true) {
                    if (pending == null) {
                        pending = reader.readLine();
                        if (pending == null) {
                            return;
                        }
                    }
                    int space = pending.indexOf(' ');
                    if (Long.parseLong(pending.substring(0, space)) >= line) {
                        return;
                    }
                    out.write(pending.substring(space + 1).getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                    pending = null;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // read to the end or abandoned: nothing to keep
                }
            }
        }
    }
}
