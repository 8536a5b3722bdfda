package io.jpod.cli;

import io.jpod.rootless.HostUser;
import io.jpod.rootless.RunRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * `jpod system service [-t SECONDS] [unix://PATH]`: the per-user service the native client talks to (started by
 * the client itself when none is running; see {@link Service}), which also serves the Docker-compatible API on
 * docker.sock beside its socket; with a PATH whose name is not service.sock, the Docker API alone on PATH.
 */
@Command(name = "service", mixinStandardHelpOptions = true,
        description = "Run jpod's per-user service, which the jpod command uses when it is running (started on demand).")
final class ServiceCommand implements Callable<Integer> {
    @ParentCommand
    SystemCommand system;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS",
            description = "Exit after this many seconds without a request (0: never; default: [engine] service_timeout in containers.conf, else 300)")
    Long time;

    @Parameters(arity = "0..1", paramLabel = "URI", description = "unix://PATH to serve the Docker-compatible API on, in the foreground (default: jpod's own "
                    + "$XDG_RUNTIME_DIR/jpod/service.sock, with the Docker API on docker.sock beside it)")
    String uri;

    @Override
    public Integer call() {
        JpodCommand jpod = system.jpod;
        Path socket;
        if (uri == null) {
            socket = RunRoot.resolve(jpod.env, HostUser.current().uid()).path().resolve(Service.SOCKET_NAME);
        } else if (uri.startsWith("unix://")) {
            socket = Path.of(uri.substring("unix://".length()));
        } else {
            throw new io.jpod.engine.EngineException("unsupported service address \"" + uri + "\": use unix:///PATH");
        }
        long seconds = time != null ? time : ServiceSettings.idleSeconds(jpod.env);
        if (seconds < 0) {
            throw new io.jpod.engine.EngineException("--time must be 0 (never) or a number of seconds, not " + seconds);
        }
        Duration idle = seconds == 0 ? null : Duration.ofSeconds(seconds);
        if (!socket.getFileName().toString().equals(Service.SOCKET_NAME)) {
            // podman's meaning: the Docker-compatible API on that socket, in the foreground
            return io.jpod.cli.api.DockerApiService.serve(socket.toAbsolutePath(), idle, jpod.env, jpod.err);
        }
        return new Service(socket, idle, jpod.err, new io.jpod.cli.api.DockerApi(jpod.env, jpod.err)).serve();
    }
}
