package dev.spillway.core.batch;

import java.util.Locale;

/** The OpenAI batch statuses Spillway reports. */
public enum BatchStatus {
    /** Its jobs are being stored and queued (within the creating request). */
    VALIDATING,
    /** Its creation was interrupted before all its jobs were queued; what was queued is cancelled. */
    FAILED,
    IN_PROGRESS,
    COMPLETED,
    /** The completion window closed first; unfinished requests were stopped. */
    EXPIRED,
    CANCELLING,
    CANCELLED;

    public boolean isFinal() {
        return this == FAILED || this == COMPLETED || this == EXPIRED || this == CANCELLED;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
