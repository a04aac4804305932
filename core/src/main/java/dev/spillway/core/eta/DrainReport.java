package dev.spillway.core.eta;

import java.time.Duration;
import java.time.Instant;

/**
 * What one worker tells about its draining of a fleet's queues: its job slots and the jobs it finished over the last
 * window. Workers count in memory and report every few seconds, so a completion costs nothing on the shared store
 * and the intake reads a fleet's figures in one call.
 *
 * @param worker          the worker's id
 * @param slots           jobs it runs at once
 * @param completions     jobs it finished (succeeded or failed) within {@code window} before {@code at}
 * @param window          how far back {@code completions} counts (shorter while the worker is younger than that)
 * @param meanServiceTime mean time from claim to finish of those jobs; zero when there were none
 * @param at              when the report was made
 */
public record DrainReport(String worker, int slots, long completions, Duration window, Duration meanServiceTime,
        Instant at) {

    /** {@code slots|completions|windowMillis|meanServiceMillis|atMillis}: small, and no JSON on the read path. */
    public String encode() {
        return slots + "|" + completions + "|" + window.toMillis() + "|" + meanServiceTime.toMillis() + "|"
                + at.toEpochMilli();
    }

    /** @throws IllegalArgumentException when {@code encoded} is not what {@link #encode()} wrote */
    public static DrainReport decode(String worker, String encoded) {
        String[] parts = encoded.split("\\|");
        if (parts.length != 5) {
            throw new IllegalArgumentException("not a drain report: " + encoded);
        }
        return new DrainReport(worker, Integer.parseInt(parts[0]), Long.parseLong(parts[1]),
                Duration.ofMillis(Long.parseLong(parts[2])), Duration.ofMillis(Long.parseLong(parts[3])),
                Instant.ofEpochMilli(Long.parseLong(parts[4])));
    }
}
