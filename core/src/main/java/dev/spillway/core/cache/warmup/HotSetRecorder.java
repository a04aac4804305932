package dev.spillway.core.cache.warmup;

import dev.spillway.core.admission.CheckedRequest;

/** The intake's hook: counts a checked request in its tenant's hot set when its key opted in to warm-up. */
public interface HotSetRecorder {

    /** Records nothing (an intake built without warm-up, e.g. in a test). */
    HotSetRecorder NONE = checked -> {
    };

    /** Never blocks on Redis and never throws: a request is not slowed nor failed by its recording. */
    void record(CheckedRequest checked);
}
