package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** Task protection against a loopback server that answers as the ECS agent's task protection endpoint does. */
class ScaleInProtectionTest {

    private static final String ENABLE = "{\"ProtectionEnabled\":true,\"ExpiresInMinutes\":60}";
    private static final String DISABLE = "{\"ProtectionEnabled\":false}";

    private HttpServer agent;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresToAnswer = new AtomicInteger();
    private ScaleInProtection protection;

    @BeforeEach
    void startAgent() throws IOException {
        agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        agent.createContext("/task-protection/v1/state", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            calls.add(exchange.getRequestMethod() + " " + body);
            boolean fail = failuresToAnswer.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            byte[] answer = (fail ? "{\"failure\":{\"Reason\":\"agent busy\"}}" : "{\"protection\":{}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(fail ? 500 : 200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        agent.start();
        protection = new ScaleInProtection(Optional.of(URI.create("http://127.0.0.1:" + agent.getAddress().getPort())),
                Duration.ofMinutes(60), Clock.systemUTC());
    }

    @AfterEach
    void stopAgent() {
        protection.close();
        agent.stop(0);
    }

    @Test
    void holdingJobs_setsProtectionOnce_andReleasingThemClearsIt() {
        protection.jobsHeld(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 1);
        protection.jobsHeld(2);
        protection.jobsHeld(1);
        protection.jobsHeld(0);

        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 2);
        assertThat(calls).containsExactly("PUT " + ENABLE, "PUT " + DISABLE);
    }

    @Test
    void aRefusedCall_isTriedAgainOnTheNextChange() {
        failuresToAnswer.set(1);
        protection.jobsHeld(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 1);

        protection.jobsHeld(2);

        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 2);
        assertThat(calls).containsExactly("PUT " + ENABLE, "PUT " + ENABLE);
    }

    @Test
    void withoutTheAgent_nothingIsCalled() {
        ScaleInProtection off = new ScaleInProtection(Optional.empty(), Duration.ofMinutes(60), Clock.systemUTC());
        off.jobsHeld(1);
        off.jobsHeld(0);
        off.close();

        protection.jobsHeld(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 1);
        assertThat(calls).containsExactly("PUT " + ENABLE);
    }
}
