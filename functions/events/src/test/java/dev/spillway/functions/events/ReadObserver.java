package dev.spillway.functions.events;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.spillway.core.batch.files.BatchFileProgress;

/**
 * Follows the reading of batch files, and breaks it on demand: a failure the reader sees (a downstream error), or
 * a crash that kills it outright without any cleanup (an {@link Error}, as when Lambda stops the process).
 */
@ApplicationScoped
public class ReadObserver {

    static final List<BatchFileProgress> SEEN = new CopyOnWriteArrayList<>();
    private static volatile long failAtLine = -1;
    private static volatile boolean hard;

    /** Fails the reading once the jobs of line {@code line} or later are stored, before they are queued. */
    static void failAfterStoring(long line, boolean crash) {
        failAtLine = line;
        hard = crash;
    }

    static final class Crash extends Error {
        Crash() {
            super("simulated crash: the process died");
        }
    }

    void on(@Observes BatchFileProgress progress) {
        if (SEEN.size() < 100_000) {
            SEEN.add(progress);
        }
        if (failAtLine >= 0 && progress.step() == BatchFileProgress.Step.STORED && progress.line() >= failAtLine) {
            failAtLine = -1;
            if (hard) {
                throw new Crash();
            }
            throw new IllegalStateException("simulated downstream failure after storing line " + progress.line());
        }
    }
}
