package dev.spillway.functions.events;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The function as the notifier Lambda runs it (loopback receivers allowed, as in local use). */
public class NotifierProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.lambda.handler", "notifier");
    }

    /** The notifier as deployed: private and loopback addresses refused. */
    public static class PrivateAddressesRefused implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "notifier",
                    "spillway.webhooks.allow-private-addresses", "false");
        }
    }
}
