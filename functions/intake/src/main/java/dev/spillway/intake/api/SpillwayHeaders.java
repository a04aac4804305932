package dev.spillway.intake.api;

/** Response and request headers of Spillway's own. */
public final class SpillwayHeaders {

    /** {@code hit-l1}, {@code hit-l2}, {@code miss} or {@code bypass}. */
    public static final String CACHE = "X-Spillway-Cache";
    /** The job that produced (or will produce) the answer. */
    public static final String JOB_ID = "X-Spillway-Job-Id";
    /** Which lane served the request: {@code cache}, {@code direct} or {@code spill}. */
    public static final String LANE = "X-Spillway-Lane";
    /** On a direct-lane answer: the upstream target that produced it ({@code spillway.upstreams.<target>}). */
    public static final String TARGET = "X-Spillway-Target";
    /** A retried submit with the same key (and request) returns the original job. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** {@code true} on a response to a submit that an {@code Idempotency-Key} matched to an earlier one. */
    public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
    /**
     * Where to POST the job (as {@code GET /v1/jobs/{id}} shows it) once it is final, signed; see
     * {@code dev.spillway.core.webhook.WebhookSignatures}. A request carrying it always becomes a job.
     */
    public static final String CALLBACK_URL = "Spillway-Callback-Url";
    /** RFC 7240. */
    public static final String PREFER = "Prefer";
    public static final String PREFERENCE_APPLIED = "Preference-Applied";

    private SpillwayHeaders() {
    }
}
