package dev.spillway.core.batch;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.Sha256;
import dev.spillway.core.admission.IdempotencyKeys;
import dev.spillway.core.admission.RequestChecks;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.auth.RateLimiter;
import dev.spillway.core.batch.BatchRequestParser.ParsedBatch;
import dev.spillway.core.batch.BatchRequestParser.ParsedLine;
import dev.spillway.core.cache.CacheKeys;
import dev.spillway.core.cache.ResultCache;
import dev.spillway.core.config.BatchesConfig;
import dev.spillway.core.config.IntakeConfig;
import dev.spillway.core.config.JobsConfig;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.job.BatchLine;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.webhook.CallbackUrls;

/**
 * The OpenAI Batch API over Spillway's jobs: each request line becomes a job on the batch tier carrying its batch
 * id and {@code custom_id}; the batch's progress and result files are read from those jobs. A batch is either
 * accepted whole (record, every job stored and queued) or refused with nothing left behind.
 */
@ApplicationScoped
public class BatchService {

    private static final Logger LOG = Logger.getLogger(BatchService.class);
    private static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(2);
    private static final Duration COMPLETION_WINDOW = Duration.ofHours(24);
    static final int MAX_LIST_LIMIT = 100;

    private final BatchesConfig config;
    private final JobsConfig jobsConfig;
    private final BatchRequestParser parser;
    private final BatchStore batches;
    private final JobStore jobs;
    private final WorkQueue queue;
    private final Fleets fleets;
    private final ResultCache cache;
    private final RateLimiter rateLimiter;
    private final CallbackUrls callbackUrls;
    private final ObjectMapper json;
    private final Clock clock;

    public BatchService(BatchesConfig config, IntakeConfig intake, JobsConfig jobsConfig, ModelsConfig models,
            BatchStore batches, JobStore jobs, WorkQueue queue, Fleets fleets, ResultCache cache,
            RateLimiter rateLimiter, CallbackUrls callbackUrls, ObjectMapper json, Clock clock) {
        this.config = config;
        this.jobsConfig = jobsConfig;
        this.parser = new BatchRequestParser(
                RequestChecks.parserFor(models, intake.maxTokensLimit()),
                config.maxRequests(), intake.maxBodyBytes());
        this.batches = batches;
        this.jobs = jobs;
        this.queue = queue;
        this.fleets = fleets;
        this.cache = cache;
        this.rateLimiter = rateLimiter;
        this.callbackUrls = callbackUrls;
        this.json = json;
        this.clock = clock;
    }

    /** The outcome of a create: the batch, and whether an earlier create with the same key made it. */
    public record Creation(BatchSnapshot batch, boolean replayed) {
    }

    /**
     * @param jsonLines the body is JSON Lines of batch request lines, rather than a JSON object
     * @param idempotencyKey the client's {@code Idempotency-Key}, or null
     * @param callbackUrl where to POST the batch once it is final ({@code Spillway-Callback-Url}), or null
     * @param callbackParam what to name in the error when the URL is refused
     */
    public Creation create(Caller caller, byte[] body, boolean jsonLines, String idempotencyKey, String callbackUrl,
            String callbackParam) {
        IdempotencyKeys.check(idempotencyKey);
        String callback = callbackUrls.checkAtSubmission(callbackUrl, callbackParam);
        if (body != null && body.length > config.maxBodyBytes()) {
            throw new ApiException(413, ApiException.INVALID_REQUEST, "request_too_large", null,
                    "The request body is " + body.length + " bytes; the limit is " + config.maxBodyBytes() + ".", null);
        }
        ParsedBatch parsed = jsonLines ? parser.parseJsonLines(body) : parser.parseObject(body);
        for (int i = 0; i < parsed.lines().size(); i++) {
            String model = parsed.lines().get(i).request().model();
            if (!caller.allows(model)) {
                throw new ApiException(403, ApiException.PERMISSION, "model_not_allowed",
                        "requests[" + i + "].body.model",
                        "Batch request " + (i + 1) + ": this API key may not use the model `" + model + "`.", null);
            }
        }
        // The batch tier and its queue bound batch work; the per-minute limits count the submit as one request.
        rateLimiter.acquire(caller, 0);

        Instant now = clock.instant();
        Batch batch = Batch.creating(BatchIds.next(), caller.tenant(), parsed.endpoint(), parsed.completionWindow(),
                parsed.metadata(), parsed.lines().size(), now, now.plus(COMPLETION_WINDOW)).withCallbackUrl(callback);
        List<Job> batchJobs = jobsOf(batch, parsed);
        String idempotencyId = idempotencyKey == null ? null : IdempotencyKeys.id(caller, idempotencyKey);
        try {
            if (idempotencyId == null) {
                batches.create(batch);
            } else {
                String requestHash = requestHash(caller, parsed, callback);
                BatchStore.KeyUse use = batches.createIdempotent(batch, idempotencyId, requestHash,
                        now.plus(jobsConfig.idempotencyRetention()));
                if (!use.recorded()) {
                    return new Creation(replay(caller, use, requestHash), true);
                }
            }
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warnf("batch store unavailable, batch refused: %s", e.toString());
            throw ApiException.unavailable("job_store_unavailable",
                    "Spillway could not record the batch; nothing was accepted. Retry shortly.", RETRY_UNAVAILABLE);
        }
        List<String> ids = batchJobs.stream().map(Job::id).toList();
        Map<String, RuntimeException> notStored = createAll(batchJobs);
        if (!notStored.isEmpty()) {
            LOG.warnf("%d of %d jobs of batch %s not stored, withdrawing it: %s", notStored.size(), ids.size(),
                    batch.id(), notStored.values().iterator().next().toString());
            withdraw(batch, ids.stream().filter(id -> !notStored.containsKey(id)).toList(), idempotencyId);
            throw ApiException.unavailable("job_store_unavailable",
                    "Spillway could not record the batch; nothing was accepted. Retry shortly.", RETRY_UNAVAILABLE);
        }
        Map<String, RuntimeException> notSent = sendAll(batchJobs);
        if (!notSent.isEmpty()) {
            LOG.warnf("%d of %d jobs of batch %s not queued, withdrawing it: %s", notSent.size(), ids.size(),
                    batch.id(), notSent.values().iterator().next().toString());
            withdraw(batch, ids, idempotencyId);
            throw ApiException.unavailable("queue_unavailable",
                    "Spillway could not queue the batch; nothing was accepted. Retry shortly.", RETRY_UNAVAILABLE);
        }
        try {
            batches.markAccepted(batch.id(), now);
        } catch (RuntimeException e) {
            LOG.warnf("batch %s queued but not marked accepted, withdrawing it: %s", batch.id(), e.toString());
            withdraw(batch, ids, idempotencyId);
            throw ApiException.unavailable("job_store_unavailable",
                    "Spillway could not record the batch; nothing was accepted. Retry shortly.", RETRY_UNAVAILABLE);
        }
        Batch accepted = batch.acceptedAt(now);
        return new Creation(BatchSnapshot.of(accepted, new BatchProgress(Map.of(), null), now), false);
    }

    private List<Job> jobsOf(Batch batch, ParsedBatch parsed) {
        List<Job> batchJobs = new ArrayList<>(parsed.lines().size());
        for (int i = 0; i < parsed.lines().size(); i++) {
            ParsedLine line = parsed.lines().get(i);
            // Deterministic answers still warm the tenant's cache for later calls; a batch line never reads it.
            String cacheKey = cache.enabled() && line.request().isDeterministic()
                    ? CacheKeys.of(batch.tenant(), line.request()) : null;
            batchJobs.add(Job.queued(JobIds.next(), batch.tenant(), Tier.BATCH, line.request(), cacheKey,
                    batch.created(), batch.deadline()).withBatchLine(new BatchLine(batch.id(), line.customId(), i)));
        }
        return batchJobs;
    }

    private Map<String, RuntimeException> createAll(List<Job> batchJobs) {
        try {
            return jobs.createAll(batchJobs);
        } catch (RuntimeException e) {
            Map<String, RuntimeException> all = new TreeMap<>();
            batchJobs.forEach(job -> all.put(job.id(), e));
            return all;
        }
    }

    private Map<String, RuntimeException> sendAll(List<Job> batchJobs) {
        try {
            return queue.sendJobs(fleets, batchJobs);
        } catch (RuntimeException e) {
            Map<String, RuntimeException> all = new TreeMap<>();
            batchJobs.forEach(job -> all.put(job.id(), e));
            return all;
        }
    }

    /**
     * Removes what a refused create stored. A job a worker already picked up cannot be withdrawn; it is
     * cancelled instead, so nothing of the batch runs to completion.
     */
    private void withdraw(Batch batch, List<String> storedJobIds, String idempotencyId) {
        for (String id : storedJobIds) {
            try {
                jobs.withdraw(id, null);
                jobs.cancel(id, batch.tenant(), clock.instant());
            } catch (RuntimeException e) {
                LOG.errorf("job %s of refused batch %s not withdrawn: %s", id, batch.id(), e.toString());
            }
        }
        try {
            batches.withdraw(batch.id(), idempotencyId);
        } catch (RuntimeException e) {
            // Left unaccepted, it reports itself failed once the creation grace has passed.
            LOG.errorf("refused batch %s not withdrawn: %s", batch.id(), e.toString());
        }
    }

    private BatchSnapshot replay(Caller caller, BatchStore.KeyUse earlier, String requestHash) {
        if (!earlier.requestHash().equals(requestHash)) {
            throw IdempotencyKeys.reused();
        }
        Batch original = batches.find(earlier.id()).filter(batch -> batch.tenant().equals(caller.tenant()))
                .filter(batch -> batch.accepted() != null)
                .orElseThrow(IdempotencyKeys::stillInUse);
        return snapshot(original);
    }

    /** What makes two creates "the same batch": its settings, its callback and every request line, in order. */
    private static String requestHash(Caller caller, ParsedBatch parsed, String callbackUrl) {
        StringBuilder canonical = new StringBuilder("batch|").append(parsed.endpoint()).append('|')
                .append(parsed.completionWindow()).append('|').append(new TreeMap<>(parsed.metadata()));
        if (callbackUrl != null) {
            // Absent from the hash of a batch without one, so keys recorded before callbacks existed still match.
            canonical.append("|callback:").append(callbackUrl);
        }
        for (ParsedLine line : parsed.lines()) {
            canonical.append('|').append(Sha256.hex(line.customId())).append(':')
                    .append(CacheKeys.of(caller.tenant(), line.request())).append(':').append(line.request().user());
        }
        return Sha256.hex(canonical.toString());
    }

    /** The caller's batch as it stands now; another tenant's batch is indistinguishable from a missing one. */
    public BatchSnapshot find(Caller caller, String id) {
        return snapshot(findBatch(caller, id));
    }

    private Batch findBatch(Caller caller, String id) {
        if (!BatchIds.isWellFormed(id)) {
            throw ApiException.invalid("batch_id", "invalid_batch_id",
                    "Invalid batch id: expected 'batch_' followed by 26 base-32 characters.");
        }
        return batches.find(id).filter(batch -> batch.tenant().equals(caller.tenant()))
                .orElseThrow(() -> ApiException.notFound("batch_not_found", "No batch with id '" + id + "'."));
    }

    /**
     * Derives the batch's state from its jobs. A batch that should have no live jobs (cancelled, expired, or
     * whose creation failed) and still has some stops them here, so every read moves it towards its end even if
     * the request that asked for the stop died half-way.
     */
    public BatchSnapshot snapshot(Batch batch) {
        BatchSnapshot snapshot = BatchSnapshot.of(batch, batches.progress(batch.id()), clock.instant());
        if (!snapshot.stoppable()) {
            return snapshot;
        }
        for (String jobId : batches.unfinishedJobIds(batch.id())) {
            jobs.cancel(jobId, batch.tenant(), clock.instant());
        }
        return BatchSnapshot.of(batch, batches.progress(batch.id()), clock.instant());
    }

    /** The caller's batches, newest first. */
    public BatchList list(Caller caller, String after, Integer limit) {
        int pageSize = limit == null ? 20 : limit;
        if (pageSize < 1 || pageSize > MAX_LIST_LIMIT) {
            throw ApiException.invalid("limit", "'limit' must be between 1 and " + MAX_LIST_LIMIT + ".");
        }
        Batch start = after == null ? null : findBatch(caller, after);
        BatchStore.BatchPage page = batches.list(caller.tenant(), start, pageSize);
        return new BatchList(page.batches().stream().map(this::snapshot).toList(), page.hasMore());
    }

    public record BatchList(List<BatchSnapshot> batches, boolean hasMore) {
    }

    /**
     * Cancels the batch's unfinished requests. Repeating it is harmless: a batch already cancelling or cancelled
     * is returned as it stands.
     */
    public BatchSnapshot cancel(Caller caller, String id, String idempotencyKey) {
        IdempotencyKeys.check(idempotencyKey);
        Batch batch = findBatch(caller, id);
        if (idempotencyKey != null) {
            String requestHash = Sha256.hex("cancel|" + id);
            Instant now = clock.instant();
            BatchStore.KeyUse use = batches.recordKey(IdempotencyKeys.id(caller, idempotencyKey), id, requestHash,
                    now, now.plus(jobsConfig.idempotencyRetention()));
            if (!use.recorded() && !use.requestHash().equals(requestHash)) {
                throw IdempotencyKeys.reused();
            }
        }
        BatchSnapshot current = snapshot(batch);
        switch (current.status()) {
            case CANCELLING, CANCELLED:
                return current;
            case VALIDATING:
                throw new ApiException(409, ApiException.CONFLICT, "batch_not_ready", "batch_id",
                        "Batch '" + id + "' is still being created; retry shortly.", Duration.ofSeconds(1));
            case IN_PROGRESS:
                return snapshot(batches.requestCancel(id, clock.instant()));
            default:
                throw new ApiException(409, ApiException.CONFLICT, "batch_already_finished", "batch_id",
                        "Batch '" + id + "' already finished with status " + current.status().wireName() + ".", null);
        }
    }

    /** A result file about to be served, with the state of its batch when it was asked for. */
    public record ResultFile(BatchFile file, BatchSnapshot batch) {
    }

    /** One of the caller's batch result files, once the batch is final and the file has lines. */
    public ResultFile file(Caller caller, String fileId) {
        BatchFile file = BatchIds.parseFileId(fileId).orElseThrow(() -> ApiException.invalid("file_id",
                "invalid_file_id", "Invalid file id: expected the output_file_id or error_file_id of a batch."));
        BatchSnapshot snapshot = batches.find(file.batchId()).filter(batch -> batch.tenant().equals(caller.tenant()))
                .map(this::snapshot)
                .filter(found -> found.has(file.kind()))
                .orElseThrow(() -> ApiException.notFound("file_not_found", "No file with id '" + fileId + "'."));
        return new ResultFile(file, snapshot);
    }

    /** Writes the file's JSON Lines, in request order. */
    public void write(ResultFile result, OutputStream out) {
        boolean output = result.file().kind() == BatchFile.Kind.OUTPUT;
        batches.forEachJob(result.file().batchId(), job -> {
            BatchResultLine line = BatchResultLine.of(job, result.batch().status());
            if (line != null && line.succeeded() == output) {
                try {
                    out.write(json.writeValueAsBytes(line));
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }
}
