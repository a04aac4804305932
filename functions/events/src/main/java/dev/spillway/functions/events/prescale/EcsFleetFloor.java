package dev.spillway.functions.events.prescale;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.spillway.core.forecast.FleetFloor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClient;
import software.amazon.awssdk.services.applicationautoscaling.ApplicationAutoScalingClientBuilder;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableDimension;
import software.amazon.awssdk.services.applicationautoscaling.model.ScalableTarget;
import software.amazon.awssdk.services.applicationautoscaling.model.ServiceNamespace;

/**
 * A fleet's minimum is the {@code MinCapacity} of its ECS service's scalable target: {@code RegisterScalableTarget} on
 * a registered target changes only what it is given, so its maximum and its target-tracking and step policies stay
 * as deployed. The maximum is read from the target itself ({@code DescribeScalableTargets}), so the floor never
 * passes what the deployment allows. A deploy sets the minimum back to the template's.
 */
@ApplicationScoped
public class EcsFleetFloor implements FleetFloor {

    private final Map<String, String> resourceIds;
    private final int minTasks;
    private final ApplicationAutoScalingClient client;

    @Inject
    public EcsFleetFloor(EcsFleetFloorConfig config) {
        this(resourceIds(config.scalableTargets().orElse(List.of())), config.minTasks(), client(config));
    }

    public EcsFleetFloor(Map<String, String> resourceIds, int minTasks, ApplicationAutoScalingClient client) {
        this.resourceIds = Map.copyOf(resourceIds);
        this.minTasks = minTasks;
        this.client = client;
    }

    private static ApplicationAutoScalingClient client(EcsFleetFloorConfig config) {
        ApplicationAutoScalingClientBuilder builder = ApplicationAutoScalingClient.builder()
                .httpClient(UrlConnectionHttpClient.create());
        config.region().map(Region::of).ifPresent(builder::region);
        config.endpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** {@code fleet=resource id} entries, as the CDK app writes them. */
    static Map<String, String> resourceIds(List<String> entries) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (String entry : entries) {
            int equals = entry.indexOf('=');
            if (equals <= 0 || equals == entry.length() - 1) {
                throw new IllegalArgumentException("a scalable target is <fleet>=<resource id>, got '" + entry + "'");
            }
            ids.put(entry.substring(0, equals).strip(), entry.substring(equals + 1).strip());
        }
        return ids;
    }

    @Override
    public Optional<Bounds> bounds(String fleet) {
        String resourceId = resourceIds.get(fleet);
        if (resourceId == null) {
            return Optional.empty();
        }
        List<ScalableTarget> targets = client.describeScalableTargets(b -> b.serviceNamespace(ServiceNamespace.ECS)
                .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT).resourceIds(resourceId))
                .scalableTargets();
        if (targets.isEmpty()) {
            throw new IllegalStateException("no scalable target " + resourceId + " for fleet " + fleet);
        }
        int maximum = targets.get(0).maxCapacity();
        return Optional.of(new Bounds(Math.min(minTasks, maximum), maximum));
    }

    @Override
    public void setMinimum(String fleet, int tasks) {
        String resourceId = resourceIds.get(fleet);
        if (resourceId == null) {
            throw new IllegalArgumentException("fleet " + fleet + " has no scalable target configured");
        }
        client.registerScalableTarget(b -> b.serviceNamespace(ServiceNamespace.ECS)
                .scalableDimension(ScalableDimension.ECS_SERVICE_DESIRED_COUNT).resourceId(resourceId)
                .minCapacity(tasks));
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
