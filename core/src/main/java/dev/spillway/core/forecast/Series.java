package dev.spillway.core.forecast;

import dev.spillway.core.job.Tier;

/** One recorded series: a fleet's arrivals of one tier. */
public record Series(String fleet, Tier tier) {

    /** {@code <fleet>#<tier>}: the series' key where it is stored. */
    public String id() {
        return fleet + "#" + tier.wireName();
    }
}
