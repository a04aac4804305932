package dev.spillway.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.spillway.core.fault.DynamoDbGuardConfig;
import dev.spillway.core.fault.SqsGuardConfig;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The intake's guards time a write out after a few seconds, but a socket read blocked on a connection that stopped
 * answering cannot be interrupted: only the SDK's own call timeout aborts it, so it must not outlast the guard
 * (ChaosTest shows a hung DynamoDB being refused within it). And no per-attempt timeout, so a conditional write is
 * never retried into its own first attempt.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class IntakeSdkTimeoutsTest {

    @Inject
    DynamoDbClient dynamo;
    @Inject
    SqsClient sqs;
    @Inject
    DynamoDbGuardConfig dynamoGuard;
    @Inject
    SqsGuardConfig sqsGuard;

    @Test
    void dynamoDbCalls_endWithinTheGuardsTimeout() {
        assertCallsEndWithin(dynamo.serviceClientConfiguration().overrideConfiguration(), dynamoGuard.timeout());
    }

    @Test
    void sqsCalls_endWithinTheGuardsTimeout() {
        assertCallsEndWithin(sqs.serviceClientConfiguration().overrideConfiguration(), sqsGuard.timeout());
    }

    private static void assertCallsEndWithin(ClientOverrideConfiguration config, Duration guardTimeout) {
        assertThat(config.apiCallTimeout()).hasValueSatisfying(
                timeout -> assertThat(timeout).isPositive().isLessThanOrEqualTo(guardTimeout));
        assertThat(config.apiCallAttemptTimeout()).isEmpty();
    }
}
