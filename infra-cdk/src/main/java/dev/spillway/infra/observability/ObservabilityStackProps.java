package dev.spillway.infra.observability;

import java.util.Map;

import dev.spillway.infra.data.PriorityQueues;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.apigateway.RestApiBase;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.IService;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;

/** What {@link ObservabilityStack} watches, and when it pages. */
public interface ObservabilityStackProps extends StackProps {

    /** The front door: its requests, 4xx and 5xx are graphed and page. */
    RestApiBase getRestApi();

    IFunction getIntakeFunction();

    PriorityQueues getQueues();

    /** The event-source functions, by name ({@code ingest}, ...): their errors are graphed and page. */
    Map<String, IFunction> getEventFunctions();

    /**
     * Queues where events that could not be handled are parked (the ingest DLQ, the batch-file and notifier
     * failure queues), by label; any message there pages.
     */
    Map<String, IQueue> getEventFailureQueues();

    ICluster getCluster();

    IService getWorkerService();

    /** The fleet's task ceiling; sitting there long means the fleet is too small. */
    int getMaxTasks();

    /** Oldest queued message older than this pages. */
    Duration getMaxMessageAge();

    /** Share of API requests answered 5xx, in percent, above which it pages. */
    double getServerErrorRatePercent();

    /** Share of API requests answered 4xx, in percent, above which it pages (bad keys, throttles, WAF blocks). */
    double getClientErrorRatePercent();

    /** How long the fleet may sit at {@code maxTasks} before it pages. */
    Duration getFleetAtMaxFor();

    /** E-mail address subscribed to the alarm topic, or {@code null}. */
    String getAlarmEmail();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private RestApiBase restApi;
        private IFunction intakeFunction;
        private PriorityQueues queues;
        private Map<String, IFunction> eventFunctions = Map.of();
        private Map<String, IQueue> eventFailureQueues = Map.of();
        private ICluster cluster;
        private IService workerService;
        private int maxTasks;
        private Duration maxMessageAge = Duration.minutes(15);
        private double serverErrorRatePercent = 5;
        private double clientErrorRatePercent = 25;
        private Duration fleetAtMaxFor = Duration.minutes(30);
        private String alarmEmail;
        private String description;

        public Builder restApi(final RestApiBase value) {
            this.restApi = value;
            return this;
        }

        public Builder intakeFunction(final IFunction value) {
            this.intakeFunction = value;
            return this;
        }

        public Builder queues(final PriorityQueues value) {
            this.queues = value;
            return this;
        }

        public Builder eventFunctions(final Map<String, IFunction> value) {
            this.eventFunctions = Map.copyOf(value);
            return this;
        }

        public Builder eventFailureQueues(final Map<String, IQueue> value) {
            this.eventFailureQueues = Map.copyOf(value);
            return this;
        }

        public Builder cluster(final ICluster value) {
            this.cluster = value;
            return this;
        }

        public Builder workerService(final IService value) {
            this.workerService = value;
            return this;
        }

        public Builder maxTasks(final int value) {
            this.maxTasks = value;
            return this;
        }

        public Builder maxMessageAge(final Duration value) {
            this.maxMessageAge = value;
            return this;
        }

        public Builder serverErrorRatePercent(final double value) {
            this.serverErrorRatePercent = value;
            return this;
        }

        public Builder clientErrorRatePercent(final double value) {
            this.clientErrorRatePercent = value;
            return this;
        }

        public Builder fleetAtMaxFor(final Duration value) {
            this.fleetAtMaxFor = value;
            return this;
        }

        public Builder alarmEmail(final String value) {
            this.alarmEmail = value;
            return this;
        }

        public Builder description(final String value) {
            this.description = value;
            return this;
        }

        public ObservabilityStackProps build() {
            return new Values(restApi, intakeFunction, queues, eventFunctions, eventFailureQueues, cluster,
                    workerService, maxTasks, maxMessageAge, serverErrorRatePercent, clientErrorRatePercent, fleetAtMaxFor,
                    alarmEmail, description);
        }
    }

    record Values(RestApiBase getRestApi, IFunction getIntakeFunction, PriorityQueues getQueues,
                  Map<String, IFunction> getEventFunctions, Map<String, IQueue> getEventFailureQueues,
                  ICluster getCluster,
                  IService getWorkerService, int getMaxTasks, Duration getMaxMessageAge,
                  double getServerErrorRatePercent, double getClientErrorRatePercent, Duration getFleetAtMaxFor, String getAlarmEmail,
                  String getDescription) implements ObservabilityStackProps {
    }
}
