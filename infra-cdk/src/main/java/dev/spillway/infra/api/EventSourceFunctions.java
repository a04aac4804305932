package dev.spillway.infra.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.infra.data.DataAccess;
import dev.spillway.infra.data.DataStack;
import dev.spillway.infra.data.ObjectAccess;
import dev.spillway.infra.data.PayloadBucket;
import dev.spillway.infra.data.Tier;
import dev.spillway.infra.nag.Suppressions;
import dev.spillway.infra.runtime.RuntimeEnvironment;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.FilterCriteria;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.FilterRule;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.StartingPosition;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.lambda.eventsources.DynamoEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsDlq;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.s3.BucketAttributes;
import software.amazon.awscdk.services.s3.EventType;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.s3.NotificationKeyFilter;
import software.amazon.awscdk.services.s3.notifications.LambdaDestination;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The event-source handlers of {@code functions/events}, one Lambda function each from the same artifact, with their
 * triggers: S3 batch files ({@code batch-files}), the SQS ingest queue ({@code ingest}), DynamoDB Streams on the jobs
 * table ({@code notifier}) and an EventBridge schedule ({@code scheduler}). Every trigger invokes the function's
 * {@code live} alias. What a trigger could not deliver lands in a failure queue instead of vanishing.
 */
public final class EventSourceFunctions extends Construct {

    public static final String BATCH_FILES_HANDLER = "batch-files";
    public static final String INGEST_HANDLER = "ingest";
    public static final String NOTIFIER_HANDLER = "notifier";
    public static final String SCHEDULER_HANDLER = "scheduler";
    /**
     * Key prefix of batch files ({@code spillway.files.input-prefix}): an input {@code batches/<tenant>/<name>.jsonl}
     * starts a batch, and its output and error files are written beside it (the handler never takes those for
     * inputs).
     */
    public static final String BATCH_FILES_PREFIX = "batches/";
    /** Where rejected lines wait until a batch's error file is written ({@code spillway.files.work-prefix}). */
    public static final String WORK_PREFIX = PayloadBucket.WORK_PREFIX;
    /**
     * A webhook's retries happen inside one invocation (worst case about 90 s per job: five attempts with their
     * timeouts and pauses), so the notifier takes few records at a time and has the time for all of them.
     */
    static final int NOTIFIER_TIMEOUT_SECONDS = 600;
    static final int NOTIFIER_BATCH_SIZE = 5;
    /** A tick may deliver batch webhooks, each with the same retries as the notifier's. */
    static final int SCHEDULER_TIMEOUT_SECONDS = 300;
    /** A 200 MB batch file is streamed into jobs in one invocation. */
    static final int BATCH_FILES_TIMEOUT_SECONDS = 900;

    private final QuarkusFunction batchFiles;
    private final QuarkusFunction ingest;
    private final QuarkusFunction notifier;
    private final QuarkusFunction scheduler;
    private final Queue batchFileFailures;
    private final Queue notifierFailures;
    private final Secret signingSecret;

    public EventSourceFunctions(final Construct scope, final String id, final EventSourceFunctionsProps props) {
        super(scope, id);
        this.batchFileFailures = failureQueue("BatchFileFailures");
        this.notifierFailures = failureQueue("NotifierFailures");
        ConcurrencyBudget budget = props.concurrency();

        this.batchFiles = function(props, props.environment(), "BatchFiles", BATCH_FILES_HANDLER,
                "Spillway batch files (S3)", BATCH_FILES_TIMEOUT_SECONDS, budget.batchFiles());
        this.ingest = function(props, props.environment(), "Ingest", INGEST_HANDLER, "Spillway ingest queue (SQS)",
                30, budget.ingest());
        this.signingSecret = Secret.Builder.create(this, "WebhookSigningSecret")
                .description("Spillway: master secret each tenant's webhook signing secret is derived from (HKDF)")
                .generateSecretString(SecretStringGenerator.builder()
                        .passwordLength(64)
                        .excludePunctuation(true)
                        .build())
                .build();
        // The notifier signs job webhooks, the scheduler's batch-webhooks task signs batch webhooks. They get where
        // the secret is, and read it from Secrets Manager when they first sign (cached, so a rotation reaches them).
        Map<String, String> signingEnvironment = new LinkedHashMap<>(props.environment());
        signingEnvironment.put(RuntimeEnvironment.WEBHOOK_SIGNING_SECRET_ARN, signingSecret.getSecretArn());
        this.notifier = function(props, signingEnvironment, "Notifier", NOTIFIER_HANDLER,
                "Spillway webhooks (DynamoDB Streams)", NOTIFIER_TIMEOUT_SECONDS, budget.notifier());
        this.scheduler = function(props, signingEnvironment, "Scheduler", SCHEDULER_HANDLER,
                "Spillway scheduler: backlog signal, reaper, batch outputs and batch webhooks (EventBridge)",
                SCHEDULER_TIMEOUT_SECONDS, budget.scheduler());
        signingSecret.grantRead(notifier.function());
        signingSecret.grantRead(scheduler.function());

        wireBatchFiles(props);
        wireIngest(props, budget.ingest());
        wireNotifier(props);
        wireScheduler(props);
        suppressFindings(props.tracing());
    }

    private QuarkusFunction function(final EventSourceFunctionsProps props, final Map<String, String> environment,
                                     final String id, final String handler, final String description,
                                     final int timeoutSeconds, final int reservedConcurrency) {
        return new QuarkusFunction(this, id, QuarkusFunctionProps.builder()
                .description(description)
                .handlerName(handler)
                .timeoutSeconds(timeoutSeconds)
                .vpc(props.vpc())
                .securityGroup(props.securityGroup())
                .environment(environment)
                .artifact(props.artifact())
                .nativeImage(props.nativeImage())
                .requireArtifacts(props.requireArtifacts())
                .memorySizeMb(props.nativeImage() ? 512 : 1024)
                .reservedConcurrency(reservedConcurrency)
                .tracing(props.tracing())
                .build());
    }

    /** S3 invokes asynchronously: two retries, then the event is kept in a failure queue for a replay. */
    private void wireBatchFiles(final EventSourceFunctionsProps props) {
        // Imported by name, so the notification is added from this stack without a cycle back to the data stack.
        IBucket files = software.amazon.awscdk.services.s3.Bucket.fromBucketAttributes(this, "FilesBucket",
                BucketAttributes.builder()
                        .bucketName(props.filesBucket().getBucketName())
                        .bucketArn(props.filesBucket().getBucketArn())
                        .build());
        files.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(batchFiles.alias()),
                NotificationKeyFilter.builder().prefix(BATCH_FILES_PREFIX).suffix(".jsonl").build());
        batchFiles.alias().configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(2)
                .maxEventAge(Duration.hours(6))
                .onFailure(new SqsDestination(batchFileFailures))
                .build());

        IFunction fn = batchFiles.function();
        // Reads inputs, writes their output and error files beside them, stages rejected lines.
        ObjectAccess.grant(fn, props.filesBucket(), BATCH_FILES_PREFIX, ObjectAccess.READ);
        ObjectAccess.grant(fn, props.filesBucket(), BATCH_FILES_PREFIX, ObjectAccess.WRITE);
        ObjectAccess.grant(fn, props.filesBucket(), WORK_PREFIX, ObjectAccess.WRITE);
        ObjectAccess.grantMissingKeyAnswers(fn, props.filesBucket());
        // Jobs for the lines (merged creates), the batch record and its open-batches entry (a transaction).
        DataAccess.grant(fn, props.jobsTable(), DataAccess.READ, DataAccess.CREATE, DataAccess.BATCH_CREATE);
        DataAccess.grantQuery(fn, props.jobsTable(), DataStack.BATCH_INDEX);
        DataAccess.grant(fn, props.batchesTable(), DataAccess.READ, DataAccess.CREATE, DataAccess.TRANSITION);
        // The tenant named by the key must hold an active API key.
        DataAccess.grantQuery(fn, props.apiKeysTable(), DataStack.TENANT_CREATED_INDEX);
        props.queues().everyFleetsQueues().stream().filter(queue -> queue.tier() == Tier.BATCH)
                .forEach(queue -> queue.queue().grantSendMessages(fn));
    }

    /**
     * One bad message is reported alone (partial batch response); it never replays the others. The trigger never
     * runs more batches than the function's reservation, so messages are not received only to be throttled (which
     * would count as deliveries towards the dead-letter queue).
     */
    private void wireIngest(final EventSourceFunctionsProps props, final int maxConcurrency) {
        ingest.alias().addEventSource(SqsEventSource.Builder.create(props.ingestQueue())
                .batchSize(10)
                .maxBatchingWindow(Duration.seconds(1))
                .reportBatchItemFailures(true)
                .maxConcurrency(maxConcurrency)
                .build());
        IFunction fn = ingest.function();
        props.ingestDeadLetterQueue().grantSendMessages(fn);
        DataAccess.grant(fn, props.jobsTable(), DataAccess.READ, DataAccess.CREATE, DataAccess.BATCH_CREATE,
                DataAccess.WITHDRAW);
        DataAccess.grant(fn, props.idempotencyTable(), DataAccess.READ, DataAccess.CREATE, DataAccess.WITHDRAW);
        DataAccess.grant(fn, props.apiKeysTable(), DataAccess.READ);
        props.queues().grantSend(fn);
    }

    /**
     * Only modifications can move a job into a final state, and only jobs with a callback URL have anyone to tell;
     * the filter keeps every other change from invoking the function. A record that keeps failing is bisected away
     * from its batch, then parked in a failure queue.
     */
    private void wireNotifier(final EventSourceFunctionsProps props) {
        notifier.alias().addEventSource(DynamoEventSource.Builder.create(props.jobsTable())
                .startingPosition(StartingPosition.LATEST)
                .batchSize(NOTIFIER_BATCH_SIZE)
                .maxBatchingWindow(Duration.seconds(1))
                .bisectBatchOnError(true)
                .reportBatchItemFailures(true)
                .retryAttempts(10)
                .maxRecordAge(Duration.hours(24))
                .parallelizationFactor(4)
                .onFailure(new SqsDlq(notifierFailures))
                .filters(List.of(FilterCriteria.filter(Map.of(
                        "eventName", FilterRule.isEqual("MODIFY"),
                        "dynamodb", Map.of("NewImage", Map.of(
                                "status", Map.of("S", List.of("SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED")),
                                "callbackUrl", Map.of("S", FilterRule.exists())))))))
                .build());
        // Claims the delivery and records each attempt on the job.
        DataAccess.grant(notifier.function(), props.jobsTable(), DataAccess.READ, DataAccess.TRANSITION);
    }

    /** Every minute; a missed tick is not retried, the next one does the same work. */
    private void wireScheduler(final EventSourceFunctionsProps props) {
        Rule.Builder.create(this, "EveryMinute")
                .description("Spillway scheduler tick: backlog signal, reaper, batch outputs, batch webhooks")
                .schedule(Schedule.rate(Duration.minutes(1)))
                .targets(List.of(new LambdaFunction(scheduler.alias(), LambdaFunctionProps.builder()
                        .retryAttempts(0)
                        .maxEventAge(Duration.minutes(2))
                        .build())))
                .build();
        IFunction fn = scheduler.function();
        // Reaper: lapsed leases and overdue jobs from the sparse indexes, reclaimed or expired, and re-sent.
        DataAccess.grantQuery(fn, props.jobsTable(), DataStack.LEASE_INDEX);
        DataAccess.grantQuery(fn, props.jobsTable(), DataStack.DEADLINE_INDEX);
        DataAccess.grant(fn, props.jobsTable(), DataAccess.READ, DataAccess.TRANSITION,
                // batch outputs may resume a read whose function died: it creates the rest of the batch's jobs
                DataAccess.CREATE, DataAccess.BATCH_CREATE);
        // Batch outputs and batch webhooks: a batch's jobs, its record and the open-batch lists.
        DataAccess.grantQuery(fn, props.jobsTable(), DataStack.BATCH_INDEX);
        DataAccess.grant(fn, props.batchesTable(), DataAccess.READ, DataAccess.TRANSITION);
        DataAccess.grantQuery(fn, props.apiKeysTable(), DataStack.TENANT_CREATED_INDEX);
        ObjectAccess.grant(fn, props.filesBucket(), BATCH_FILES_PREFIX, ObjectAccess.READ);
        ObjectAccess.grant(fn, props.filesBucket(), BATCH_FILES_PREFIX, ObjectAccess.WRITE);
        ObjectAccess.grant(fn, props.filesBucket(), WORK_PREFIX, ObjectAccess.READ);
        ObjectAccess.grant(fn, props.filesBucket(), WORK_PREFIX, ObjectAccess.WRITE);
        ObjectAccess.grant(fn, props.filesBucket(), WORK_PREFIX, ObjectAccess.DELETE);
        ObjectAccess.grantMissingKeyAnswers(fn, props.filesBucket());
        props.queues().grantSend(fn);
        // Backlog: visible and in-flight messages per fleet and tier, each fleet's wake-up signal.
        props.queues().everyFleetsQueues().forEach(tier -> tier.queue().grant(fn, "sqs:GetQueueAttributes"));
    }

    private Queue failureQueue(final String id) {
        return Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
    }

    private void suppressFindings(final boolean tracing) {
        NagSuppressions.addResourceSuppressions(signingSecret, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-SMG4")
                .reason("Rotating the master secret changes every tenant's webhook signing secret at once; receivers "
                        + "must be handed their new secret first, so rotation is a deliberate operator step "
                        + "(docs/runbook.md). The functions read the secret at run time and pick up a new value "
                        + "within their cache time, without a deploy.")
                .build()));
        for (Construct failures : List.of(batchFileFailures, notifierFailures)) {
            NagSuppressions.addResourceSuppressions(failures, List.of(NagPackSuppression.builder()
                    .id("AwsSolutions-SQS3")
                    .reason("This queue is itself where failed events are parked for inspection and replay.")
                    .build()));
        }
        for (QuarkusFunction function : all()) {
            NagSuppressions.addResourceSuppressions(function, List.of(
                    Suppressions.lambdaManagedPolicies(),
                    Suppressions.grantWildcards(),
                    Suppressions.javaRuntime()), true);
            List<String> starReasons = new java.util.ArrayList<>();
            if (tracing) {
                starReasons.add("Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no "
                        + "resource-level form.");
            }
            if (function == notifier) {
                starReasons.add("The DynamoDB Streams event source needs dynamodb:ListStreams, which has no "
                        + "resource-level form; reading records is granted on the jobs table's stream only.");
            }
            if (!starReasons.isEmpty()) {
                NagSuppressions.addResourceSuppressions(function, List.of(NagPackSuppression.builder()
                        .id("AwsSolutions-IAM5")
                        .reason(String.join(" ", starReasons))
                        .appliesTo(List.of("Resource::*"))
                        .build()), true);
            }
        }
        // CDK's singleton that applies S3 notifications to the (imported) files bucket.
        NagSuppressions.addResourceSuppressionsByPath(Stack.of(this),
                "/" + Stack.of(this).getStackName() + "/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource",
                List.of(NagPackSuppression.builder()
                        .id("AwsSolutions-IAM4")
                        .reason("CDK's bucket-notifications handler: the AWS managed basic execution policy only "
                                + "lets it write its own CloudWatch logs.")
                        .appliesTo(List.of(
                                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"))
                        .build()));
    }

    /**
     * A fleet pre-scaling may raise: its name at run time ({@code shared} or the model's), its ECS service as
     * Application Auto Scaling names it ({@code service/<cluster>/<service>}), and the service's ARN.
     */
    public record PrescaledFleet(String fleet, String resourceId, String serviceArn) {
    }

    /**
     * The scheduler's forecast tasks: it records arrivals in {@code arrivals} and forecasts them, and with a budget
     * above 0 raises each fleet's minimum ahead of a forecast rise. The lead time and each task's throughput are the
     * fleet's {@code CapacitySettings} ({@code coldStartMaxSeconds}, {@code meanProcessingSeconds}, {@code minTasks});
     * the most tasks are read from the scalable target itself.
     *
     * @param gpuHoursPerDay the day's budget of task-hours above the deployed minimum ({@code prescaleGpuHoursPerDay});
     *                       0 switches pre-scaling off (the forecast is still published)
     */
    public void forecastAndPrescale(final ITable arrivals, final List<PrescaledFleet> fleets,
                                    final CapacitySettings settings, final double gpuHoursPerDay) {
        Function fn = scheduler.function();
        fn.addEnvironment(RuntimeEnvironment.FORECAST_TABLE, arrivals.getTableName());
        // The recorder checks which intervals are recorded (Query on the series), writes each once (a conditional
        // put) and keeps each fleet's budget ledger (get, conditional put): no Scan, no update, no delete.
        DataAccess.grant(fn, arrivals, DataAccess.READ, DataAccess.CREATE);
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder().grantee(fn).actions(List.of("dynamodb:Query"))
                .resourceArns(List.of(arrivals.getTableArn())).build());
        if (gpuHoursPerDay <= 0 || fleets.isEmpty()) {
            fn.addEnvironment(RuntimeEnvironment.PRESCALE_ENABLED, "false");
            return;
        }
        fn.addEnvironment(RuntimeEnvironment.PRESCALE_ENABLED, "true");
        fn.addEnvironment(RuntimeEnvironment.PRESCALE_GPU_HOURS_PER_DAY, Double.toString(gpuHoursPerDay));
        fn.addEnvironment(RuntimeEnvironment.PRESCALE_MEAN_PROCESSING, settings.meanProcessingTime().toString());
        fn.addEnvironment(RuntimeEnvironment.PRESCALE_COLD_START, settings.coldStartMax().toString());
        fn.addEnvironment(RuntimeEnvironment.FLEET_FLOOR_MIN_TASKS, Integer.toString(settings.minTasks()));
        fn.addEnvironment(RuntimeEnvironment.FLEET_FLOOR_SCALABLE_TARGETS, String.join(",",
                fleets.stream().map(fleet -> fleet.fleet() + "=" + fleet.resourceId()).toList()));
        // RegisterScalableTarget on an existing target accepts its ARN, but CloudFormation exposes no ARN of a
        // scalable target (its id is generated): this account's and region's scalable targets is as narrow as IAM
        // allows. Describe* has no resource-level form. Application Auto Scaling checks that the caller may describe
        // and update the ECS service whose target it changes: those are granted on the fleets' services only.
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("application-autoscaling:RegisterScalableTarget"))
                .resources(List.of(Stack.of(this).formatArn(ArnComponents.builder()
                        .service("application-autoscaling").resource("scalable-target").resourceName("*")
                        .arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build())))
                .conditions(Map.of("StringEquals", Map.of("application-autoscaling:service-namespace", "ecs")))
                .build());
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("application-autoscaling:DescribeScalableTargets"))
                .resources(List.of("*"))
                .build());
        fn.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:DescribeServices", "ecs:UpdateService"))
                .resources(fleets.stream().map(PrescaledFleet::serviceArn).toList())
                .build());
        NagSuppressions.addResourceSuppressions(scheduler, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("Pre-scaling: application-autoscaling:DescribeScalableTargets has no resource-level form, and "
                        + "CloudFormation gives no ARN of a scalable target to name in RegisterScalableTarget; it is "
                        + "limited to this account's and region's ECS scalable targets.")
                .appliesTo(List.of("Resource::*", "Resource::arn:<AWS::Partition>:application-autoscaling:"
                        + "<AWS::Region>:<AWS::AccountId>:scalable-target/*"))
                .build()), true);
    }

    public List<QuarkusFunction> all() {
        return List.of(batchFiles, ingest, notifier, scheduler);
    }

    public QuarkusFunction batchFiles() {
        return batchFiles;
    }

    public QuarkusFunction ingest() {
        return ingest;
    }

    public QuarkusFunction notifier() {
        return notifier;
    }

    public QuarkusFunction scheduler() {
        return scheduler;
    }

    /** The master secret of webhook signatures (operators read it to hand tenants their derived secrets). */
    public ISecret webhookSigningSecret() {
        return signingSecret;
    }

    /** Batch-file events S3 could not deliver after its retries. */
    public IQueue batchFileFailures() {
        return batchFileFailures;
    }

    /** Stream records the notifier gave up on (their batch info, for a replay from the stream). */
    public IQueue notifierFailures() {
        return notifierFailures;
    }
}
