package dev.spillway.core.stream;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code id:} of an event relayed from a job's stream, {@code <attempt>.<entry id>} (for example
 * {@code 1.1733380000000-0}): a client resumes with it as {@code Last-Event-ID}, and the attempt in it tells whether
 * what the client already holds belongs to the attempt still streaming.
 */
public record EventId(int attempt, long millis, long sequence) {

    private static final Pattern FORM = Pattern.compile("([1-9][0-9]{0,8})\\.([0-9]{1,18})-([0-9]{1,18})");

    /** The id of an entry. */
    public static EventId of(StreamEntry entry) {
        return parse(entry.attempt() + "." + entry.id()).orElseThrow();
    }

    /** Empty when {@code text} is not an id this relay gave out. */
    public static Optional<EventId> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = FORM.matcher(text.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new EventId(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(2)),
                Long.parseLong(matcher.group(3))));
    }

    /** The Redis entry id, to read on from. */
    public String entryId() {
        return millis + "-" + sequence;
    }

    @Override
    public String toString() {
        return attempt + "." + entryId();
    }
}
