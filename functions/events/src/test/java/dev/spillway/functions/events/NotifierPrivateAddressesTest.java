package dev.spillway.functions.events;

import static dev.spillway.functions.events.EventsFixture.JSON;
import static dev.spillway.functions.events.EventsFixture.invoke;
import static dev.spillway.functions.events.EventsFixture.streamEvent;
import static dev.spillway.functions.events.EventsFixture.streamRecords;
import static dev.spillway.functions.events.EventsFixture.succeededJob;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.WebhookDelivery;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The notifier as deployed (private addresses refused): a callback that now points inside is never connected to. */
@QuarkusTest
@TestProfile(NotifierProfile.PrivateAddressesRefused.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "faultyLinks", value = "true"))
class NotifierPrivateAddressesTest {

    @Inject
    JobStore store;

    @Test
    void callbackThatNowResolvesToLoopback_isRefusedRecordedAndNeverConnected() throws Exception {
        try (Receiver receiver = new Receiver()) {
            // Accepted at submission when its name pointed outside; at delivery it resolves to this loopback receiver.
            Job job = succeededJob(store, "acme", receiver.url("/internal-admin"));

            JsonNode response = JSON.readTree(invoke(streamEvent(streamRecords(job.id()))).then().statusCode(200)
                    .extract().asString());

            assertThat(response.path("batchItemFailures")).isEmpty();
            assertThat(receiver.connections()).isZero();
            WebhookDelivery delivery = store.find(job.id()).orElseThrow().webhook();
            assertThat(delivery.state()).isEqualTo(WebhookDelivery.State.REFUSED);
            assertThat(delivery.attempts()).isZero();
            assertThat(delivery.lastStatus()).isNull();
            assertThat(delivery.lastError()).contains("127.0.0.1").contains("loopback");
        }
    }
}
