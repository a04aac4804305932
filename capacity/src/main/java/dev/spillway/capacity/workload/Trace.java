package dev.spillway.capacity.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A recorded workload: a CSV file with one request per line,
 * {@code arrival_seconds,model,tier,prompt_tokens,output_tokens}, sorted by arrival (seconds from the start,
 * decimals allowed). A header line with those names is optional; blank lines and lines starting with {@code #}
 * are skipped. A line that does not fit is refused with its number and the reason, never skipped.
 */
public final class Trace implements Workload {

    public static final String HEADER = "arrival_seconds,model,tier,prompt_tokens,output_tokens";

    private final String name;
    private final List<Request> requests;

    public Trace(final String name, final List<Request> requests) {
        this.name = name;
        this.requests = List.copyOf(requests);
    }

    public static Trace read(final Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.getFileName().toString(), reader);
        }
    }

    /** @param source how error messages name the input */
    public static Trace parse(final String source, final Reader input) throws IOException {
        BufferedReader reader = new BufferedReader(input);
        List<Request> requests = new ArrayList<>();
        String line;
        int number = 0;
        boolean first = true;
        double previous = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            if (first && text.split(",", 2)[0].strip().equalsIgnoreCase("arrival_seconds")) {
                if (!text.replace(" ", "").equalsIgnoreCase(HEADER)) {
                    throw new TraceFormatException(source, number, "the header must be '" + HEADER + "', got '"
                            + text + "'");
                }
                first = false;
                continue;
            }
            first = false;
            Request request = request(source, number, text);
            if (request.arrival() < previous) {
                throw new TraceFormatException(source, number, "arrival " + request.arrival()
                        + " s is earlier than the line before (" + previous + " s): sort the trace by arrival");
            }
            previous = request.arrival();
            requests.add(request);
        }
        if (requests.isEmpty()) {
            throw new TraceFormatException(source, number, "no requests: expected lines of " + HEADER);
        }
        return new Trace(source, requests);
    }

    private static Request request(final String source, final int number, final String text) {
        String[] fields = text.split(",", -1);
        if (fields.length != 5) {
            throw new TraceFormatException(source, number, "expected 5 fields (" + HEADER + "), got "
                    + fields.length);
        }
        double arrival = decimal(source, number, "arrival_seconds", fields[0]);
        String model = fields[1].strip();
        if (model.isEmpty()) {
            throw new TraceFormatException(source, number, "model is empty");
        }
        Tier tier;
        try {
            tier = Tier.ofLabel(fields[2]);
        } catch (IllegalArgumentException e) {
            throw new TraceFormatException(source, number, e.getMessage());
        }
        return new Request(arrival, model, tier, count(source, number, "prompt_tokens", fields[3]),
                count(source, number, "output_tokens", fields[4]));
    }

    private static double decimal(final String source, final int number, final String field, final String value) {
        double parsed;
        try {
            parsed = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new TraceFormatException(source, number, field + " must be a number of seconds, got '" + value
                    + "'");
        }
        if (!(parsed >= 0) || Double.isInfinite(parsed)) {
            throw new TraceFormatException(source, number, field + " must be zero or more, got '" + value + "'");
        }
        return parsed;
    }

    private static int count(final String source, final int number, final String field, final String value) {
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new TraceFormatException(source, number, field + " must be a whole number, zero or more, got '"
                + value + "'");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double duration() {
        return requests.get(requests.size() - 1).arrival();
    }

    @Override
    public List<Phase> phases() {
        return List.of(new Phase("trace", 0, Math.nextUp(duration())));
    }

    @Override
    public Iterator<Request> requests() {
        return requests.iterator();
    }

    public int size() {
        return requests.size();
    }
}
