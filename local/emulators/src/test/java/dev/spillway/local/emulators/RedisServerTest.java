package dev.spillway.local.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Redis for tests and the local stack even on a machine without an installed redis-server. */
class RedisServerTest {

    @Test
    void find_withoutRedisOnThePath_startsTheBundledBinaryWithStreams() throws IOException {
        // GIVEN a PATH with no redis-server on it
        RedisServer redis = RedisServer.find("", Ports.free()).orElseThrow();

        // WHEN it starts
        try (RedisServer started = redis.start(); RedisClient client = new RedisClient(redis.port())) {
            // THEN it is the bundled binary and answers, Streams included
            assertThat(redis.executable().getFileName()).hasToString("redis-server");
            assertThat(redis.executable().getParent().getFileName().toString()).startsWith("spillway-redis-");
            assertThat(client.call("PING")).containsExactly("PONG");
            String id = client.call("XADD", "tokens", "*", "text", "hello").get(0);
            assertThat(client.call("XRANGE", "tokens", "-", "+")).containsExactly(id, "text", "hello");
        }
    }

    @Test
    void find_twice_reusesTheExtractedBinary() throws IOException {
        Path first = RedisServer.find("", Ports.free()).orElseThrow().executable();
        long modified = Files.getLastModifiedTime(first).toMillis();

        Path second = RedisServer.find("", Ports.free()).orElseThrow().executable();

        assertThat(second).isEqualTo(first);
        assertThat(Files.isExecutable(second)).isTrue();
        assertThat(Files.getLastModifiedTime(second).toMillis()).isEqualTo(modified);
    }

    @Test
    void find_withAnInstalledRedis_prefersIt() throws IOException {
        // GIVEN a folder on the PATH with an executable named redis-server
        Path folder = Files.createTempDirectory("installed-redis");
        Path installed = Files.createFile(folder.resolve("redis-server"));
        assertThat(installed.toFile().setExecutable(true)).isTrue();

        RedisServer redis = RedisServer.find(folder.toString(), Ports.free()).orElseThrow();

        assertThat(redis.executable()).isEqualTo(installed);
    }

    @Test
    void runsHere_onlyOnLinuxAmd64() {
        assertThat(BundledRedisBinary.runsHere("Linux", "amd64")).isTrue();
        assertThat(BundledRedisBinary.runsHere("Linux", "x86_64")).isTrue();
        assertThat(BundledRedisBinary.runsHere("Linux", "aarch64")).isFalse();
        assertThat(BundledRedisBinary.runsHere("Mac OS X", "amd64")).isFalse();
    }

    /** Just enough RESP to send a command and flatten its reply into strings. */
    private static final class RedisClient implements AutoCloseable {

        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        RedisClient(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        List<String> call(String... args) throws IOException {
            StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                command.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                        .append("\r\n");
            }
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            List<String> reply = new ArrayList<>();
            readInto(reply);
            return reply;
        }

        private void readInto(List<String> reply) throws IOException {
            String line = in.readLine();
            switch (line.charAt(0)) {
                case '+', ':' -> reply.add(line.substring(1));
                case '-' -> throw new IOException(line.substring(1));
                case '$' -> {
                    int length = Integer.parseInt(line.substring(1));
                    if (length >= 0) {
                        reply.add(in.readLine());
                    }
                }
                case '*' -> {
                    int count = Integer.parseInt(line.substring(1));
                    for (int i = 0; i < count; i++) {
                        readInto(reply);
                    }
                }
                default -> throw new IOException("unexpected reply " + line);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
