package dev.spillway.local.emulators;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;
import org.elasticmq.StrictSQSLimits$;
import org.elasticmq.actor.QueueManagerActor;
import org.elasticmq.actor.queue.QueueEvent;
import org.elasticmq.persistence.CreateQueueMetadata;
import org.elasticmq.persistence.sql.SqlQueuePersistenceActor;
import org.elasticmq.persistence.sql.SqlQueuePersistenceConfig;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.util.NowProvider;
import org.jboss.logging.Logger;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import scala.Option;
import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;
import scala.util.Either;

/**
 * ElasticMQ, an SQS-compatible server, embedded on a loopback port. Can be stopped and started again. With a data
 * folder, queues and messages live in an H2 database there and survive a crash (kill -9) of this process; without
 * one they are in memory.
 */
public final class ElasticMqServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ElasticMqServer.class);
    private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Pekko's scheduler wakes every tick, work or not: 100 times a second by default, most of an idle stack's CPU.
     * ElasticMQ's timers (the end of a long poll) need no finer than a tenth of a second.
     */
    private static final String SCHEDULER_TICK = "pekko.scheduler.tick-duration = 100ms";

    private final int port;
    private final Path dataFolder;
    private SQSRestServer server;
    private ActorSystem actorSystem;

    /** In memory. */
    public ElasticMqServer(int port) {
        this(port, null);
    }

    /** @param dataFolder where queues and messages are kept, or null for memory */
    public ElasticMqServer(int port, Path dataFolder) {
        this.port = port;
        this.dataFolder = dataFolder == null ? null : dataFolder.toAbsolutePath().normalize();
    }

    public synchronized ElasticMqServer start() {
        if (server == null) {
            actorSystem = ActorSystem.create("elasticmq", actorConfig());
            server = dataFolder == null
                    ? SQSRestServerBuilder.withActorSystem(actorSystem).withPort(port).withInterface("127.0.0.1").start()
                    : startPersistent();
            server.waitUntilStarted();
        }
        return this;
    }

    /**
     * Wired by hand rather than through ElasticMQ's own server class, which restores the stored queues in the
     * background after it returns (a queue created meanwhile would be a new, empty one), and whose stop waits out
     * long polls.
     */
    private SQSRestServer startPersistent() {
        if (!StandardCharsets.UTF_8.equals(Charset.defaultCharset())) {
            LOG.warnf("ElasticMQ stores message bodies in the platform charset %s: run with -Dfile.encoding=UTF-8 "
                    + "or non-ASCII bodies come back altered after a restart", Charset.defaultCharset());
        }
        // WRITE_DELAY=0: with H2's default delay, a kill -9 right after a send lost the message (and the queue).
        String database = "jdbc:h2:file:" + dataFolder.resolve("elasticmq") + ";WRITE_DELAY=0";
        SqlQueuePersistenceConfig storage = new SqlQueuePersistenceConfig(true, "org.h2.Driver", database, "", "", false);
        scala.collection.immutable.List<CreateQueueMetadata> noConfiguredQueues = CollectionConverters
                .asScala(List.<CreateQueueMetadata>of()).toList();
        ActorRef store = actorSystem.actorOf(Props.create(SqlQueuePersistenceActor.class,
                () -> new SqlQueuePersistenceActor(storage, noConfiguredQueues)));
        ActorRef queues = actorSystem.actorOf(Props.create(QueueManagerActor.class,
                () -> new QueueManagerActor(new NowProvider(), StrictSQSLimits$.MODULE$, Option.apply(store))));
        Object restored = Patterns.ask(store, new QueueEvent.Restore(queues), RESTORE_TIMEOUT).toCompletableFuture()
                .orTimeout(RESTORE_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        if (restored instanceof Either<?, ?> result && result.isLeft()) {
            stopActorSystem();
            throw new IllegalStateException("ElasticMQ could not restore its queues from " + dataFolder + ": "
                    + result.left().get());
        }
        return SQSRestServerBuilder.withActorSystem(actorSystem).withQueueManagerActor(queues)
                .withQueueEventListener(store).withPort(port).withInterface("127.0.0.1").start();
    }

    /**
     * Closes open connections after a second: ElasticMQ's own stop gives in-flight requests a minute, so a long poll
     * abandoned by a client that has already gone (a stopped worker) would hold every stop for up to 20 s.
     */
    public synchronized void stop() {
        if (server != null) {
            try {
                Await.result(server.waitUntilStarted().terminate(FiniteDuration.apply(1, TimeUnit.SECONDS)),
                        FiniteDuration.apply(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                // stopAndWait below still stops it, only more slowly
            }
            server.stopAndWait();
            server = null;
        }
        stopActorSystem();
    }

    private static Config actorConfig() {
        return ConfigFactory.parseString(SCHEDULER_TICK).withFallback(ConfigFactory.load());
    }

    /** The server's actor system (the builder stops only one it made itself); closes the store, if any. */
    private void stopActorSystem() {
        if (actorSystem != null) {
            try {
                Await.result(actorSystem.terminate(), FiniteDuration.apply(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                LOG.debugf("ElasticMQ's actor system did not stop in time: %s", e.toString());
            }
            actorSystem = null;
        }
    }

    public int port() {
        return port;
    }

    /** Where queues and messages are kept; null when in memory. */
    public Path dataFolder() {
        return dataFolder;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
