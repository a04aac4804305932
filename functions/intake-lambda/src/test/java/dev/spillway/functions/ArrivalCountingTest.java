package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.forecast.ArrivalCounter;
import dev.spillway.core.forecast.ForecastConfig;
import dev.spillway.core.forecast.Intervals;
import dev.spillway.core.forecast.Series;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Each job the spill lane admits is counted once into its fleet's current interval; a replay is not a new arrival. */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class ArrivalCountingTest {

    @Inject
    ArrivalCounter counter;
    @Inject
    ForecastConfig forecast;
    @Inject
    Fleets fleets;
    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    private long counted(Series series, Instant interval) {
        return counter.read(List.of(series), interval).get(series);
    }

    @Test
    void anAdmittedJob_isCountedOnce_andItsIdempotentReplayIsNot() {
        Series standard = new Series(fleets.of("test-model"), Tier.STANDARD);
        Instant interval;
        long before;
        long after;
        String key = "arrival-" + System.nanoTime();
        do {
            // GIVEN the count of the current interval
            interval = Intervals.startOf(Instant.now(), forecast.interval());
            before = counted(standard, interval);

            // WHEN a job is submitted twice with the same Idempotency-Key
            for (int i = 0; i < 2; i++) {
                given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(chat("count me once"))
                        .post("/v1/jobs").then().statusCode(202);
            }
            after = counted(standard, interval);
            key = key + "-again";
            // (an interval that ended meanwhile is measured again in the next one)
        } while (!Intervals.startOf(Instant.now(), forecast.interval()).equals(interval));

        // THEN one arrival was counted in the interval, on the fleet and tier of the job
        assertThat(after - before).isEqualTo(1);
    }
}
