package dev.spillway.core.eta;

import java.time.Duration;
import java.util.List;

/** Where workers leave their {@link DrainReport}s, per fleet, and where the intake reads them. */
public interface DrainReports {

    /** Replaces this worker's report for {@code fleet}; reports not renewed within {@code keep} disappear. */
    void publish(String fleet, DrainReport report, Duration keep);

    /** Removes this worker's report (it stopped): its fleet no longer counts it. */
    void withdraw(String fleet, String worker);

    /** Every report of the fleet still kept, fresh or not. */
    List<DrainReport> read(String fleet);
}
