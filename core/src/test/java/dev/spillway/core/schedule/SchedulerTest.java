package dev.spillway.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.spillway.core.metrics.SpillwayMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** One tick runs every task; a task that throws is reported and counted, and the others still run. */
class SchedulerTest {

    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> ran = new ArrayList<>();

    private ScheduledTask task(String name, RuntimeException failure) {
        return new ScheduledTask() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void run(Instant now) {
                ran.add(name + "@" + now);
                if (failure != null) {
                    throw failure;
                }
            }
        };
    }

    private double runs(String task, String outcome) {
        return registry.get("spillway.scheduler.tasks").tag("task", task).tag("outcome", outcome).counter().count();
    }

    @Test
    void aFailingTask_doesNotStopTheOthers_andIsReportedAndCounted() {
        Scheduler scheduler = new Scheduler(List.of(task("c-last", null),
                task("b-broken", new IllegalStateException("queue unreachable")), task("a-first", null)),
                new SpillwayMetrics(registry));

        TickReport report = scheduler.tick(NOW);

        assertThat(ran).containsExactly("a-first@" + NOW, "b-broken@" + NOW, "c-last@" + NOW);
        assertThat(report.at()).isEqualTo(NOW);
        assertThat(report.outcomes()).containsEntry("a-first", "ok").containsEntry("c-last", "ok");
        assertThat(report.outcomes().get("b-broken")).startsWith("failed: ").contains("queue unreachable");
        assertThat(report.failed()).containsExactly("b-broken");
        assertThat(runs("b-broken", "failed")).isEqualTo(1);
        assertThat(runs("a-first", "ok")).isEqualTo(1);
        assertThat(runs("c-last", "ok")).isEqualTo(1);
    }

    @Test
    void everyTick_runsEveryTaskAgain() {
        Scheduler scheduler = new Scheduler(List.of(task("only", null)), new SpillwayMetrics(registry));

        scheduler.tick(NOW);
        scheduler.tick(NOW.plusSeconds(60));

        assertThat(ran).containsExactly("only@" + NOW, "only@" + NOW.plusSeconds(60));
        assertThat(runs("only", "ok")).isEqualTo(2);
    }
}
