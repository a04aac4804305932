package dev.spillway.infra.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.infra.DeployedApp;
import dev.spillway.infra.data.PriorityQueues;
import dev.spillway.infra.data.PriorityQueuesProps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ClusterAttributes;
import software.amazon.awscdk.services.ecs.Ec2Service;
import software.amazon.awscdk.services.ecs.Ec2ServiceAttributes;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.lambda.Function;

class ObservabilityStackTest {

    private static Template template;

    @BeforeAll
    static void synthesize() {
        template = DeployedApp.template(DeployedApp.stacks().observability());
    }

    @Test
    void dashboard_coversApiLambdaQueuesFleetAndCustomMetrics() {
        template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
        template.hasResourceProperties("AWS::CloudWatch::Dashboard", Match.objectLike(Map.of(
                "DashboardBody", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                        Match.stringLikeRegexp("\"AWS/ApiGateway\",\"5XXError\""),
                        Match.stringLikeRegexp("\"AWS/Lambda\",\"Duration\""),
                        Match.stringLikeRegexp("\"stat\":\"p99\""),
                        Match.stringLikeRegexp("\"ApproximateAgeOfOldestMessage\""),
                        Match.stringLikeRegexp("\"ECS/ContainerInsights\",\"RunningTaskCount\""),
                        Match.stringLikeRegexp("SEARCH.*Spillway.*CacheHit.*CacheMiss"),
                        Match.stringLikeRegexp("SEARCH.*Spillway.*JobsSucceeded.*JobsFailed"),
                        Match.stringLikeRegexp("SEARCH.*Spillway.*BatchSize"))))))));
        assertThat(String.valueOf(template.findResources("AWS::CloudWatch::Dashboard")))
                .as("the stage's 429s and the intake's concurrency against its reservation")
                .contains("\"Spillway\",\"ApiThrottled\"", "ConcurrentExecutions");
    }

    @Test
    void everyDeadLetterAndFailureQueue_pagesWhenNotEmpty() {
        Object dlqNotEmpty = Match.objectLike(Map.of(
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Namespace", "AWS/SQS",
                "Threshold", 0,
                "ComparisonOperator", "GreaterThanThreshold",
                "AlarmActions", List.of(Map.of("Ref", Match.stringLikeRegexp("AlarmTopic.*")))));
        // three tier DLQs, the ingest DLQ, and the batch-file and notifier failure queues
        template.resourcePropertiesCountIs("AWS::CloudWatch::Alarm", dlqNotEmpty, 6);
    }

    @Test
    void oldMessages_pagePerTier() {
        template.resourcePropertiesCountIs("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "MetricName", "ApproximateAgeOfOldestMessage",
                "Threshold", 900,
                "ComparisonOperator", "GreaterThanThreshold")), 3);
    }

    @Test
    void apiServerErrorRate_pagesAboveFivePercent() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Threshold", 5,
                "Metrics", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Expression", "IF(requests > 0, 100 * errors / requests, 0)")),
                        Match.objectLike(Map.of("Id", "errors", "MetricStat", Match.objectLike(Map.of(
                                "Metric", Match.objectLike(Map.of("MetricName", "5XXError")))))))))));
    }

    @Test
    void apiClientErrorRateAndStageThrottling_page() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Threshold", 25,
                "Metrics", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Id", "errors", "MetricStat", Match.objectLike(Map.of(
                                "Metric", Match.objectLike(Map.of("MetricName", "4XXError")))))))))));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Threshold", 0,
                "ComparisonOperator", "GreaterThanThreshold",
                "Metrics", List.of(Match.objectLike(Map.of("MetricStat", Match.objectLike(Map.of(
                        "Metric", Map.of("Namespace", "Spillway", "MetricName", "ApiThrottled"),
                        "Stat", "Sum"))))))));
    }

    @Test
    void everyFunction_pagesWhenThrottled() {
        template.resourcePropertiesCountIs("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Namespace", "AWS/Lambda",
                "MetricName", "Throttles",
                "Threshold", 0,
                "ComparisonOperator", "GreaterThanThreshold",
                "AlarmActions", List.of(Map.of("Ref", Match.stringLikeRegexp("AlarmTopic.*"))))), 5);
    }

    @Test
    void fleetAtMaximumForHalfAnHour_pages() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Namespace", "ECS/ContainerInsights",
                "MetricName", "RunningTaskCount",
                "Statistic", "Minimum",
                "Threshold", CapacitySettings.defaults().maxTasks(),
                "EvaluationPeriods", 6,
                "ComparisonOperator", "GreaterThanOrEqualToThreshold")));
        // 6 queue-not-empty, 3 oldest-message, 5 throttles, 4xx, 5xx, stage throttling, fleet at maximum
        template.resourceCountIs("AWS::CloudWatch::Alarm", 18);
    }

    @Test
    void alarmTopic_enforcesTlsAndHasNoSubscriberByDefault() {
        template.resourceCountIs("AWS::SNS::Topic", 1);
        template.resourceCountIs("AWS::SNS::Subscription", 0);
        template.hasResourceProperties("AWS::SNS::TopicPolicy", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(
                        Map.of("Effect", "Deny",
                                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
    }

    @Test
    void alarmEmail_subscribesToTheTopic() {
        App app = new App();
        Stack upstream = new Stack(app, "Upstream");
        PriorityQueues queues = new PriorityQueues(upstream, "Queues", PriorityQueuesProps.builder().build());
        ICluster cluster = Cluster.fromClusterAttributes(upstream, "Cluster", ClusterAttributes.builder()
                .clusterName("spillway")
                .vpc(Vpc.fromVpcAttributes(upstream, "Vpc", VpcAttributes.builder()
                        .vpcId("vpc-12345").availabilityZones(List.of("eu-west-1a", "eu-west-1b")).build()))
                .build());
        RestApi api = RestApi.Builder.create(upstream, "Api").build();
        api.getRoot().addMethod("GET");
        ObservabilityStack stack = new ObservabilityStack(app, "Watch", ObservabilityStackProps.builder()
                .restApi(api)
                .intakeFunction(Function.fromFunctionName(upstream, "Intake", "spillway-intake"))
                .queues(queues)
                .cluster(cluster)
                .workerService(Ec2Service.fromEc2ServiceAttributes(upstream, "Service",
                        Ec2ServiceAttributes.builder().cluster(cluster).serviceName("workers").build()))
                .maxTasks(2)
                .alarmEmail("oncall@example.com")
                .build());

        Template watch = Template.fromStack(stack);

        watch.hasResourceProperties("AWS::SNS::Subscription", Match.objectLike(Map.of(
                "Protocol", "email", "Endpoint", "oncall@example.com")));
        watch.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "MetricName", "RunningTaskCount", "Threshold", 2)));
    }
}
