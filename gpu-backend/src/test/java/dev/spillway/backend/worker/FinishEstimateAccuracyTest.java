package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.eta.DrainReport;
import dev.spillway.core.eta.DrainReports;
import dev.spillway.core.eta.FinishEstimator;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The intake's finish estimate against what really happens: a worker whose engine takes a known time per job (the
 * scripted upstream sleeps 400 ms), measured by the worker itself and reported through Redis, drains a steady backlog;
 * each job's estimate, made just before it is queued, lands within half of its actual wait either way.
 */
@QuarkusTest
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ScriptedUpstreamResource.class, restrictToAnnotatedClass = true)
@TestProfile(FinishEstimateAccuracyTest.FreshReports.class)
class FinishEstimateAccuracyTest {

    private static final Logger LOG = Logger.getLogger(FinishEstimateAccuracyTest.class);
    private static final int SERVICE_MILLIS = 400;
    private static final int BACKLOG = 32;
    /** The first job behind a full round of the worker's four slots: from here on the backlog is steady. */
    private static final int STEADY_FROM = 8;

    public static class FreshReports implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spillway.eta.report-interval", "PT0.2S", "spillway.eta.reading-ttl", "PT0S",
                    "spillway.eta.window", "PT20S");
        }
    }

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;
    @Inject
    Fleets fleets;
    @Inject
    FinishEstimator estimator;
    @Inject
    DrainReports reports;

    private Job queued(String content) {
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE, new ChatCompletionRequest("scripted",
                List.of(ChatMessage.of("user", content)), 0.0, null, 8, null, null, null), null, now,
                now.plus(Duration.ofHours(1)));
        store.create(job);
        queue.send(fleets.of("scripted"), Tier.INTERACTIVE, job.id());
        return job;
    }

    private Job finished(String id) {
        return await().atMost(Duration.ofSeconds(120)).until(() -> store.find(id).orElseThrow(),
                job -> job.status() == JobStatus.SUCCEEDED);
    }

    @Test
    void forASteadyBacklog_theEstimateIsWithinHalfOfTheActualFinish() {
        // GIVEN the worker has run a few jobs and reported their service time
        List<Job> warmUp = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            warmUp.add(queued("sleep:" + SERVICE_MILLIS + " warm-up " + i));
        }
        warmUp.forEach(job -> finished(job.id()));
        await().atMost(Duration.ofSeconds(10)).until(() -> reports.read(Fleets.SHARED).stream()
                .mapToLong(DrainReport::completions).sum() >= warmUp.size());

        // WHEN a backlog is queued back to back, each job's finish estimated just before it joins the queue
        List<Job> backlog = new ArrayList<>();
        List<Instant> estimates = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            estimates.add(estimator.estimate("scripted", Tier.INTERACTIVE).orElseThrow());
            backlog.add(queued("sleep:" + SERVICE_MILLIS + " backlog " + i));
        }

        // THEN for each job queued behind a full round of the four slots, the estimate was within 50% of its wait
        List<String> misses = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            Job done = finished(backlog.get(i).id());
            Duration estimated = Duration.between(backlog.get(i).created(), estimates.get(i));
            Duration actual = Duration.between(backlog.get(i).created(), done.finished());
            ratios.add((double) estimated.toMillis() / Math.max(1, actual.toMillis()));
            if (i >= STEADY_FROM && Math.abs(estimated.toMillis() - actual.toMillis()) > actual.toMillis() * 0.5) {
                misses.add("job " + i + ": estimated " + estimated.toMillis() + " ms, took " + actual.toMillis() + " ms");
            }
        }
        LOG.infof("estimate / actual wait over the backlog: min %.2f, max %.2f, last job %s",
                ratios.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                ratios.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
                String.format("%.2f", ratios.get(BACKLOG - 1)));
        assertThat(misses).isEmpty();
    }
}
