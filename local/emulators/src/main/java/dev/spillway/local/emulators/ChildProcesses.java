package dev.spillway.local.emulators;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Starting and stopping the emulators that run as processes of their own (redis-server, s3proxy). */
final class ChildProcesses {

    private ChildProcesses() {
    }

    /** Waits until {@code process} accepts connections on {@code port}; fails if it dies or takes too long. */
    static void awaitPort(Process process, int port, Duration timeout, Supplier<String> failure) {
        Instant deadline = Instant.now().plus(timeout);
        while (!Ports.accepting(port)) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(failure.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Asks {@code process} to stop, and kills it if it has not within a few seconds. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
