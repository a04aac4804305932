package dev.spillway.core.batch.files;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Batch files on S3: where inputs are dropped, how they are read, and where Spillway keeps its work. */
@ConfigMapping(prefix = "spillway.files")
public interface BatchFilesConfig {

    /**
     * Include batch files in this application (the reader, the outputs task, their S3 client). Read at build
     * time: the events function and the local stack set it; the intake and the worker, which share the core
     * module, do not, so they need no S3 client.
     */
    @WithDefault("false")
    boolean enabled();

    /** Bucket of batch input files and their result files; unset turns batch files off. */
    Optional<String> bucket();

    /**
     * Key prefix of batch input files: {@code <input-prefix><tenant>/<name>.jsonl} (the tenant segment is left out
     * when authentication is off: every file then belongs to the default tenant).
     */
    @WithDefault("batches/")
    String inputPrefix();

    /** Key prefix of Spillway's working objects (a batch's rejected lines until its error file is written). */
    @WithDefault("spillway-work/")
    String workPrefix();

    /** Jobs stored and queued per chunk; each chunk ends with a checkpoint on the batch record. */
    @WithDefault("500")
    int chunkSize();

    /** A chunk also ends when its requests reach this many bytes, so memory stays bounded whatever the lines hold. */
    @WithDefault("8388608")
    int chunkBytes();

    /** Largest input file; a larger one is refused whole (OpenAI's limit is 200 MB). */
    @WithDefault("209715200")
    long maxBytes();

    /**
     * How long one reader holds a half-read file before another may take it over (a retried or replayed event,
     * or the outputs task); pushed forward at every chunk.
     */
    @WithDefault("PT2M")
    Duration ingestLease();

    /** How long one writer of a finished batch's result files holds them before another may take over. */
    @WithDefault("PT10M")
    Duration outputsLease();

    /** Part size of the multipart uploads that stream result files to S3 (S3's minimum is 5 MB). */
    @WithDefault("8388608")
    int partSize();
}
