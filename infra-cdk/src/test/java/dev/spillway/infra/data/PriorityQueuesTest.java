package dev.spillway.infra.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.sqs.Queue;

class PriorityQueuesTest {

    private static PriorityQueues queues;
    private static Template template;

    @BeforeAll
    static void synthesize() {
        Stack stack = new Stack(new App(), "QueuesUnderTest");
        queues = new PriorityQueues(stack, "Queues", PriorityQueuesProps.builder()
                .maxReceiveCount(3)
                .visibilityTimeout(Duration.seconds(300))
                .build());
        queues.grantSend(Role.Builder.create(stack, "Producer").assumedBy(new AccountRootPrincipal()).build());
        queues.grantConsume(Role.Builder.create(stack, "Consumer").assumedBy(new AccountRootPrincipal()).build());
        template = Template.fromStack(stack);
    }

    @Test
    void eachTier_hasItsQueueAsTheResourceChild() {
        for (Tier tier : Tier.values()) {
            TierQueue tierQueue = queues.tier(tier);
            assertThat(tierQueue.getNode().getId()).isEqualTo(tier.constructId());
            assertThat(tierQueue.getNode().getDefaultChild()).isInstanceOf(Queue.class);
            assertThat(((Queue) tierQueue.getNode().getDefaultChild()).getNode().getId()).isEqualTo("Resource");
        }
        assertThat(queues.all()).extracting(TierQueue::tier).containsExactly(Tier.values());
    }

    @Test
    void props_reachEveryTierQueue() {
        assertThat(template.findResources("AWS::SQS::Queue", Match.objectLike(Map.of("Properties", Match.objectLike(
                Map.of("VisibilityTimeout", 300,
                        "RedrivePolicy", Match.objectLike(Map.of("maxReceiveCount", 3)))))))).hasSize(3);
    }

    @Test
    void grantSend_namesOnlyTheTierQueues() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("Producer.*"))),
                "PolicyDocument", Match.objectLike(Map.of("Statement", List.of(
                        sendTo("Interactive"), sendTo("Standard"), sendTo("Batch")))))));
    }

    @Test
    void grantConsume_coversQueuesAndDlqsWithVisibilityAndDelete() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("Consumer.*"))),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Action", Match.arrayWith(List.of("sqs:ReceiveMessage",
                                        "sqs:ChangeMessageVisibility", "sqs:DeleteMessage")),
                                "Resource", Map.of("Fn::GetAtt",
                                        List.of(Match.stringLikeRegexp("QueuesInteractiveDlq.*"), "Arn")))))))))));
    }

    @Test
    void validation_rejectsAnOutOfRangeReceiveCountAndVisibility() {
        assertThat(PriorityQueues.validate(PriorityQueuesProps.builder().maxReceiveCount(0).build()))
                .singleElement().asString().contains("maxReceiveCount");
        assertThat(PriorityQueues.validate(PriorityQueuesProps.builder()
                .visibilityTimeout(Duration.hours(13)).build()))
                .singleElement().asString().contains("visibilityTimeout");
        assertThat(PriorityQueues.validate(PriorityQueuesProps.builder().build())).isEmpty();
    }

    @Test
    void validation_failsSynthesis() {
        Stack stack = new Stack(new App(), "BadQueues");
        new PriorityQueues(stack, "Queues", PriorityQueuesProps.builder()
                .maxReceiveCount(5000)
                .dlqRetention(Duration.days(1))
                .build());

        assertThatThrownBy(() -> Template.fromStack(stack))
                .hasMessageContaining("maxReceiveCount must be between 1 and 1000")
                .hasMessageContaining("dlqRetention must be longer");
    }

    /** A send statement on a tier queue; "Resource" children vanish from logical ids, so it is QueuesTier + hash. */
    private static Object sendTo(final String tier) {
        return Match.objectLike(Map.of(
                "Action", Match.arrayWith(List.of("sqs:SendMessage")),
                "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Queues" + tier + "[0-9A-F]{8}$"),
                        "Arn"))));
    }
}
