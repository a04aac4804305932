package dev.spillway.core.job;

import java.util.Locale;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED; EXPIRED when the deadline passes first. A RUNNING job
 * whose lease lapsed may be claimed again; final states never change.
 */
@RegisterForReflection
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, EXPIRED;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
