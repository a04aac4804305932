package dev.spillway.infra.observability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.spillway.infra.api.ApiStack;
import dev.spillway.infra.data.FleetQueues;
import dev.spillway.infra.data.PriorityQueues;
import dev.spillway.infra.data.TierQueue;
import dev.spillway.infra.fleet.BacklogScaling;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.constructs.Construct;

/**
 * One dashboard for the whole flow (front door, spill queues, fleet, cache and job outcomes) and the alarms
 * that page through one SNS topic.
 */
public final class ObservabilityStack extends Stack {

    /** Namespace of the metrics the intake and the worker publish themselves (EMF / Micrometer). */
    public static final String CUSTOM_NAMESPACE = "Spillway";
    public static final List<String> CUSTOM_METRICS =
            List.of("CacheHit", "CacheMiss", "JobsSucceeded", "JobsFailed", "BatchSize");

    private static final Duration PERIOD = Duration.minutes(5);

    private final Topic alarmTopic;
    private final Dashboard dashboard;
    private final List<Alarm> alarms = new ArrayList<>();

    public ObservabilityStack(final Construct scope, final String id, final ObservabilityStackProps props) {
        super(scope, id, props);

        this.alarmTopic = Topic.Builder.create(this, "AlarmTopic")
                .displayName("Spillway alarms")
                .enforceSsl(true)
                .build();
        NagSuppressions.addResourceSuppressions(alarmTopic, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-SNS2")
                .reason("The topic carries only alarm state changes, no user data. CloudWatch cannot publish to a "
                        + "topic encrypted with the AWS managed SNS key, and a customer managed key would add a "
                        + "monthly charge to an otherwise idle deployment.")
                .build()));
        if (props.getAlarmEmail() != null && !props.getAlarmEmail().isBlank()) {
            alarmTopic.addSubscription(new EmailSubscription(props.getAlarmEmail()));
        } else {
            Annotations.of(this).addWarning("No alarmEmail: alarms go to the topic but nobody is subscribed. Deploy "
                    + "with -c alarmEmail=... or subscribe the topic yourself (docs/runbook.md).");
        }

        this.dashboard = Dashboard.Builder.create(this, "Dashboard")
                .defaultInterval(Duration.hours(3))
                .build();
        dashboard.addWidgets(TextWidget.Builder.create()
                .markdown("# Spillway\nFront door → spill queues → GPU fleet. Custom metrics: namespace `"
                        + CUSTOM_NAMESPACE + "`, `Lane` dimension where it applies.")
                .width(24).height(2).build());
        dashboard.addWidgets(apiWidgets(props).toArray(IWidget[]::new));
        dashboard.addWidgets(queueWidgets(props).toArray(IWidget[]::new));
        dashboard.addWidgets(fleetAndCustomWidgets(props).toArray(IWidget[]::new));

        addAlarms(props);
    }

    private List<IWidget> apiWidgets(final ObservabilityStackProps props) {
        MetricOptions sum = MetricOptions.builder().statistic("Sum").period(PERIOD).build();
        return List.of(
                graph("API requests and errors", List.of(
                        props.getRestApi().metricCount(sum),
                        props.getRestApi().metricClientError(sum),
                        props.getRestApi().metricServerError(sum),
                        throttledRequests(sum))),
                graph("Intake duration p99 (ms)", List.of(
                        props.getIntakeFunction().metricDuration(MetricOptions.builder()
                                .statistic("p99").period(PERIOD).build()))),
                graph("Intake errors, throttles and concurrency", List.of(
                        props.getIntakeFunction().metricErrors(sum),
                        props.getIntakeFunction().metricThrottles(sum),
                        props.getIntakeFunction().metric("ConcurrentExecutions", MetricOptions.builder()
                                .statistic("Maximum").period(PERIOD).build()))),
                graph("Event-source function errors", new java.util.TreeMap<>(props.getEventFunctions()).entrySet()
                        .stream().map(e -> (IMetric) e.getValue().metricErrors(labelled(sum, e.getKey())))
                        .toList()));
    }

    private List<IWidget> queueWidgets(final ObservabilityStackProps props) {
        List<IMetric> depth = new ArrayList<>();
        List<IMetric> age = new ArrayList<>();
        List<IMetric> dlq = new ArrayList<>();
        MetricOptions max = MetricOptions.builder().statistic("Maximum").period(PERIOD).build();
        for (TierQueue tier : props.getQueues().all()) {
            String name = tier.tier().id();
            depth.add(tier.queue().metricApproximateNumberOfMessagesVisible(labelled(max, name)));
            age.add(tier.queue().metricApproximateAgeOfOldestMessage(labelled(max, name)));
            dlq.add(tier.deadLetterQueue().metricApproximateNumberOfMessagesVisible(labelled(max, name + " DLQ")));
        }
        return List.of(
                graph("Queue depth (visible) per tier", depth),
                graph("Oldest message age (s) per tier", age),
                graph("Dead-letter queue depth", dlq));
    }

    private List<IWidget> fleetAndCustomWidgets(final ObservabilityStackProps props) {
        return List.of(
                graph("Worker tasks running", List.of(
                        BacklogScaling.runningTasks(props.getCluster(), props.getWorkerService()))),
                graph("Cache hits and misses", List.of(search("CacheHit", "Sum"), search("CacheMiss", "Sum"))),
                graph("Jobs by outcome and lane", List.of(search("JobsSucceeded", "Sum"),
                        search("JobsFailed", "Sum"))),
                graph("Batch size (average per engine call)", List.of(search("BatchSize", "Average"))),
                // The scheduler's forecast per fleet (jobs expected in the next 5 minutes) beside the minimum
                // pre-scaling set and the tasks the forecast needs a cold start ahead (docs/capacity.md).
                graph("Forecast arrivals (next 5 min) and pre-scaling per fleet", List.of(
                        search("ForecastArrivals", "Maximum"), search("PrescaleFloor", "Maximum"),
                        search("PrescaleMinimum", "Maximum"))));
    }

    /** Per tier queue of one fleet: a dead letter pages at once, an old message when it stays old. */
    private void queueAlarms(final ObservabilityStackProps props, final FleetQueues fleet, final String prefix,
                             final String label) {
        for (TierQueue tier : fleet.tiers()) {
            String name = prefix + tier.tier().constructId();
            alarm(Alarm.Builder.create(this, name + "DlqNotEmpty")
                    .alarmDescription("Messages reached the " + label + tier.tier().id()
                            + " dead-letter queue: jobs failed every delivery. Inspect, fix, redrive.")
                    .metric(tier.deadLetterQueue().metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                            .statistic("Maximum").period(Duration.minutes(1)).build()))
                    .threshold(0)
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                    .evaluationPeriods(1)
                    .treatMissingData(TreatMissingData.NOT_BREACHING));
            alarm(Alarm.Builder.create(this, name + "OldestMessageAge")
                    .alarmDescription("The oldest " + label + tier.tier().id() + " message waited longer than "
                            + props.getMaxMessageAge().toSeconds() + " s: the fleet is not keeping up or not starting.")
                    .metric(tier.queue().metricApproximateAgeOfOldestMessage(MetricOptions.builder()
                            .statistic("Maximum").period(Duration.minutes(1)).build()))
                    .threshold(props.getMaxMessageAge().toSeconds())
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                    .evaluationPeriods(5)
                    .datapointsToAlarm(3)
                    .treatMissingData(TreatMissingData.NOT_BREACHING));
        }
    }

    private void addAlarms(final ObservabilityStackProps props) {
        List<FleetQueues> fleets = new ArrayList<>();
        fleets.add(props.getQueues().shared());
        fleets.addAll(props.getQueues().modelFleets());
        for (FleetQueues fleet : fleets) {
            // The shared fleet keeps the alarm ids it had when it was the only one.
            String prefix = fleet.isShared() ? "" : PriorityQueues.constructSafe(fleet.fleet());
            String label = fleet.isShared() ? "" : fleet.fleet() + " ";
            queueAlarms(props, fleet, prefix, label);
        }

        new java.util.TreeMap<>(props.getEventFailureQueues()).forEach((label, queue) -> alarm(
                Alarm.Builder.create(this, label.replaceAll("[^A-Za-z0-9]", "") + "NotEmpty")
                        .alarmDescription("Messages reached the " + label + ": events that could not be handled. "
                                + "Inspect the reason, fix, redrive.")
                        .metric(queue.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                                .statistic("Maximum").period(Duration.minutes(1)).build()))
                        .threshold(0)
                        .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                        .evaluationPeriods(1)
                        .treatMissingData(TreatMissingData.NOT_BREACHING)));

        addThrottleAlarms(props);

        MetricOptions sum = MetricOptions.builder().statistic("Sum").period(PERIOD).build();
        alarm(Alarm.Builder.create(this, "ApiClientErrorRate")
                .alarmDescription("More than " + props.getClientErrorRatePercent() + " % of API requests answered 4xx "
                        + "(bad keys, throttling, WAF blocks): a misbehaving client, an attack, or a throttle too low.")
                .metric(MathExpression.Builder.create()
                        .label("4xx rate (%)")
                        .expression("IF(requests > 0, 100 * errors / requests, 0)")
                        .usingMetrics(Map.of(
                                "requests", props.getRestApi().metricCount(sum),
                                "errors", props.getRestApi().metricClientError(sum)))
                        .period(PERIOD)
                        .build())
                .threshold(props.getClientErrorRatePercent())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(3)
                .datapointsToAlarm(3)
                .treatMissingData(TreatMissingData.NOT_BREACHING));
        alarm(Alarm.Builder.create(this, "ApiThrottling")
                .alarmDescription("The API stage answered 429 to callers for 3 of the last 5 minutes: demand is above "
                        + "the stage throttle. Raise apiThrottleRate with reservedConcurrency (docs/runbook.md).")
                .metric(throttledRequests(MetricOptions.builder().statistic("Sum").period(Duration.minutes(1)).build()))
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(5)
                .datapointsToAlarm(3)
                .treatMissingData(TreatMissingData.NOT_BREACHING));
        alarm(Alarm.Builder.create(this, "ApiServerErrorRate")
                .alarmDescription("More than " + props.getServerErrorRatePercent()
                        + " % of API requests answered 5xx.")
                .metric(MathExpression.Builder.create()
                        .label("5xx rate (%)")
                        .expression("IF(requests > 0, 100 * errors / requests, 0)")
                        .usingMetrics(Map.of(
                                "requests", props.getRestApi().metricCount(sum),
                                "errors", props.getRestApi().metricServerError(sum)))
                        .period(PERIOD)
                        .build())
                .threshold(props.getServerErrorRatePercent())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(3)
                .datapointsToAlarm(2)
                .treatMissingData(TreatMissingData.NOT_BREACHING));

        int periods = (int) Math.max(1, Math.ceil(props.getFleetAtMaxFor().toMinutes().doubleValue() / 5));
        alarm(Alarm.Builder.create(this, "FleetAtMaximum")
                .alarmDescription("The worker fleet has run at its maximum of " + props.getMaxTasks()
                        + " tasks for " + props.getFleetAtMaxFor().toMinutes()
                        + " min: raise maxTasks or the GPU quota, or expect growing latency.")
                .metric(BacklogScaling.runningTasks(props.getCluster(), props.getWorkerService())
                        .with(MetricOptions.builder().statistic("Minimum").period(PERIOD).build()))
                .threshold(props.getMaxTasks())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .evaluationPeriods(periods)
                .treatMissingData(TreatMissingData.NOT_BREACHING));
    }

    /**
     * Any throttle of a function pages: the intake's reach clients as 500s, and a throttled scheduler stops the
     * signal that wakes the fleet. Each function has its own reserved concurrency, so a throttle means that
     * reservation is too small for the load (docs/runbook.md, concurrency budget).
     */
    private void addThrottleAlarms(final ObservabilityStackProps props) {
        Map<String, IFunction> functions = new java.util.TreeMap<>(props.getEventFunctions());
        functions.put("intake", props.getIntakeFunction());
        functions.forEach((name, function) -> alarm(Alarm.Builder.create(this,
                        constructId(name) + "Throttled")
                .alarmDescription("The " + name + " function was throttled: its reserved concurrency is exhausted.")
                .metric(function.metricThrottles(MetricOptions.builder().statistic("Sum")
                        .period(Duration.minutes(1)).build()))
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)));
    }

    /** Requests the stage answered 429, counted by a metric filter on its access log. */
    private static Metric throttledRequests(final MetricOptions options) {
        return Metric.Builder.create()
                .namespace(CUSTOM_NAMESPACE)
                .metricName(ApiStack.THROTTLED_METRIC)
                .statistic(options.getStatistic())
                .period(options.getPeriod())
                .label("429 (stage throttle)")
                .build();
    }

    private static String constructId(final String name) {
        StringBuilder id = new StringBuilder();
        for (String part : name.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return id.toString();
    }

    private void alarm(final Alarm.Builder builder) {
        Alarm alarm = builder.build();
        alarm.addAlarmAction(new SnsAction(alarmTopic));
        alarms.add(alarm);
    }

    /** Every series of a custom metric, whatever its dimensions (e.g. one per {@code Lane}). */
    private static MathExpression search(final String metricName, final String statistic) {
        return MathExpression.Builder.create()
                .expression("SEARCH('Namespace=\"" + CUSTOM_NAMESPACE + "\" MetricName=\"" + metricName + "\"', '"
                        + statistic + "', " + PERIOD.toSeconds() + ")")
                .usingMetrics(Map.of())
                .label(metricName)
                .period(PERIOD)
                .build();
    }

    private static MetricOptions labelled(final MetricOptions base, final String label) {
        return MetricOptions.builder().statistic(base.getStatistic()).period(base.getPeriod()).label(label).build();
    }

    private static GraphWidget graph(final String title, final List<? extends IMetric> left) {
        return GraphWidget.Builder.create().title(title).left(List.copyOf(left)).width(8).height(6).build();
    }

    public Topic alarmTopic() {
        return alarmTopic;
    }

    public Dashboard dashboard() {
        return dashboard;
    }

    public List<Alarm> alarms() {
        return List.copyOf(alarms);
    }
}
