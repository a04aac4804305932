package dev.spillway.intake.direct;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.metrics.SpillwayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;

/** The direct lane's configuration is checked at startup. (Its policies are exercised in functions' DirectLaneTest.) */
class DirectLaneConfigTest {

    @Test
    void construction_whenAModelNamesAnUnknownTarget_failsWithThatName() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of(
                        "spillway.upstreams.deepseek.base-url", "https://api.deepseek.com/v1",
                        "spillway.models.deepseek-chat.direct", "deepseek,dep-seek"), "test", 300))
                .withMapping(UpstreamsConfig.class)
                .withMapping(ModelsConfig.class)
                .build();

        Vertx vertx = Vertx.vertx();
        try {
            assertThatThrownBy(() -> new DirectLane(config.getConfigMapping(UpstreamsConfig.class),
                    config.getConfigMapping(ModelsConfig.class), vertx, new SpillwayMetrics(new SimpleMeterRegistry()),
                    Clock.systemUTC()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'dep-seek'");
        } finally {
            vertx.close();
        }
    }
}
