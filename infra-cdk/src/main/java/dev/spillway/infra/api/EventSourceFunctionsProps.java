package dev.spillway.infra.api;

import java.nio.file.Path;
import java.util.Map;

import dev.spillway.infra.data.PriorityQueues;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link EventSourceFunctions} wires the handlers to.
 *
 * @param environment           runtime configuration shared by the four functions (each adds its handler name)
 * @param concurrency           each function's reserved concurrency
 * @param artifact              {@code functions/events/target/function.zip}, JVM or native
 * @param jobsTable             the jobs table; its stream drives the notifier
 * @param filesBucket           where batch input files arrive and their outputs are written
 * @param ingestQueue           the SQS ingest queue
 * @param ingestDeadLetterQueue where invalid ingest messages are put with their reason
 */
public record EventSourceFunctionsProps(IVpc vpc, ISecurityGroup securityGroup, Map<String, String> environment,
                                        Path artifact, boolean nativeImage, boolean requireArtifacts, boolean tracing,
                                        ConcurrencyBudget concurrency, ITable jobsTable, ITable idempotencyTable, ITable apiKeysTable,
                                        ITable batchesTable, PriorityQueues queues, IBucket filesBucket,
                                        IQueue ingestQueue, IQueue ingestDeadLetterQueue) {

    public EventSourceFunctionsProps {
        environment = Map.copyOf(environment);
    }
}
