package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static dev.spillway.functions.IntakeFixture.newKey;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/** Rate limits are leased from Redis in blocks and spent in the instance (the limits themselves: AuthTest). */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class RateLimitLeaseTest {

    @Inject
    ApiKeyStore keys;
    @Inject
    RedisDataSource redis;

    @BeforeEach
    void anonymousByDefault() {
        IntakeFixture.purgeQueues();
        RestAssured.requestSpecification = null;
    }

    @Test
    void requestsWithinALease_takeOneBlockFromRedisAndAreCountedLocally() {
        // GIVEN a key allowed 6,000 requests a minute, so a lease is 1% of that: 60 requests
        String key = newKey(keys, "tenant-lease", Set.of(), 6000, 0);

        // WHEN it makes five requests
        for (int i = 0; i < 5; i++) {
            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                    .body(chat("leased " + i)).post("/v1/jobs").then().statusCode(202);
        }

        // THEN the shared bucket gave one lease of 60 (taking five requests one by one would have left 5,995)
        String level = redis.hash(String.class).hget("spillway:rl:" + ApiKeys.hash(key) + ":req", "l");
        assertThat(Double.parseDouble(level)).isEqualTo(5940.0);
    }
}
