package dev.spillway.core.stream;

import java.util.Optional;

/**
 * One entry of a job's live stream, as its worker wrote it.
 *
 * @param id      the Redis stream entry id ({@code <ms>-<seq>}), increasing along the stream
 * @param attempt the job attempt that wrote it: a job re-run after its worker died writes a second attempt after the first
 * @param kind    what the entry is
 * @param data    a chunk's JSON as the engine wrote it, an error's JSON in OpenAI's shape, or empty
 */
public record StreamEntry(String id, int attempt, Kind kind, String data) {

    /** What an entry says. Everything but {@link #CHUNK} ends its attempt's stream. */
    public enum Kind {
        /** One chunk of the answer (an engine's {@code chat.completion.chunk}, {@code text_completion}...). */
        CHUNK("chunk"),
        /** The answer is complete and stored: the job succeeded. */
        DONE("done"),
        /** The job failed for good, or its stream was cut (data: the error in OpenAI's shape). */
        ERROR("error"),
        /** This attempt stopped mid-answer and the job will run again from the start. */
        RETRY("retry");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Optional<Kind> fromWire(String wire) {
            for (Kind kind : values()) {
                if (kind.wire.equals(wire)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    public boolean ends() {
        return kind != Kind.CHUNK;
    }
}
