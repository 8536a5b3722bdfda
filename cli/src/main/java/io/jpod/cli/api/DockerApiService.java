package io.jpod.cli.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jpod system service [--time N] unix://PATH} for a PATH other than the per-user service's own socket: the
 * Docker-compatible API alone, in the foreground, on PATH (podman's {@code system service}); it exits after
 * {@code idle} without a request (null: never).
 */
public final class DockerApiService {
    /** The API socket the auto-started per-user service serves beside its own (service.sock). */
    public static final String SOCKET_NAME = "docker.sock";

    private DockerApiService() {
    }

    public static int serve(Path socket, Duration idle, Map<String, String> env, PrintStream log) {
        AtomicInteger active = new AtomicInteger();
        long[] lastDone = {System.nanoTime()};
        ApiServer server = new ApiServer(socket, new DockerApi(env, log), log, new ApiServer.Activity() {
            @Override
            public void begin() {
                active.incrementAndGet();
            }

            @Override
            public void end() {
                synchronized (lastDone) {
                    lastDone[0] = System.nanoTime();
                }
                active.decrementAndGet();
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            throw new io.jpod.engine.EngineException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        log.println("jpod: serving the Docker API on unix://" + socket + (idle == null ? "" : " (exits after " + idle.toSeconds() + " s idle)"));
        try {
            while (true) {
                Thread.sleep(idle == null ? 60_000 : Math.max(100, Math.min(1000, idle.toMillis() / 4)));
                if (idle != null && active.get() == 0) {
                    synchronized (lastDone) {
                        if (System.nanoTime() - lastDone[0] >= idle.toNanos()) {
                            break;
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.close();
        }
        return 0;
    }
}
