package io.jpod.cli;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.image.ImageLoginOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** `jpod login`: checks credentials with the registry and stores them in auth.json (0600), as podman does. */
@Command(name = "login", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Log in to a container registry.")
public final class LoginCommand implements Callable<Integer> {
    @ParentCommand
    JpodCommand jpod;

    @Parameters(index = "0", paramLabel = "REGISTRY", description = "Registry host[:port], e.g. quay.io")
    String registry;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "User name")
    String username;

    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD", description = "Password (prefer --password-stdin)")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from standard input")
    boolean passwordStdin;

    @Option(names = "--authfile", paramLabel = "FILE", description = "Credentials file (default: $XDG_RUNTIME_DIR/containers/auth.json)")
    String authfile;

    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
            description = "Require HTTPS and verify certificates (default: true; loopback registries may use HTTP)")
    boolean tlsVerify;

    InputStream stdin = System.in;

    @Override
    public Integer call() {
        if (password != null && passwordStdin) {
            throw new EngineException("--password and --password-stdin cannot be used together");
        }
        Console console = System.console();
        if (username == null) {
            if (console == null) {
                throw new EngineException("no user name given; use --username");
            }
            username = console.readLine("Username: ");
        }
        if (passwordStdin) {
            password = readStdin();
        } else if (password == null) {
            if (console == null) {
                throw new EngineException("no password given; use --password-stdin (or --password)");
            }
            char[] p = console.readPassword("Password: ");
            password = p == null ? "" : new String(p);
        }
        if (username.isEmpty() || password.isEmpty()) {
            throw new EngineException("user name and password must not be empty");
        }
        try (Engine engine = jpod.engine()) {
            engine.images().login(new ImageLoginOptions(registry, username, password, authfile, tlsVerify));
        }
        jpod.out.println("Login Succeeded!");
        return 0;
    }

    private String readStdin() {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            stdin.transferTo(b);
            String s = b.toString(StandardCharsets.UTF_8);
            // like docker: one trailing newline (from echo) is not part of the password
            return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw new EngineException("cannot read the password from standard input: " + e.getMessage());
        }
    }
}
