package dev.spillway.capacity.workload;

/** Shares of the requests in each tier; they need not sum to one. */
public record TierMix(double interactive, double standard, double batch) {

    public TierMix {
        if (interactive < 0 || standard < 0 || batch < 0 || !(interactive + standard + batch > 0)) {
            throw new IllegalArgumentException("tier shares are three non-negative numbers (interactive, standard, "
                    + "batch) with a positive sum, got " + interactive + ", " + standard + ", " + batch);
        }
    }

    /** {@code 0.2,0.6,0.2}: interactive, standard, batch. */
    public static TierMix parse(final String text) {
        String[] parts = text.split(",");
        if (parts.length != 3) {
            throw new IllegalArgumentException("tier shares are written interactive,standard,batch (e.g. "
                    + "0.2,0.6,0.2), got '" + text + "'");
        }
        return new TierMix(Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip()),
                Double.parseDouble(parts[2].strip()));
    }

    /** The tier a uniform draw in [0, 1) falls in. */
    public Tier pick(final double draw) {
        double total = interactive + standard + batch;
        if (draw * total < interactive) {
            return Tier.INTERACTIVE;
        }
        return draw * total < interactive + standard ? Tier.STANDARD : Tier.BATCH;
    }
}
