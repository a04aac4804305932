package dev.spillway.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CapacitySettingsTest {

    @Test
    void noContext_givesTheDefaultsChosenWithThePlanner() {
        CapacitySettings settings = CapacitySettings.defaults();

        assertThat(settings.instanceType()).isEqualTo("g6.xlarge");
        assertThat(settings.minTasks()).isOne();
        assertThat(settings.maxTasks()).isEqualTo(6);
        assertThat(settings.workerConcurrency()).isEqualTo(8);
        assertThat(settings.taskJobsPerSecond()).isEqualTo(0.5);
        assertThat(settings.targetBacklogPerTask()).isEqualTo(15.0);
        assertThat(settings.scaleOutCooldown()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.scaleInCooldown()).isEqualTo(Duration.ofSeconds(300));
        assertThat(settings.scaleFromZeroCooldown()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.coldStartMin()).isEqualTo(Duration.ofMinutes(6));
        assertThat(settings.coldStartMax()).isEqualTo(Duration.ofMinutes(8));
        assertThat(settings.reservedConcurrency()).isEqualTo(700);
        assertThat(settings.defaultWait()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.problems()).isEmpty();
    }

    @Test
    void contextValues_arriveAsNumbersFromCdkJsonOrStringsFromTheCommandLine() {
        Map<String, Object> context = Map.of("maxTasks", 10, "acceptableLatencySeconds", "120",
                "meanProcessingSeconds", " 4 ", "reservedConcurrency", "300", "instanceType", "g5.xlarge");

        CapacitySettings settings = CapacitySettings.fromContext(context::get);

        assertThat(settings.maxTasks()).isEqualTo(10);
        assertThat(settings.targetBacklogPerTask()).isEqualTo(30.0);
        assertThat(settings.taskJobsPerSecond()).isEqualTo(0.25);
        assertThat(settings.reservedConcurrency()).isEqualTo(300);
        assertThat(settings.instanceType()).isEqualTo("g5.xlarge");
    }

    @Test
    void nonNumericCount_isRejectedWithTheKeyName() {
        Map<String, Object> context = Map.of("maxTasks", "many");

        assertThatThrownBy(() -> CapacitySettings.fromContext(context::get))
                .hasMessage("Context 'maxTasks' must be an integer, got 'many'");
    }

    @Test
    void problems_nameEachSettingThatCannotWork() {
        assertThat(settings(Map.of("acceptableLatencySeconds", 5, "meanProcessingSeconds", 10)).problems())
                .singleElement().asString().contains("acceptableLatency (5.0 s) is shorter than meanProcessingTime");
        assertThat(settings(Map.of("maxTasks", 0)).problems()).anyMatch(p -> p.contains("maxTasks"));
        assertThat(settings(Map.of("minTasks", 7)).problems()).singleElement().asString()
                .contains("minTasks must be between 0 and maxTasks (6)");
        assertThat(settings(Map.of("coldStartMinSeconds", 500)).problems()).singleElement().asString()
                .contains("coldStartMinSeconds <= coldStartMaxSeconds");
    }

    private static CapacitySettings settings(final Map<String, Object> context) {
        return CapacitySettings.fromContext(context::get);
    }
}
