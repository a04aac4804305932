package dev.spillway.capacity.workload;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Collectors;

/**
 * A generated workload: Poisson arrivals whose rate follows a curve over time (drawn by thinning, so the rate may
 * change at any instant), each request with a tier drawn from a mix and token counts from log-normal
 * distributions around their means. Seeded: the same parameters give the same requests.
 */
public final class Profile implements Workload {

    /** The profiles by name. */
    public enum Shape {
        /** The base rate throughout. */
        STEADY,
        /** An hour at the base rate, two hours at ten times it, three hours back at the base rate. */
        SURGE10X,
        /**
         * 24 hours of a day-night cycle whose mean is the base rate: a trough of 0.2x at 02:00 rising to a peak of
         * 1.8x at 14:00 (a cosine).
         */
        DAILY;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Shape ofLabel(final String label) {
            for (Shape shape : values()) {
                if (shape.label().equals(label)) {
                    return shape;
                }
            }
            throw new IllegalArgumentException("no profile named '" + label + "': the profiles are "
                    + Arrays.stream(values()).map(Shape::label).collect(Collectors.joining(", ")));
        }
    }

    /**
     * @param baseRate     requests per second reaching the intake at the base of the curve
     * @param model        the model every request names
     * @param tiers        how requests spread over the tiers
     * @param promptTokens mean prompt tokens
     * @param outputTokens mean output tokens
     * @param steadyHours  length of the {@code steady} profile
     * @param seed         seed of every draw
     */
    public record Parameters(double baseRate, String model, TierMix tiers, int promptTokens, int outputTokens,
                             double steadyHours, long seed) {

        public Parameters {
            if (!(baseRate > 0)) {
                throw new IllegalArgumentException("the base rate must be positive, got " + baseRate);
            }
            if (!(steadyHours > 0)) {
                throw new IllegalArgumentException("the steady profile's hours must be positive, got " + steadyHours);
            }
        }
    }

    /** Spread of token counts: a log-normal sigma giving a few requests many times the mean, as chat traffic has. */
    private static final double TOKEN_SIGMA = 0.7;
    private static final double HOUR = 3600;

    private final Shape shape;
    private final Parameters parameters;
    private final double duration;
    private final List<Phase> phases;
    private final DoubleUnaryOperator rate;
    private final double peakRate;

    public Profile(final Shape shape, final Parameters parameters) {
        this.shape = shape;
        this.parameters = parameters;
        double base = parameters.baseRate();
        switch (shape) {
            case STEADY -> {
                duration = parameters.steadyHours() * HOUR;
                phases = List.of(new Phase("steady", 0, duration));
                rate = t -> base;
                peakRate = base;
            }
            case SURGE10X -> {
                duration = 6 * HOUR;
                phases = List.of(new Phase("before", 0, HOUR), new Phase("surge", HOUR, 3 * HOUR),
                        new Phase("after", 3 * HOUR, duration));
                rate = t -> t >= HOUR && t < 3 * HOUR ? 10 * base : base;
                peakRate = 10 * base;
            }
            case DAILY -> {
                duration = 24 * HOUR;
                phases = List.of(new Phase("night 00-06", 0, 6 * HOUR), new Phase("morning 06-12", 6 * HOUR,
                        12 * HOUR), new Phase("afternoon 12-18", 12 * HOUR, 18 * HOUR),
                        new Phase("evening 18-24", 18 * HOUR, duration));
                rate = t -> base * (1 + 0.8 * Math.cos(2 * Math.PI * (t / HOUR - 14) / 24));
                peakRate = 1.8 * base;
            }
            default -> throw new IllegalStateException(shape.name());
        }
    }

    @Override
    public String name() {
        return shape.label();
    }

    @Override
    public double duration() {
        return duration;
    }

    @Override
    public List<Phase> phases() {
        return phases;
    }

    /** Requests per second at the base of the curve (the daily profile's mean). */
    public double baseRate() {
        return parameters.baseRate();
    }

    /** Requests per second at {@code time}. */
    public double rateAt(final double time) {
        return rate.applyAsDouble(time);
    }

    @Override
    public Iterator<Request> requests() {
        return new Iterator<>() {
            private final Random random = new Random(parameters.seed());
            private Request next = draw(0);

            private Request draw(final double after) {
                double time = after;
                while (true) {
                    time += -Math.log(1 - random.nextDouble()) / peakRate;
                    if (time >= duration) {
                        return null;
                    }
                    if (random.nextDouble() * peakRate < rate.applyAsDouble(time)) {
                        return new Request(time, parameters.model(), parameters.tiers().pick(random.nextDouble()),
                                tokens(random, parameters.promptTokens()), tokens(random, parameters.outputTokens()));
                    }
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Request next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Request current = next;
                next = draw(current.arrival());
                return current;
            }
        };
    }

    private static int tokens(final Random random, final int mean) {
        if (mean <= 0) {
            return 0;
        }
        double mu = Math.log(mean) - TOKEN_SIGMA * TOKEN_SIGMA / 2;
        return (int) Math.max(1, Math.min(32_768, Math.round(Math.exp(mu + TOKEN_SIGMA * random.nextGaussian()))));
    }
}
