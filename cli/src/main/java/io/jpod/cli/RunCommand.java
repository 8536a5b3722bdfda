package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.container.ContainerRunReport;
import io.jpod.engine.image.PullPolicy;
import io.jpod.engine.container.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `jpod run`: podman's flags and meaning; everything after the image belongs to the container. */
@Command(name = "run", usageHelpAutoWidth = true,
        description = "Run a command in a new container.")
public class RunCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or id")
    String image;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments (default: the image's)")
    List<String> command = new ArrayList<>();

    @Option(names = "--rm", description = "Remove the container when it exits")
    boolean remove;

    @Option(names = "--name", paramLabel = "NAME", description = "Assign a name to the container")
    String name;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set an environment variable (KEY alone takes jpod's value)")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE", description = "Read KEY=VALUE lines into the environment (before -e)")
    List<String> envFiles = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "User (name or uid) and group to run as")
    String user;

    @Option(names = "--entrypoint", paramLabel = "CMD", description = "Override the image's entrypoint")
    String entrypoint;

    @Option(names = {"-h", "--hostname"}, paramLabel = "NAME", description = "Container host name (default: the short id)")
    String hostname;

    @Option(names = "--pull", paramLabel = "POLICY", defaultValue = "missing", description = "always, missing, never or newer (default: missing)")
    String pull;

    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Require HTTPS and verify certificates when pulling (default: true)")
    boolean tlsVerify;

    @Option(names = {"-q", "--quiet"}, description = "Suppress pull progress")
    boolean quiet;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platform to pull (default: the host's)")
    String platform;

    @Option(names = "--group-add", paramLabel = "GROUP", description = "Add a supplementary group (gid or a name of the image's /etc/group)")
    List<String> groupAdd = new ArrayList<>();

    @Option(names = "--env-host", description = "Start from jpod's own environment (the image's Env and -e override it)")
    boolean envHost;

    @Option(names = "--tz", paramLabel = "TIMEZONE", description = "Time zone of the container (e.g. Europe/Berlin, UTC; local: the host's)")
    String timezone;

    @Option(names = "--pod", paramLabel = "POD", description = "Run in this pod (its network, IPC and UTS namespaces); new:NAME creates it")
    String pod;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit")
    boolean help;

    @Mixin
    PlatformOptions platformOptions;

    @Mixin
    RunNetworkOptions networkOptions;

    @Mixin
    RunLifecycleOptions lifecycleOptions;

    @Mixin
    RunSecurityOptions securityOptions;

    @Mixin
    RunResourceOptions resourceOptions;

    RunRequest request() {
        return new RunRequest(image, List.copyOf(command),
                new RunRequest.ProcessRequest(entrypoint, EnvFiles.withFiles(envFiles, env), workdir, user, hostname,
                        groupAdd, envHost, timezone), name, remove,
                new RunRequest.PullRequest(PullPolicy.parse(pull), tlsVerify, quiet, platformOptions.platform(platform)),
                networkOptions.toRequest(), lifecycleOptions.toRequest(), securityOptions.toRequest(), resourceOptions.toRequest(), pod);
    }

    @Override
    public Integer call() {
        RunRequest request = request();
        if (resourceOptions.kernelMemory != null) {
            jpod.global.warn(jpod.err, "The --kernel-memory flag is no longer supported. This flag is a noop."); // podman's words
        }
        try (Engine engine = jpod.engine()) {
            ContainerRunReport report = engine.containers().run(request, ImageCli.progressWhenPulling(jpod));
            if (request.lifecycle().detach() && report.exitCode() == 0
                    || !request.lifecycle().attach().isEmpty() && !request.lifecycle().attach().contains("stdout")) {
                jpod.out.println(report.id()); // podman prints the id when stdout is not attached
            }
            return report.exitCode();
        } catch (io.jpod.engine.CannotInvokeException e) {
            Main.report(e, jpod.err);
            return io.jpod.engine.CannotInvokeException.EXIT_CODE;
        }
    }
}
