package dev.spillway.functions;

import static org.assertj.core.api.Assertions.assertThat;

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
        ClientOverrideConfiguration config = dynamo.serviceClientConfiguration().overrideConfiguration();

        assertThat(config.apiCallTimeout()).hasValueSatisfying(
                timeout -> assertThat(timeout).isPositive().isLessThanOrEqualTo(dynamoGuard.timeout()));
        assertThat(config.apiCallAttemptTimeout()).isEmpty();
    }

    @Test
    void sqsCalls_endWithinTheGuardsTimeout() {
        ClientOverrideConfiguration config = sqs.serviceClientConfiguration().overrideConfiguration();

        assertThat(config.apiCallTimeout()).hasValueSatisfying(
                timeout -> assertThat(timeout).isPositive().isLessThanOrEqualTo(sqsGuard.timeout()));
        assertThat(config.apiCallAttemptTimeout()).isEmpty();
    }
}
