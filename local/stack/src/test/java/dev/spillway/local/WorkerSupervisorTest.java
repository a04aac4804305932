package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The supervisor with stand-in workers (plain {@code sleep} processes), so a death is cheap to cause. */
class WorkerSupervisorTest {

    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final RestartBackoff quickBackoff = new RestartBackoff(Duration.ofMillis(50), Duration.ofMillis(200),
            Duration.ofSeconds(60));

    private WorkerProcess startStandIn() {
        try {
            Process process = new ProcessBuilder("sleep", "300").start();
            started.add(process);
            return WorkerProcess.of(process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void killStandIns() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aWorkerThatIsKilled_isReplacedByANewOne() {
        // GIVEN a supervised worker
        try (WorkerSupervisor supervisor = WorkerSupervisor.start(this::startStandIn, quickBackoff, Clock.systemUTC())) {
            long first = supervisor.pid();

            // WHEN it is killed
            started.get(0).destroyForcibly();

            // THEN a new worker runs in its place
            await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.pid() != first);
            assertThat(supervisor.restarts()).isEqualTo(1);
            assertThat(started).hasSize(2);
            assertThat(started.get(1).isAlive()).isTrue();
        }
    }

    @Test
    void aWorkerThatKeepsDying_isReplacedEachTime() {
        try (WorkerSupervisor supervisor = WorkerSupervisor.start(this::startStandIn, quickBackoff, Clock.systemUTC())) {
            for (int death = 1; death <= 3; death++) {
                int expectedRestarts = death;
                started.get(death - 1).destroyForcibly();
                await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.restarts() == expectedRestarts);
            }

            assertThat(started).hasSize(4);
            assertThat(started.get(3).isAlive()).isTrue();
        }
    }

    @Test
    void close_stopsTheWorkerWithoutStartingANewOne() {
        // GIVEN a supervised worker
        WorkerSupervisor supervisor = WorkerSupervisor.start(this::startStandIn, quickBackoff, Clock.systemUTC());

        // WHEN the stack stops
        supervisor.close();

        // THEN the worker is gone and stays replaced by nothing, even after the back-off would have passed
        assertThat(started.get(0).isAlive()).isFalse();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> started.size() == 1 && supervisor.restarts() == 0);
    }
}
